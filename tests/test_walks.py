"""Random lifecycle walks over one order's cases: no invariant is ever broken.

Each walk opens one to four cases on one order and fires random events (mostly legal
ones, some arbitrary) from random actors through :func:`apply_on_order`. After every
step: the order never refunds more than paid per line or in total, a terminal case stays
terminal, a refusal leaves every case as it was, history and effects only grow, and no
refund is issued twice. Walks are seeded; a failure names its seed. Budgets:
``tests/_budget.py``.
"""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

import pytest

from _budget import count
from builders import T0, usd_lines
from tiktok_aftersales import (
    Actor,
    AfterSalesCase,
    AfterSalesError,
    EffectKind,
    Event,
    Money,
    OrderStage,
    Refund,
    RequestType,
    allowed_events,
    case_to_json,
)
from tiktok_aftersales.domain import AbnormalReason, Solution, new_case
from tiktok_aftersales.lifecycle import lifecycle
from tiktok_aftersales.lifecycle.orders import apply_on_order

ORDER = "577000000000000001"
WALKS = 60  # per shard, times the budget scale
SHARDS = 5


def _payload(rng: random.Random, event: str, case: AfterSalesCase):
    if event == "offer_partial_refund":
        return {"amount": Money(f"{rng.randint(1, 3500) / 100:.2f}", case.currency)}
    if event == "propose_alternative":
        return {"solution": rng.choice([Solution.RESHIPMENT, Solution.REPLACEMENT])}
    if event == "detect_return":
        return {"reason": AbnormalReason.REFUSED_DELIVERY}
    if event in ("initiate_refund", "request") and rng.random() < 0.7:
        line = rng.choice(case.lines)
        kind = rng.random()
        if kind < 0.4:
            return {"refund": Refund.line(case.lines, line.line_id)}
        if kind < 0.8:
            cents = rng.randint(1, int(line.paid.total.amount * 100) + 200)
            return {"refund": Refund.partial(line.line_id, Money(Decimal(cents) / 100, "USD"))}
        return {"refund": Refund.order(case.lines)}
    if event == "approve" and rng.random() < 0.3:
        return {"buyer_keep_item": rng.random() < 0.5}
    return None


def _refunds_issued(case: AfterSalesCase) -> list[Decimal]:
    return [e.amount.amount for e in case.effects if e.kind is EffectKind.ISSUE_REFUND and e.amount]


def _check_order(cases: list[AfterSalesCase | None]) -> None:
    lines = {x.line_id: x.paid.total.amount for x in usd_lines()}
    held = dict.fromkeys(lines, Decimal(0))
    for case in cases:
        if case is None:
            continue
        issued = _refunds_issued(case)
        assert len(issued) <= 1, f"{case.case_id}: a refund issued twice"
        if case.refund is not None:
            for part in case.refund.lines:
                held[part.line_id] += part.amount.total_amount
    for line_id, amount in held.items():
        assert amount <= lines[line_id], f"line {line_id}: {amount} refunded of {lines[line_id]}"
    assert sum(held.values()) <= sum(lines.values())


def _walk(seed: int) -> int:
    rng = random.Random(seed)
    n = rng.randint(1, 4)
    kinds = [rng.choice(list(RequestType)) for _ in range(n)]
    stage = rng.choice(list(OrderStage))
    cases: list[AfterSalesCase] = [
        new_case(
            k, case_id=f"c{i}", order_id=ORDER, region="US", lines=usd_lines(), order_stage=stage
        )
        for i, k in enumerate(kinds)
    ]
    terminal = [False] * n
    at = T0
    steps = 0
    for _ in range(rng.randint(5, 40)):
        i = rng.randrange(n)
        case = cases[i]
        at = at + timedelta(minutes=rng.choice([0, 1, 5, 60, 60 * 24, 60 * 24 * 8]))
        legal = [(a.event, actor) for a in allowed_events(case) for actor in a.actors]
        if legal and rng.random() < 0.85:
            event, actor = rng.choice(legal)
        else:
            event, actor = rng.choice(list(Event)), rng.choice(list(Actor))
        payload = _payload(rng, event, case)
        pictures = [case_to_json(c) for c in cases]
        others = [c for j, c in enumerate(cases) if j != i]
        try:
            after = apply_on_order(case, others, event, actor, at, payload)
        except AfterSalesError:
            assert [case_to_json(c) for c in cases] == pictures, f"seed {seed}: input changed"
            continue
        assert not terminal[i], f"seed {seed}: terminal {case.state} moved on {event}"
        assert after.version == case.version + 1
        assert after.history[: len(case.history)] == case.history
        assert after.effects[: len(case.effects)] == case.effects
        cases[i] = after
        terminal[i] = after.state in lifecycle(after.request_type).terminal
        steps += 1
        try:
            _check_order(list(cases))
        except AssertionError as error:
            raise AssertionError(f"seed {seed}, after {event} by {actor}: {error}") from None
    return steps


@pytest.mark.parametrize("shard", range(SHARDS))
def test_random_walks_over_one_order_never_break_an_invariant(shard):
    total = 0
    for k in range(count(WALKS)):
        total += _walk(shard * 1_000_003 + k)
    assert total > 0, "no walk fired a single event"
