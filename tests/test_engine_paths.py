"""Every way into the engine decides and builds the same case as the plain reference.

`apply` decides most events on the compiled table; a time that is a subclass of
``datetime`` (a pandas ``Timestamp``, a host's own type) goes through the checked
path one check at a time, and `dry_run` previews through the same checked path.
These tests sweep every reachable case of every request type (each order stage
that changes effects), every event the type declares plus one it does not, every
actor and several payloads, and require each path to agree with
``reference_engine.reference_apply`` exactly: the same case, or the same error
with the same fields and message.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, timedelta
from functools import cache
from typing import Any

import attrs
import pytest

from _engine import stamp
from builders import T0, payload_for, reachable_cases
from reference_engine import reference_apply
from tiktok_aftersales import (
    Actor,
    AfterSalesCase,
    AfterSalesError,
    Money,
    OrderStage,
    RequestType,
    apply,
    case_to_json,
    dry_run,
)
from tiktok_aftersales.domain import Disposition, PlatformDeadline, Solution
from tiktok_aftersales.errors import InvalidTransition
from tiktok_aftersales.lifecycle import LIFECYCLES, can_fire, choose_transition

# Stages whose effects differ: held from shipping, picked up by no carrier, delivered; the
# first two matter for the types that refund without a parcel coming back.
_STAGES = (OrderStage.NOT_SHIPPED, OrderStage.SHIPPED_NOT_PICKED_UP, OrderStage.DELIVERED)
_HOLDS = frozenset(
    {RequestType.REFUND_ONLY, RequestType.BUYER_CANCELLATION, RequestType.SELLER_REFUND}
)


@cache
def _cases(kind: RequestType) -> tuple[AfterSalesCase, ...]:
    found: list[AfterSalesCase] = []
    for stage in _STAGES if kind in _HOLDS else _STAGES[-1:]:
        found.extend(_noted(case) for case in reachable_cases(kind, stage).values())
    return tuple(found)


def _noted(case: AfterSalesCase) -> AfterSalesCase:
    """The case with what a host and sync add: a platform deadline, a review mark, a
    confirmed effect and the newest platform time (each must survive an event or, for
    the deadline, end with the state it was announced for)."""
    at = (case.last_event_at or T0).astimezone(UTC)
    return attrs.evolve(
        case,
        platform_deadline=PlatformDeadline(case.state, "respond", at + timedelta(days=2)),
        review="amount differs from the platform",
        effects_done=frozenset(e.key for e in case.effects[:1]),
        platform_time=at - timedelta(minutes=1),
    )


def _events(case: AfterSalesCase) -> tuple[str, ...]:
    """The events declared from the case's state, and two it has not there."""
    here = [t.event for t in LIFECYCLES[case.request_type].from_state(case.state)]
    return tuple(dict.fromkeys([*here, "close_arbitration", "ship_back"]))


def _payloads(event: str, case: AfterSalesCase) -> Iterator[Any]:
    yield None
    base = payload_for(event, case, Solution.REPLACEMENT)
    if base is not None:
        yield base
    if event == "approve":
        yield {"buyer_keep_item": True, "note": "keep it"}
    elif event == "reship":
        yield {"mode": "replacement"}
        yield {"mode": "missing_items", "line_ids": ["L2"]}
    elif event == "parcel_delivered":
        yield {"disposition": Disposition.DAMAGED}
    elif event == "request":
        yield {"refund": Money("3.00", case.currency)}
    elif event == "offer_partial_refund":
        yield {"amount": Money("999.00", case.currency)}


def _outcome(fn: Any, *args: Any) -> Any:
    try:
        return fn(*args)
    except AfterSalesError as exc:
        return exc


def _same_error(got: Any, want: Exception) -> None:
    assert type(got) is type(want), (got, want)
    assert got.args == want.args
    assert vars(got) == vars(want)


def _same_case(got: Any, want: AfterSalesCase) -> None:
    assert isinstance(got, AfterSalesCase), got
    assert got == want
    assert list(got.history) == list(want.history)
    assert got.effects == want.effects
    assert case_to_json(got) == case_to_json(want)


def sweep(kind: RequestType) -> int:
    """Apply every combination on each path; return how many were compared."""
    compared = 0
    for case in _cases(kind):
        at = (case.last_event_at or T0).astimezone(UTC) + timedelta(minutes=7)
        for event in _events(case):
            for actor in Actor:
                for payload in _payloads(event, case):
                    want = _outcome(reference_apply, case, event, actor, at, payload)
                    fast = _outcome(apply, case, event, actor, at, payload)
                    slow = _outcome(apply, case, event, actor.value, stamp(at), payload)
                    preview = _outcome(dry_run, case, event, actor, at, payload)
                    legal = can_fire(case, event, actor, payload)
                    if isinstance(want, Exception):
                        for got in (fast, slow, preview):
                            _same_error(got, want)
                        assert legal is not isinstance(want, InvalidTransition)
                    else:
                        _same_case(fast, want)
                        _same_case(slow, want)
                        assert preview.state is want.state
                        assert preview.arbitration is want.arbitration
                        assert preview.effects == want.effects[len(case.effects) :]
                        assert preview.transition is choose_transition(case, event, actor, payload)
                        assert legal
                    compared += 1
    return compared


@pytest.mark.parametrize("kind", list(RequestType), ids=str)
def test_the_fast_path_the_checked_path_and_dry_run_agree_with_the_reference(kind):
    assert sweep(kind) > 0
