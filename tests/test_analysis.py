"""Analysis: figures on hand-built cases, JSON Lines, bad lines, policy simulation."""

from __future__ import annotations

import json
import sys
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from builders import T0, fresh
from tiktok_aftersales import (
    DEFAULT_POLICY,
    Actor,
    AfterSalesCase,
    InvalidValue,
    RequestType,
    State,
    advance,
    apply,
    open_case,
)
from tiktok_aftersales.analysis import (
    History,
    LineError,
    MissingExtra,
    Population,
    dump_jsonl,
    figures,
    final_states,
    load_jsonl,
    load_platform_dump,
    policy_from_spec,
    population,
    replay,
    run_policy,
    simulate,
)
from tiktok_aftersales.analysis.synthetic import Behaviour, SyntheticCase, SyntheticEvent
from tiktok_aftersales.domain.serialize import case_to_json

H = timedelta(hours=1)
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "platform"


def _open(kind: RequestType, case_id: str, region: str) -> AfterSalesCase:
    base = fresh(kind, case_id=case_id, region=region)
    return open_case(
        kind,
        case_id=case_id,
        order_id=base.order_id,
        region=region,
        lines=base.lines,
        at=T0,
    )


def three_cases() -> list[AfterSalesCase]:
    """A: seller approves after 10 h; B: seller silent (auto-approved at 48 h);
    C (GB return): seller rejects after 5 h, buyer silent (closed 48 h later).
    Refunds are paid by the 72 h processing timeout."""
    a = _open(RequestType.REFUND_ONLY, "A", "US")
    a = apply(a, "approve", Actor.SELLER, T0 + 10 * H)
    a = advance(a, T0 + 200 * H)
    b = advance(_open(RequestType.REFUND_ONLY, "B", "US"), T0 + 200 * H)
    c = _open(RequestType.RETURN_AND_REFUND, "C", "GB")
    c = apply(c, "reject", Actor.SELLER, T0 + 5 * H)
    c = advance(c, T0 + 200 * H)
    return [a, b, c]


# --- figures ----------------------------------------------------------------------------------


def test_hand_built_cases_end_where_the_story_says() -> None:
    a, b, c = three_cases()
    assert [e.at - T0 for e in a.history] == [0 * H, 10 * H, 82 * H]
    assert [(e.event, e.actor) for e in b.history][1] == ("approve", Actor.SYSTEM)
    assert [e.at - T0 for e in b.history] == [0 * H, 48 * H, 120 * H]
    assert (c.state, c.history[-1].at - T0) == (State.CLOSED, 53 * H)


def test_outcomes_per_request_type() -> None:
    rows = {(r.request_type, r.state): (r.cases, r.share) for r in figures(three_cases()).outcomes}
    assert rows == {
        ("refund_only", "refunded"): (2, 1.0),
        ("return_and_refund", "closed"): (1, 1.0),
    }


def test_timeouts_count_auto_approvals_and_closures() -> None:
    fig = figures(three_cases())
    rows = {(r.request_type, r.window, r.silent, r.event, r.target): r.count for r in fig.timeouts}
    assert rows == {
        ("refund_only", "refund_processing", "operator", "complete_refund", "refunded"): 2,
        ("refund_only", "seller_response", "seller", "approve", "refund_committed"): 1,
        ("return_and_refund", "buyer_dispute", "buyer", "close", "closed"): 1,
    }
    assert fig.summary["auto-approvals"] == 1
    assert fig.summary["closures by timeout"] == 1
    assert fig.summary["seller rejections"] == 1


def test_refund_exposure_by_who_decided() -> None:
    fig = figures(three_cases())
    # usd_lines: 19.99 + 2.00 + 1.61 and 10.00 + 0.80 = 34.40 per order
    assert [(r.decided_by, r.currency, r.refunds, r.amount) for r in fig.exposure] == [
        ("seller", "USD", 1, Decimal("34.40")),
        ("system", "USD", 1, Decimal("34.40")),
    ]
    assert fig.summary["refund exposure USD"] == Decimal("68.80")
    assert fig.summary["decided by system USD"] == Decimal("34.40")
    assert fig.summary["refunded"] == 2


def test_seller_deadlines_missed_per_region_and_type() -> None:
    rows = {
        (r.region, r.request_type): (r.decisions, r.missed, r.missed_share)
        for r in figures(three_cases()).seller_deadlines
    }
    assert rows == {("GB", "return_and_refund"): (1, 0, 0.0), ("US", "refund_only"): (2, 1, 0.5)}


def test_time_in_each_state_distribution() -> None:
    rows = {r.state: r for r in figures(three_cases()).time_in_state}
    requested = rows["requested"]  # stays of 10 h, 48 h and 5 h
    assert (requested.stays, requested.mean_hours, requested.median_hours) == (3, 21.0, 10.0)
    assert requested.p90_hours == 48.0
    assert (rows["refund_committed"].stays, rows["refund_committed"].mean_hours) == (2, 72.0)
    assert (rows["rejected"].stays, rows["rejected"].median_hours) == (1, 48.0)
    assert "refunded" not in rows  # a terminal state is never left
    assert figures(three_cases()).summary["median hours in requested"] == 10.0


def test_grid_tabs_counted_at_chosen_instants() -> None:
    before, early, late = T0 - H, T0 + H, T0 + 199 * H
    fig = figures(three_cases(), instants=[before, early, late])
    got = {(r.at, r.tab): r.cases for r in fig.tabs if r.cases}
    assert got == {
        (early, "All"): 3,
        (early, "Aftersale Applying"): 3,
        (late, "All"): 3,
        (late, "Complete"): 2,
        (late, "Closed"): 1,
    }


def test_default_instants_span_the_histories() -> None:
    fig = figures(three_cases())
    instants = sorted({r.at for r in fig.tabs})
    assert (instants[0], instants[-1], len(instants)) == (T0, T0 + 120 * H, 6)


def test_naive_instant_is_refused_with_its_field() -> None:
    with pytest.raises(InvalidValue) as info:
        figures(three_cases(), instants=[T0.replace(tzinfo=None)])
    assert info.value.field == "instants"


def test_no_cases_give_empty_figures() -> None:
    fig = figures([])
    assert fig.cases == 0 and not fig.outcomes.rows and not fig.tabs.rows
    assert fig.summary["seller deadlines missed %"] == 0.0


# --- JSON Lines -------------------------------------------------------------------------------


def test_event_lines_round_trip_to_equal_cases() -> None:
    cases = three_cases()
    lines = list(dump_jsonl(cases))
    assert len(lines) == sum(len(c.history) for c in cases)
    first = json.loads(lines[0])
    assert first["case_id"] == "A" and first["request_type"] == "refund_only"
    assert "request_type" not in json.loads(lines[1])
    loaded = load_jsonl(lines)
    assert loaded.ok and loaded.lines == len(lines)
    assert list(replay(loaded.histories).cases) == cases


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 10**6))
def test_generated_populations_round_trip(seed: int) -> None:
    pop = population(seed, 15)
    result = replay(load_jsonl(dump_jsonl(pop.histories())).histories)
    assert result.ok
    assert list(result.cases) == [c.replay() for c in pop.cases]


def test_whole_case_lines_and_event_lines_mix() -> None:
    a, b, c = three_cases()
    lines = [case_to_json(a), *dump_jsonl([b]), "", "# a comment", case_to_json(c)]
    loaded = load_jsonl(lines)
    assert loaded.ok and [h.case_id for h in loaded.histories] == ["A", "B", "C"]
    assert list(replay(loaded.histories).cases) == [a, b, c]


def test_interleaved_cases_keep_their_own_order() -> None:
    a, b, _ = three_cases()
    la, lb = list(dump_jsonl([a])), list(dump_jsonl([b]))
    mixed = [la[0], lb[0], la[1], lb[1], la[2], lb[2]]
    assert list(replay(load_jsonl(mixed).histories).cases) == [a, b]


def _lines() -> list[str]:
    return list(dump_jsonl(three_cases()))


def _bad(lines: list[str], index: int, changes: dict[str, object]) -> list[str]:
    data = json.loads(lines[index])
    for key, value in changes.items():
        if value is _DROP:
            del data[key]
        else:
            data[key] = value
    out = list(lines)
    out[index] = json.dumps(data)
    return out


_DROP = object()


@pytest.mark.parametrize(
    ("index", "changes", "field"),
    [
        (1, {"actor": "nobody"}, "actor"),
        (1, {"at": "2026-03-02T19:00:00"}, "at"),
        (1, {"at": _DROP}, "at"),
        (1, {"event": ""}, "event"),
        (1, {"seq": 7}, "seq"),
        (1, {"payload": [1]}, "payload"),
        (1, {"state": "somewhere"}, "state"),
        (1, {"case_id": 5}, "case_id"),
        (3, {"request_type": "swap"}, "request_type"),
        (3, {"region": "ZZ"}, "region"),
        (3, {"order_stage": "lost"}, "order_stage"),
        (3, {"lines": []}, "lines"),
    ],
)
def test_a_bad_line_is_reported_with_number_and_field_and_others_are_kept(
    index: int, changes: dict[str, object], field: str
) -> None:
    lines = _bad(_lines(), index, changes)
    loaded = load_jsonl(lines)
    assert (loaded.errors[0].line, loaded.errors[0].field) == (index + 1, field)
    assert isinstance(loaded.errors[0], InvalidValue)
    if index == 3:  # the opening line of B: B's later lines are reported, A and C kept
        assert [(e.line, e.field) for e in loaded.errors[1:]] == [
            (5, "request_type"),
            (6, "request_type"),
        ]
        assert [h.case_id for h in loaded.histories] == ["A", "C"]
    elif field == "case_id":  # the line cannot be tied to A, so A's next seq looks skipped
        assert [(e.line, e.field) for e in loaded.errors[1:]] == [(3, "seq")]
    else:
        assert len(loaded.errors) == 1
        assert [len(h.events) for h in loaded.histories] == [2, 3, 3]


def test_bad_lines_do_not_stop_the_file() -> None:
    lines = _lines()
    lines.insert(2, "{not json")
    lines.insert(5, "[1, 2]")
    loaded = load_jsonl(lines)
    assert [(e.line, e.field) for e in loaded.errors] == [(3, "json"), (6, "line")]
    assert [h.case_id for h in loaded.histories] == ["A", "B", "C"]
    assert "line 3" in str(loaded.errors[0])


def test_later_line_contradicting_the_case_facts_is_refused() -> None:
    lines = _lines()
    first = json.loads(lines[0])
    second = json.loads(lines[1])
    second.update({k: first[k] for k in ("request_type", "order_id", "lines")}, region="GB")
    lines[1] = json.dumps(second)
    loaded = load_jsonl(lines)
    assert [(e.line, e.field, e.reason) for e in loaded.errors] == [
        (2, "region", "differs from line 1")
    ]


def test_replay_stops_a_history_at_an_illegal_event_and_names_its_line() -> None:
    lines = _bad(_lines(), 1, {"event": "reject_receipt"})  # not legal on a refund-only request
    result = replay(load_jsonl(lines).histories)
    (error,) = result.errors
    assert (error.line, error.field, error.case_id) == (2, "event", "A")
    assert [c.case_id for c in result.cases] == ["A", "B", "C"]
    assert result.cases[0].state is State.REQUESTED  # kept as it was before the bad event


def test_recorded_state_is_checked_on_replay() -> None:
    lines = _bad(_lines(), 1, {"state": "closed"})
    (error,) = replay(load_jsonl(lines).histories).errors
    assert (error.line, error.field, error.value) == (2, "state", "closed")


def test_line_error_names_line_field_and_case() -> None:
    error = LineError(12, "at", "yesterday", "an ISO 8601 datetime", "C9")
    assert str(error) == "line 12 (case C9): at='yesterday': an ISO 8601 datetime"
    assert (error.field, error.value) == ("at", "yesterday")


def test_final_states_through_the_fast_path_match_the_engine() -> None:
    pop = population(5, 60)
    histories = pop.histories()
    assert final_states(histories) == [c.state for c in replay(histories).cases]


def test_history_from_a_generated_case_keeps_every_event() -> None:
    item = population(1, 1).cases[0]
    h = History.from_synthetic(item)
    assert len(h.events) == 1 + len(item.events)
    assert replay([h]).cases[0] == item.replay()


# --- platform dumps ---------------------------------------------------------------------------


@pytest.mark.skipif(not FIXTURES.exists(), reason="bundled platform fixtures missing")
def test_platform_pages_open_cases_and_bad_lines_are_reported() -> None:
    page = (FIXTURES / "returns_search_response.live.json").read_text()
    lines = [json.dumps(json.loads(page)), "{oops", json.dumps({"hello": 1})]
    loaded = load_platform_dump(lines, region="VN")
    assert [(e.line, e.field) for e in loaded.errors] == [(2, "json"), (3, "line")]
    assert len(loaded.histories) == len(json.loads(page)["data"]["return_orders"])
    cases = replay(loaded.histories)
    assert cases.ok
    assert {c.region.code for c in cases.cases} == {"VN"}


def test_a_webhook_for_an_unknown_request_is_reported() -> None:
    body = {
        "type": 12,
        "tts_notification_id": "1",
        "shop_id": "7",
        "timestamp": 1724558837,
        "data": {
            "order_id": "576000000000000001",
            "return_id": "4035000000000000001",
            "return_status": "RETURN_OR_REFUND_REQUEST_PENDING",
            "return_type": "REFUND",
            "return_role": "BUYER",
            "update_time": 1724558837,
        },
    }
    loaded = load_platform_dump([json.dumps(body)])
    assert [(e.line, e.field) for e in loaded.errors] == [(1, "data")]
    assert loaded.histories == ()


# --- populations and policies ----------------------------------------------------------------


def test_population_is_reproducible_and_can_keep_one_region() -> None:
    a = population(3, 30, region="gb")
    b = population(3, 30, region="GB")
    assert [c.case for c in a.cases] == [c.case for c in b.cases]
    assert {c.case.region.code for c in a.cases} == {"GB"}
    assert len(a) == 30


def test_population_refuses_an_unknown_region() -> None:
    with pytest.raises(InvalidValue) as info:
        population(1, 5, region="XX")
    assert info.value.value == "XX"


def test_policy_spec_overrides_one_region() -> None:
    p = policy_from_spec("default, seller_response=24h@GB")
    assert str(p.duration("GB", "refund_only", "seller_response")) == "24 h"
    assert p.duration("US", "refund_only", "seller_response") == DEFAULT_POLICY.duration(
        "US", "refund_only", "seller_response"
    )
    q = policy_from_spec("channel_manager,buyer_ship_back=7d@*/return_and_refund")
    assert str(q.duration("US", "return_and_refund", "buyer_ship_back")) == "7 calendar days"


@pytest.mark.parametrize(
    ("spec", "field"),
    [
        ("nope", "policy"),
        ("", "policy"),
        ("default,seller_response", "policy"),
        ("default,nap=24h", "window"),
        ("default,seller_response=soon", "duration"),
        ("default,seller_response=24h@Gb1", "region"),
    ],
)
def test_bad_policy_specs_name_the_field(spec: str, field: str) -> None:
    with pytest.raises(InvalidValue) as info:
        policy_from_spec(spec)
    assert info.value.field.startswith(field)


def _script(*steps: tuple[str, Actor, timedelta]) -> Population:
    """A one-case population: a US refund-only request and scripted events."""
    opened = _open(RequestType.REFUND_ONLY, "S", "US")
    events = tuple(SyntheticEvent(e, a, T0 + d) for e, a, d in steps)
    item = SyntheticCase(opened, events, State.NEW)
    return Population(1, Behaviour(), (item,), {}, 40)


def test_a_seller_answer_after_the_new_deadline_is_pre_empted_by_auto_approval() -> None:
    pop = _script(("reject", Actor.SELLER, 30 * H))
    day = policy_from_spec("default,seller_response=24h")
    (under_48,) = run_policy(pop, DEFAULT_POLICY)
    (under_24,) = run_policy(pop, day)
    assert [(e.event, e.actor) for e in under_48.history][1] == ("reject", Actor.SELLER)
    assert [(e.event, e.actor, e.at - T0) for e in under_24.history][1] == (
        "approve",
        Actor.SYSTEM,
        24 * H,
    )


def test_a_scripted_silence_lasts_until_each_policy_s_deadline() -> None:
    # seller silent: the script's clock approved at 48 h 10 min; the buyer's later
    # events keep their delay after it.
    pop = _script(("approve", Actor.SYSTEM, 48 * H + timedelta(minutes=10)))
    day = policy_from_spec("default,seller_response=24h")
    (a,) = run_policy(pop, DEFAULT_POLICY)
    (b,) = run_policy(pop, day)
    assert (a.history[1].at - T0, b.history[1].at - T0) == (48 * H, 24 * H)
    assert a.history[1].actor is b.history[1].actor is Actor.SYSTEM


def test_simulation_is_reproducible() -> None:
    pop = population(9, 80)
    p = policy_from_spec("default,seller_response=24h@GB")
    first = simulate(pop, DEFAULT_POLICY, p)
    again = simulate(population(9, 80), DEFAULT_POLICY, p)
    assert first.rows == again.rows
    assert first.cases_b == again.cases_b


def test_the_same_policy_twice_changes_nothing() -> None:
    pop = population(4, 80)
    result = simulate(pop, DEFAULT_POLICY, DEFAULT_POLICY.renamed("same"))
    assert result.cases_a == result.cases_b
    assert all(r.change in (0, 0.0, Decimal(0)) for r in result.rows)


def test_a_region_rule_leaves_every_other_region_alone() -> None:
    pop = population(2, 300)
    result = simulate(pop, DEFAULT_POLICY, policy_from_spec("default,seller_response=24h@GB"))
    for a, b in zip(result.cases_a, result.cases_b, strict=True):
        if a.region.code != "GB":
            assert a == b


def _seller_timeouts(case: AfterSalesCase) -> int:
    windows = {"seller_response", "seller_receipt", "seller_replacement_response"}
    windows.add("seller_cancellation_response")
    count = 0
    for before, item in zip(case.history, case.history[1:], strict=False):
        if item.actor is not Actor.SYSTEM:
            continue
        from tiktok_aftersales.lifecycle import LIFECYCLES

        for t in LIFECYCLES[case.request_type].index.get((before.state, item.event), ()):
            if t.timeout is not None and t.timeout.value in windows:
                count += 1
                break
    return count


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_shorter_seller_window_only_adds_missed_deadlines(seed: int) -> None:
    # Reasoning: up to the first difference both runs replay the same script; the
    # only window that differs is the seller's, and it is shorter, so the first
    # difference is always a seller deadline that now runs out. A case that had a
    # seller timeout under 48 h therefore has one under 24 h too.
    pop = population(seed, 250, region="GB")
    result = simulate(pop, DEFAULT_POLICY, policy_from_spec("default,seller_response=24h@GB"))
    missed_a = {c.case_id for c in result.cases_a if _seller_timeouts(c)}
    missed_b = {c.case_id for c in result.cases_b if _seller_timeouts(c)}
    assert missed_a <= missed_b
    assert len(missed_b) > len(missed_a)
    auto = result.row("auto-approvals")
    assert auto.b is not None and auto.b > auto.a
    system = result.row("decided by system GBP")
    assert system.b is not None and system.b > system.a
    rejections = result.row("seller rejections")
    assert rejections.b is not None and rejections.b <= rejections.a
    p90 = result.row("p90 hours in requested")
    assert p90.b is not None and p90.b <= p90.a


def test_one_policy_gives_one_column() -> None:
    result = simulate(population(1, 20), DEFAULT_POLICY)
    assert result.b is None and result.cases_b == ()
    assert all(r.b is None and r.change is None for r in result.rows)
    assert result.row("cases").a == 20


def test_unknown_metric_is_refused() -> None:
    with pytest.raises(InvalidValue) as info:
        simulate(population(1, 5), DEFAULT_POLICY).row("happiness")
    assert info.value.field == "metric"


def test_progress_is_reported_up_to_the_total() -> None:
    seen: list[tuple[int, int]] = []
    simulate(
        population(1, 30), DEFAULT_POLICY, DEFAULT_POLICY, progress=lambda d, n: seen.append((d, n))
    )
    assert seen[-1] == (60, 60)
    assert all(n == 60 for _, n in seen)


def test_run_policy_refuses_a_non_policy() -> None:
    with pytest.raises(InvalidValue) as info:
        run_policy(population(1, 2), "default")  # type: ignore[arg-type]
    assert info.value.field == "policy"


# --- pandas -----------------------------------------------------------------------------------


def test_to_pandas_gives_frames_with_the_record_columns() -> None:
    pandas = pytest.importorskip("pandas", reason="needs the [analysis] extra (pandas)")
    fig = figures(three_cases())
    frames = fig.to_pandas()
    assert set(frames) == {t.name for t in fig.tables()}
    outcomes = frames["outcomes"]
    assert isinstance(outcomes, pandas.DataFrame)
    assert list(outcomes.columns) == ["request_type", "state", "cases", "share"]
    assert outcomes["cases"].sum() == 3
    comparison = simulate(population(1, 10), DEFAULT_POLICY, DEFAULT_POLICY).to_pandas()
    assert list(comparison.columns) == ["metric", "a", "b", "change"]


def test_to_pandas_without_pandas_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(MissingExtra) as info:
        figures(three_cases()).outcomes.to_pandas()
    assert info.value.extra == "analysis" and "tiktok-aftersales[analysis]" in str(info.value)
    assert isinstance(info.value, ImportError)


def test_records_are_frozen() -> None:
    row = figures(three_cases()).outcomes.rows[0]
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        row.cases = 9  # type: ignore[misc]


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_one_garbage_line_never_loses_another_case(data: st.DataObject) -> None:
    cases = three_cases()
    lines = list(dump_jsonl(cases))
    index = data.draw(st.integers(0, len(lines) - 1))
    garbage = data.draw(st.text(max_size=30) | st.just("{}") | st.just('{"case_id": "B"}'))
    broken = list(lines)
    broken[index] = garbage
    loaded = load_jsonl(broken)
    hit = json.loads(lines[index])["case_id"]
    whole = {h.case_id: h for h in load_jsonl(lines).histories}
    kept = {h.case_id: h for h in loaded.histories}
    for case_id, history in whole.items():
        if case_id != hit:
            assert kept[case_id] == history
    assert all(e.line == index + 1 or e.case_id == hit for e in loaded.errors)
    assert broken[index] == garbage  # the input is left as it was
