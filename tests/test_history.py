"""A packed history reads, compares and round-trips like the tuple of events it stands for."""

from __future__ import annotations

import copy
import pickle
from datetime import UTC, datetime, timedelta, timezone

import attrs

from builders import T0, fresh
from tiktok_aftersales import Actor, AppliedEvent, State, apply, case_from_json, case_to_json
from tiktok_aftersales.domain import Event, RequestType
from tiktok_aftersales.domain.history import History, as_history


def _case():
    case = fresh(RequestType.REFUND_ONLY)
    case = apply(case, "request", Actor.BUYER, T0)
    case = apply(case, "reject", Actor.SELLER, T0 + timedelta(hours=1), {"reason": "late"})
    return apply(case, "dispute", Actor.BUYER, T0 + timedelta(hours=2))


def test_history_reads_as_a_sequence_of_applied_events() -> None:
    case = _case()
    items = tuple(case.history)
    assert isinstance(case.history, History)
    assert len(case.history) == 3
    assert case.history == items
    assert items == case.history
    assert case.history[0] == AppliedEvent(1, Event.REQUEST, Actor.BUYER, T0, State.REQUESTED)
    assert case.history[-1].seq == 3
    assert case.history[1].payload == {"reason": "late"}
    assert case.history[:2] == items[:2]
    assert list(reversed(case.history)) == list(reversed(items))
    assert case.history[1] in case.history
    assert hash(as_history(items[:1])) == hash(items[:1])
    assert isinstance(case.history, tuple)
    assert case.history.index(items[2]) == 2
    assert case.history.count(items[0]) == 1
    assert case.history + () == items  # noqa: RUF005 (the operator itself)
    assert () + case.history == items  # noqa: RUF005
    assert list(case.history * 1) == list(items)
    assert attrs.asdict(case)["history"] == tuple(attrs.asdict(x) for x in items)
    assert copy.copy(case.history) is case.history


def test_a_case_rebuilt_from_a_tuple_history_is_equal_and_packed_the_same() -> None:
    case = _case()
    again = attrs.evolve(case, history=tuple(case.history))
    assert again == case
    assert again.history == case.history
    assert case_from_json(case_to_json(case)) == case
    assert pickle.loads(pickle.dumps(case)) == case
    assert copy.deepcopy(case) == case


def test_entries_that_cannot_be_packed_are_kept_verbatim() -> None:
    odd = (AppliedEvent(7, Event.REQUEST, Actor.BUYER, T0, State.REQUESTED),)
    history = as_history(odd)
    assert history == odd
    assert history[0].seq == 7
    naive = (AppliedEvent(1, Event.REQUEST, Actor.BUYER, datetime(2026, 1, 1), State.REQUESTED),)
    assert as_history(naive)[0].at == datetime(2026, 1, 1)


def test_times_keep_their_offset_and_compare_by_instant() -> None:
    plus8 = timezone(timedelta(hours=8))
    at = datetime(2026, 3, 2, 17, 0, tzinfo=plus8)
    one = as_history((AppliedEvent(1, Event.REQUEST, Actor.BUYER, at, State.REQUESTED),))
    other = as_history(
        (AppliedEvent(1, Event.REQUEST, Actor.BUYER, at.astimezone(UTC), State.REQUESTED),)
    )
    assert one[0].at.tzinfo is plus8
    assert one == other
