"""Builders shared by the core tests: orders, cases, and paths through the declaration."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from tiktok_aftersales import (
    Actor,
    AfterSalesCase,
    Breakdown,
    Money,
    OrderLine,
    OrderStage,
    Refund,
    RequestType,
    State,
    apply,
)
from tiktok_aftersales.domain import (
    AbnormalReason,
    Arbitration,
    Solution,
    new_case,
)
from tiktok_aftersales.lifecycle import allowed_events, lifecycle

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def usd_lines() -> list[OrderLine]:
    return [
        OrderLine("L1", "TSHIRT-BLUE-M", Breakdown.of("19.99", "USD", shipping="2.00", tax="1.61")),
        OrderLine("L2", "MUG-01", Breakdown.of("10.00", "USD", tax="0.80")),
    ]


def fresh(
    request_type: RequestType,
    stage: OrderStage = OrderStage.DELIVERED,
    case_id: str = "case-1",
    region: str = "US",
) -> AfterSalesCase:
    return new_case(
        request_type,
        case_id=case_id,
        order_id="577000000000000001",
        region=region,
        lines=usd_lines(),
        order_stage=stage,
    )


def payload_for(
    event: str, case: AfterSalesCase, solution: Solution | None = None
) -> Mapping[str, Any] | None:
    """A valid payload for ``event`` on ``case`` (None when none is needed)."""
    if event == "offer_partial_refund":
        return {"amount": Money("5.00", case.currency)}
    if event == "propose_alternative":
        return {"solution": solution or Solution.RESHIPMENT}
    if event == "detect_return":
        return {"reason": AbnormalReason.REFUSED_DELIVERY}
    if event == "refund_after_inspection":
        return {"amount": Money("5.00", case.currency)}
    if event == "initiate_refund":
        return {"refund": Refund.line(case.lines, case.lines[0].line_id)}
    return None


Key = tuple[State, Arbitration, Solution | None]


def _key(case: AfterSalesCase) -> Key:
    return (case.state, case.arbitration, case.offer.solution if case.offer else None)


def reachable_cases(
    request_type: RequestType, stage: OrderStage = OrderStage.DELIVERED
) -> dict[Key, AfterSalesCase]:
    """One case per reachable (state, arbitration, offer) of a type, by shortest paths."""
    start = fresh(request_type, stage)
    found: dict[Key, AfterSalesCase] = {_key(start): start}
    todo = deque([start])
    while todo:
        case = todo.popleft()
        at = (case.last_event_at or T0) + timedelta(minutes=1)
        for allowed in allowed_events(case):
            solutions: tuple[Solution | None, ...] = (None,)
            if allowed.event == "propose_alternative":
                solutions = (Solution.RESHIPMENT, Solution.REPLACEMENT)
            for actor in allowed.actors:
                for solution in solutions:
                    try:
                        nxt = apply(
                            case,
                            allowed.event,
                            actor,
                            at,
                            payload_for(allowed.event, case, solution),
                        )
                    except Exception:
                        continue
                    k = _key(nxt)
                    if k not in found:
                        found[k] = nxt
                        todo.append(nxt)
    return found


def walk(
    case: AfterSalesCase, *steps: tuple[str, Actor] | tuple[str, Actor, Mapping[str, Any]]
) -> Iterator[AfterSalesCase]:
    """Apply steps one minute apart, yielding the case after each."""
    at = case.last_event_at or T0
    for step in steps:
        at = at + timedelta(minutes=1)
        payload = step[2] if len(step) == 3 else None  # type: ignore[misc]
        case = apply(case, step[0], step[1], at, payload)
        yield case


def run(case: AfterSalesCase, *steps: Any) -> AfterSalesCase:
    last = case
    for last in walk(case, *steps):  # noqa: B007
        pass
    return last


def all_types() -> list[RequestType]:
    return list(RequestType)


def terminal(case: AfterSalesCase) -> bool:
    return case.state in lifecycle(case.request_type).terminal
