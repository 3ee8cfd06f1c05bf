"""The columnar path: equal to the engine, its figures equal to the object figures."""

from __future__ import annotations

import attrs
import pytest

np = pytest.importorskip("numpy", reason="needs the columnar extra (numpy, pyarrow)")
pytest.importorskip("pyarrow", reason="needs the columnar extra (pyarrow)")

from tiktok_aftersales import RequestType, State  # noqa: E402
from tiktok_aftersales.analysis import (  # noqa: E402
    Behaviour,
    RecordedEvent,
    figures,
    policy_from_spec,
    population,
    replay,
)
from tiktok_aftersales.analysis import columnar as columnar_module  # noqa: E402
from tiktok_aftersales.analysis.columnar import (  # noqa: E402
    codes,
    encode_histories,
    from_arrow,
    replay_columns,
    to_arrow,
)
from tiktok_aftersales.analysis.scale import simulate_columns  # noqa: E402
from tiktok_aftersales.analysis.windows import column_figures  # noqa: E402
from tiktok_aftersales.domain import Arbitration  # noqa: E402
from tiktok_aftersales.lifecycle import LIFECYCLES  # noqa: E402

BUSY = Behaviour(
    seller_silent=0.3,
    buyer_disputes=0.9,
    seller_rejects=0.4,
    partial_offer=0.2,
    alternative_offer=0.2,
    buyer_keeps_item=0.3,
    arbitration={Arbitration.SUPPORT_BUYER: 1, Arbitration.SUPPORT_SELLER: 1},
)


@pytest.fixture(scope="module")
def histories():
    return population(11, 1500).histories() + population(12, 1500, BUSY).histories()


def test_the_code_table_is_derived_from_the_declaration():
    table = codes()
    assert set(table.request_types) == set(LIFECYCLES)
    assert set(table.events) == {e for lc in LIFECYCLES.values() for e in lc.events}
    assert table.fields == ("buyer_keep_item", "solution")
    assert table.values[0] is None


def test_columnar_replay_equals_the_engine_on_every_case(histories):
    engine = replay(histories)
    assert engine.ok
    result = replay_columns(encode_histories(histories))
    assert result.ok
    assert result.states() == [c.state for c in engine.cases]


def test_arrow_columns_replay_like_python_columns(histories):
    direct = replay_columns(encode_histories(histories))
    via_arrow = replay_columns(from_arrow(to_arrow(histories)))
    assert via_arrow.states() == direct.states()
    assert list(via_arrow.columns.case_ids) == [h.case_id for h in histories]
    assert np.array_equal(via_arrow.columns.at, direct.columns.at)


def test_a_refused_event_stops_its_case_where_the_engine_stops(histories):
    broken = []
    for i, h in enumerate(histories[:300]):
        if i % 3 == 0 and len(h.events) > 1:
            bad = RecordedEvent("rule_for_buyer", h.events[1].actor, h.events[1].at)
            h = attrs.evolve(h, events=(h.events[0], bad, *h.events[1:]))
        broken.append(h)
    engine = replay(broken)
    result = replay_columns(encode_histories(broken))
    failed = {e.case_id for e in engine.errors}
    for h, at in zip(broken, result.failed_at.tolist(), strict=True):
        assert (at >= 0) == (h.case_id in failed)
    assert result.states() == [c.state for c in engine.cases]


def _broken(histories):
    """Every third history with a refused event inserted after its opening."""
    out = []
    for i, h in enumerate(histories):
        if i % 3 == 0 and len(h.events) > 1:
            bad = RecordedEvent("rule_for_buyer", h.events[1].actor, h.events[1].at)
            h = attrs.evolve(h, events=(h.events[0], bad, *h.events[1:]))
        out.append(h)
    return out


def test_replaying_in_blocks_of_cases_gives_the_answer_of_one_block(histories, monkeypatch):
    columns = encode_histories(_broken(histories[:700]))
    whole = replay_columns(columns)
    assert not whole.ok  # refused events, after which a case keeps its last good control
    for block in (1, 7, 256):
        monkeypatch.setattr(columnar_module, "_BLOCK", block)
        blocked = replay_columns(columns)
        assert np.array_equal(blocked.control, whole.control)
        assert np.array_equal(blocked.final, whole.final)
        assert np.array_equal(blocked.failed_at, whole.failed_at)
        assert blocked.columns is columns


def test_an_empty_population_replays_to_nothing():
    result = replay_columns(encode_histories([]))
    assert result.ok and result.states() == [] and len(result.control) == 0


def test_an_unknown_event_name_is_refused():
    h = population(3, 1).histories()[0]
    bad = attrs.evolve(
        h, events=(*h.events, RecordedEvent("teleport", h.events[0].actor, h.events[-1].at))
    )
    result = replay_columns(encode_histories([bad]))
    assert result.failed_at.tolist() == [len(h.events)]


def test_column_figures_count_what_the_object_figures_count(histories):
    cases = replay(histories).cases
    fig = figures(cases)
    col = column_figures(replay_columns(encode_histories(histories)))
    assert col.outcomes == {(r.request_type, r.state): r.cases for r in fig.outcomes}
    assert col.timeouts == {
        (t.request_type, t.window, t.silent, t.event, t.target): t.count for t in fig.timeouts
    }
    assert col.seller_deadlines == {
        (s.region, s.request_type): (s.decisions, s.missed) for s in fig.seller_deadlines
    }
    assert {s: (d.count, d.mean_hours()) for s, d in col.stays.items()} == {
        r.state: (r.stays, r.mean_hours) for r in fig.time_in_state
    }
    summary = col.summary()
    for key in ("seller rejections", "disputes", "auto-approvals", "closures by timeout"):
        assert summary[key] == fig.summary[key]
    assert summary["seller deadlines missed %"] == fig.summary["seller deadlines missed %"]
    # The columns read the nearest-rank median to the minute; the object figures average the
    # two middle stays of an even count. Both lie between those two middle stays.
    stays = []
    for case in cases:
        entered = case.history[0].at
        for prev, item in zip(case.history, case.history[1:], strict=False):
            if item.state is not prev.state:
                if prev.state is State.REQUESTED:
                    stays.append((item.at - entered).total_seconds() / 3600)
                entered = item.at
    stays.sort()
    if stays:
        low, high = stays[(len(stays) - 1) // 2], stays[len(stays) // 2]
        for median in (
            summary["median hours in requested"],
            fig.summary["median hours in requested"],
        ):
            assert low - 1 / 60 <= median <= high + 1 / 60


def test_figures_of_parts_merge_into_the_figures_of_the_whole(histories):
    whole = column_figures(replay_columns(encode_histories(histories)))
    half = len(histories) // 2
    a = column_figures(replay_columns(encode_histories(histories[:half])))
    b = column_figures(replay_columns(encode_histories(histories[half:])))
    assert a.merge(b) == whole
    assert b.merge(a) == whole


def test_time_to_the_seller_decision_counts_only_buyer_requests():
    hs = population(4, 400).histories()
    col = column_figures(replay_columns(encode_histories(hs)))
    by_buyer = [
        h
        for h in hs
        if h.events[0].actor.value == "buyer" and any(e.actor.value == "seller" for e in h.events)
    ]
    assert col.decision.count == len(by_buyer)
    assert all(h.request_type is not RequestType.SELLER_REFUND for h in by_buyer)


def test_the_streaming_simulation_is_reproducible_and_compares_two_policies():
    a = policy_from_spec("default")
    b = policy_from_spec("default,seller_response=24h")
    first = simulate_columns(5, 3000, a, b, chunk=1000)
    again = simulate_columns(5, 3000, a, b, chunk=1000)
    assert first.a == again.a and first.b == again.b
    assert first.a.cases == first.b.cases == 3000
    assert first.row("auto-approvals").b > first.row("auto-approvals").a


def test_one_policy_alone_gives_the_same_figures_as_in_a_comparison():
    a = policy_from_spec("default")
    b = policy_from_spec("channel_manager")
    alone = simulate_columns(2, 2000, a, chunk=700)
    paired = simulate_columns(2, 2000, a, b, chunk=700)
    assert alone.a == paired.a
    assert alone.b is None


def test_simulated_cases_end_in_states_of_their_lifecycle():
    out = simulate_columns(9, 2000, policy_from_spec("default"), chunk=500)
    for (kind, state), n in out.a.outcomes.items():
        assert n > 0
        assert State(state) in LIFECYCLES[RequestType(kind)].states
