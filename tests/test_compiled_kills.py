"""The compiled table is the declaration, resolved once; the fast path loses nothing.

`compiled_table` is built on first use, once per process, so these tests build
it afresh (an empty table in place of the module's) and check it entry by entry
against the declaration: for each request type, state and arbitration sub-state,
each ``(event, actor)`` lists the candidates the actor and arbitration admit, in
declaration order, up to the first unguarded one, each resolved into a `Step`.
Then every reachable case is swept through the freshly built table and compared
with the reference engine. The last tests pin what the fast path must keep
exactly: microseconds of the time, and payloads given as read-only mappings.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from types import MappingProxyType

import attrs
import pytest

from _engine import H1, RO, RR, B, S, requested, stamp
from builders import T0, fresh
from reference_engine import reference_apply
from test_engine_paths import sweep
from tiktok_aftersales import InvalidValue, Money, RequestType, State, apply
from tiktok_aftersales.domain import Actor, Arbitration
from tiktok_aftersales.domain.history import ACTOR_CODE, EVENT_CODE, STATE_CODE
from tiktok_aftersales.errors import EventOutOfOrder
from tiktok_aftersales.lifecycle import EVENTS, LIFECYCLES
from tiktok_aftersales.lifecycle import compiled as compiled_module
from tiktok_aftersales.lifecycle.compiled import compiled_table
from tiktok_aftersales.lifecycle.engine import _checked_apply


@pytest.fixture
def fresh_table(monkeypatch: pytest.MonkeyPatch) -> None:
    """The module's table replaced by an empty one, so the next use builds it again."""
    monkeypatch.setattr(compiled_module, "_TABLE", {})


def _expected_entries():
    """``(type, state, arbitration) -> (event, actor) -> transitions``, from the declaration."""
    out = {}
    for kind, lc in LIFECYCLES.items():
        for (state, event), candidates in lc.index.items():
            for arbitration in Arbitration:
                for actor in Actor:
                    chosen = []
                    for t in candidates:
                        if actor in t.actors and arbitration in t.arbitration_from:
                            chosen.append(t)
                            if t.guard is None:
                                break
                    if chosen:
                        out.setdefault((kind, state, arbitration), {})[(event, actor)] = chosen
    return out


def _check_step(step, t, state, actor):
    spec = EVENTS[t.event]
    dest = t.dest if t.dest is not None else state
    assert step.transition is t
    assert (step.event, step.actor, step.source, step.dest) == (t.event, actor, state, dest)
    assert step.spec is spec
    assert step.codes == (EVENT_CODE[t.event], ACTOR_CODE[actor], STATE_CODE[dest])
    assert step.arbitration_to is t.arbitration_to
    assert step.refund == t.refund
    assert step.effects == tuple(
        (e.kind, None if e.when is None else e.when.test, e.kind.value) for e in t.effects
    )
    assert step.validates is bool(spec.required)
    assert sorted(step.required) == sorted(spec.required)
    assert step.fields == tuple((name, f"payload.{name}", fn) for name, fn in spec.fields.items())
    assert step.opens is (state is State.NEW)
    assert step.make_offer is spec.offer
    assert step.keeps_offer is (dest is State.AWAITING_BUYER_RESPONSE)


def test_the_table_built_on_first_use_is_the_declaration_resolved(fresh_table):
    assert not compiled_module._TABLE
    table = compiled_table()
    assert table is compiled_module._TABLE and compiled_table() is table
    expected = _expected_entries()
    assert set(table) == set(expected)
    for key, row in table.items():
        _kind, state, _arbitration = key
        assert set(row) == set(expected[key])
        for (event, actor), entries in row.items():
            transitions = expected[key][(event, actor)]
            assert len(entries) == len(transitions)
            for (guard, step), t in zip(entries, transitions, strict=True):
                assert guard is (None if t.guard is None else t.guard.test)
                _check_step(step, t, state, actor)


def test_an_unguarded_candidate_ends_the_entry_and_a_guarded_one_does_not(fresh_table):
    row = compiled_table()[(RR, State.REQUESTED, Arbitration.NONE)]
    keep, plain = LIFECYCLES[RR].index[(State.REQUESTED, "approve")]
    assert [step.transition for _g, step in row[("approve", S)]] == [keep, plain]
    assert [step.transition for _g, step in row[("approve", Actor.SYSTEM)]] == [plain]
    assert ("approve", B) not in row
    disputed = compiled_table()[(RO, State.REJECTED, Arbitration.IN_PROGRESS)]
    assert set(disputed) == {
        ("rule_for_seller", Actor.OPERATOR),
        ("close_arbitration", Actor.OPERATOR),
        ("rule_for_buyer", Actor.OPERATOR),
    }


@pytest.mark.parametrize("kind", list(RequestType), ids=str)
def test_a_table_built_afresh_decides_like_the_reference(fresh_table, kind):
    assert sweep(kind) > 0
    assert compiled_module._TABLE


def test_the_fast_path_keeps_the_microseconds_of_the_time():
    at = datetime(2026, 3, 2, 10, 15, 30, 123_456, tzinfo=UTC)
    for when in (at, at.astimezone(timezone(timedelta(hours=7)))):
        case = apply(requested(), "approve", S, when)
        assert case.history[-1].at == when
        assert case.history[-1].at.microsecond == when.microsecond
        assert case == reference_apply(requested(), "approve", S, when)
    before = datetime(1969, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC)
    opened = apply(fresh(RO), "request", B, before)
    assert opened.opened_at == before
    assert apply(opened, "approve", S, stamp(before)).last_event_at == before


def test_a_read_only_mapping_payload_is_validated_like_a_dict():
    given = {"refund": Money("3.00", "USD"), "note": "partial"}
    by_proxy = apply(fresh(RO), "request", B, T0, MappingProxyType(given))
    by_dict = apply(fresh(RO), "request", B, T0, given)
    assert by_proxy == by_dict
    assert by_proxy.requested.total == Money("3.00", "USD")
    offered = apply(
        requested(), "offer_partial_refund", S, H1, MappingProxyType({"amount": Money("5", "USD")})
    )
    assert offered.offer.refund.total == Money("5.00", "USD")
    assert offered == reference_apply(
        requested(), "offer_partial_refund", S, H1, {"amount": Money("5", "USD")}
    )


@pytest.mark.parametrize(
    ("kind", "event", "actor", "payload", "field"),
    [
        (RO, "offer_partial_refund", S, {"note": "half"}, "payload.amount"),
        (RO, "offer_partial_refund", S, {"amount": None}, "payload.amount"),
        (RR, "propose_alternative", S, {"note": "swap"}, "payload.solution"),
    ],
)
def test_a_payload_missing_a_required_field_is_refused_naming_it(
    kind, event, actor, payload, field
):
    case = requested(kind)
    for when in (H1, stamp(H1)):
        with pytest.raises(InvalidValue) as err:
            apply(case, event, actor, when, payload)
        e = err.value
        assert (e.field, e.value, e.reason) == (field, None, f"required by {event!r}")


def _with_verbatim_history(case):
    """``case`` with its history kept entry by entry (a read-only payload cannot be packed)."""
    entries = [
        attrs.evolve(e, payload=MappingProxyType(dict(e.payload or {"note": "kept as given"})))
        if i == 0
        else e
        for i, e in enumerate(case.history)
    ]
    kept = attrs.evolve(case, history=tuple(entries))
    assert type(kept.history) is not type(case.history)  # the verbatim kind, not packed
    return kept


def test_an_event_on_a_history_kept_verbatim_is_appended_as_on_the_checked_path():
    opened = _with_verbatim_history(apply(fresh(RequestType.REFUND_ONLY), "request", B, T0))
    at = T0 + timedelta(hours=1)
    fast = apply(opened, "approve", S, at)
    checked = _checked_apply(opened, "approve", S, at, None)
    assert fast == checked
    assert len(fast.history) == 2 and fast.history[-1].at == at
    assert [e.key for e in fast.effects] == [f"{opened.case_id}/2/issue_refund"]


def test_an_event_earlier_than_a_verbatim_history_is_refused():
    opened = _with_verbatim_history(apply(fresh(RequestType.REFUND_ONLY), "request", B, T0))
    with pytest.raises(EventOutOfOrder):
        apply(opened, "approve", S, T0 - timedelta(seconds=1))


def test_a_verbatim_history_keeps_the_offset_and_the_payload_of_a_new_entry():
    opened = _with_verbatim_history(apply(fresh(RequestType.RETURN_AND_REFUND), "request", B, T0))
    at = (T0 + timedelta(hours=2)).astimezone(timezone(timedelta(hours=7)))
    fast = apply(opened, "approve", S, at, {"buyer_keep_item": False})
    checked = _checked_apply(opened, "approve", S, at, {"buyer_keep_item": False})
    assert fast == checked
    entry = fast.history[-1]
    assert entry.at.utcoffset() == timedelta(hours=7)
    assert entry.payload == {"buyer_keep_item": False}
