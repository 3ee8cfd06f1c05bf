"""The service under an adversarial host: a hypothesis state machine over the in-memory fakes.

Several cases live on one order (buyer requests known by platform id, a seller refund).
Webhooks for them arrive shuffled, duplicated and with clock skew through the one way in
(:meth:`AfterSalesService.receive`); the seller clicks (some commands repeated); the
clock ticks; ports fail in the middle of a dispatch and pending effects are dispatched
again. After every step no invariant is broken, and once the ports are healthy again
every effect is carried out exactly once. Budgets: ``tests/_budget.py``.
"""

from __future__ import annotations

import contextlib
import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from _budget import stateful
from builders import payload_for
from tiktok_aftersales import (
    Actor,
    AfterSalesError,
    Breakdown,
    EffectKind,
    OrderLine,
    OrderStage,
    Refund,
    allowed_events,
    is_terminal,
)
from tiktok_aftersales.app import WebhookSettings
from tiktok_aftersales.app.testing import in_memory_service
from tiktok_aftersales.domain import Solution
from tiktok_aftersales.platform import sign
from tiktok_aftersales.sync import opener

APP_KEY, SECRET = "app-key", "signing-secret"
T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
ORDER = "577000000000000001"
LINES = [
    OrderLine("L1", "MUG-01", Breakdown.of("20.00", "USD", tax="1.60")),
    OrderLine("L2", "TEE-02", Breakdown.of("9.99", "USD", shipping="2.00")),
]
PAID = {x.line_id: x.paid.total.amount for x in LINES}
BUYER_CASES = {"c-1": "4035000000000000001", "c-2": "4035000000000000002"}
# what the platform says of each buyer request, in platform-time order
STORIES = [
    ("RETURN_OR_REFUND_REQUEST_PENDING",),
    ("RETURN_OR_REFUND_REQUEST_PENDING", "RETURN_OR_REFUND_REQUEST_SUCCESS"),
    ("RETURN_OR_REFUND_REQUEST_PENDING", "RETURN_OR_REFUND_REQUEST_REJECT"),
    ("RETURN_OR_REFUND_REQUEST_PENDING", "RETURN_OR_REFUND_REQUEST_CANCEL"),
    (
        "RETURN_OR_REFUND_REQUEST_PENDING",
        "RETURN_OR_REFUND_REQUEST_SUCCESS",
        "RETURN_OR_REFUND_REQUEST_COMPLETE",
    ),
]
INVENTORY_KINDS = {
    EffectKind.RELEASE_STOCK,
    EffectKind.STOCK_IN,
    EffectKind.MANUAL_STOCK_IN,
    EffectKind.BLOCK_SHIPPING,
    EffectKind.UNBLOCK_SHIPPING,
}


RETURN_STORIES = [
    ("RETURN_OR_REFUND_REQUEST_PENDING", "AWAITING_BUYER_SHIP", "BUYER_SHIPPED_ITEM"),
    (
        "RETURN_OR_REFUND_REQUEST_PENDING",
        "AWAITING_BUYER_SHIP",
        "BUYER_SHIPPED_ITEM",
        "RETURN_OR_REFUND_REQUEST_SUCCESS",
        "RETURN_OR_REFUND_REQUEST_COMPLETE",
    ),
    ("RETURN_OR_REFUND_REQUEST_PENDING", "AWAITING_BUYER_SHIP", "RETURN_OR_REFUND_REQUEST_CANCEL"),
]


def _body(nid: str, platform_id: str, status: str, update: int, kind: str = "REFUND") -> bytes:
    return json.dumps(
        {
            "type": 12,
            "tts_notification_id": nid,
            "shop_id": "7490000000000000001",
            "timestamp": update + 5,
            "data": {
                "order_id": ORDER,
                "return_role": "BUYER",
                "return_type": kind,
                "return_status": status,
                "return_id": platform_id,
                "create_time": int(T0.timestamp()),
                "update_time": update,
            },
        }
    ).encode()


class ServiceLife(RuleBasedStateMachine):
    """One order, several cases, an unreliable world; the service keeps its promises."""

    @initialize(
        stories=st.tuples(st.sampled_from(STORIES), st.sampled_from(STORIES + RETURN_STORIES)),
        partial=st.booleans(),
        seller_refund=st.booleans(),
        shipped=st.booleans(),
    )
    def open_the_order(self, stories, partial, seller_refund, shipped) -> None:
        stage = OrderStage.DELIVERED if shipped else OrderStage.NOT_SHIPPED
        second_is_return = stories[1] in RETURN_STORIES
        self.service, self.ports = in_memory_service(
            start=T0,
            webhooks=WebhookSettings(APP_KEY, SECRET, tolerance=timedelta(hours=2)),
            opener=opener("US"),
            available={"MUG-01": 5, "TEE-02": 5},
            allocated={"MUG-01": 1, "TEE-02": 1},
        )
        self.terminal: set[str] = set()
        self.bodies: list[bytes] = []
        base = int(T0.timestamp())
        for (case_id, platform_id), story in zip(BUYER_CASES.items(), stories, strict=True):
            refund = (
                Refund.line(LINES, "L1" if case_id == "c-1" else "L2")
                if partial
                else Refund.order(LINES)
            )
            kind = "return_and_refund" if case_id == "c-2" and second_is_return else "refund_only"
            self.service.open(
                kind,
                case_id=case_id,
                order_id=ORDER,
                region="US",
                lines=LINES,
                order_stage=stage if kind == "refund_only" else OrderStage.DELIVERED,
                platform_id=platform_id,
                payload={"refund": refund},
            )
            for k, status in enumerate(story):
                nid = f"n-{platform_id[-1]}-{k}"
                wire = "RETURN_AND_REFUND" if kind == "return_and_refund" else "REFUND"
                self.bodies.append(_body(nid, platform_id, status, base + 600 * (k + 1), wire))
        if seller_refund:
            # refused by the ledger or a port: nothing stored, or stored and pending
            with contextlib.suppress(AfterSalesError):
                self.service.open(
                    "seller_refund",
                    case_id="s-1",
                    order_id=ORDER,
                    region="US",
                    lines=LINES,
                    payload={"refund": Refund.line(LINES, "L2")},
                )
        self.commands: list[str] = []

    # --- the world --------------------------------------------------------------------------

    @rule(data=st.data(), skew=st.integers(min_value=-3600, max_value=3600))
    def a_webhook_arrives(self, data, skew) -> None:
        body = data.draw(st.sampled_from(self.bodies))  # any order, any number of times
        stamp = json.loads(body)["timestamp"]
        received = datetime.fromtimestamp(stamp + skew, UTC)
        headers = {"Authorization": sign(APP_KEY, body, SECRET)}
        if data.draw(st.booleans()):
            headers = {"Authorization": headers["Authorization"][:-2] + "00"}
        delivery = self.service.receive(body, headers, received)
        assert delivery.outcome is not None

    @rule(data=st.data(), again=st.booleans(), seller=st.booleans())
    def a_command_comes_in(self, data, again, seller) -> None:
        """The seller clicks, or the host applies an event it learned (any allowed actor)."""
        cases = list(self.ports.store)
        if not cases:
            return
        case = data.draw(st.sampled_from(cases))
        choices = [
            (a.event, actor)
            for a in allowed_events(case, Actor.SELLER if seller else None)
            for actor in a.actors
        ]
        if not choices:
            return
        event, actor = data.draw(st.sampled_from(choices))
        payload = dict(payload_for(event, case, Solution.RESHIPMENT) or {})
        if event in ("reject", "reject_receipt"):
            payload["reject_reason"] = "seller_reject_apply_product_has_been_used"
        if again and self.commands:
            command_id = data.draw(st.sampled_from(self.commands))
        else:
            command_id = f"cmd-{len(self.commands)}"
            self.commands.append(command_id)
        # refused, duplicate, over the order, or a port failed after the save
        with contextlib.suppress(AfterSalesError):
            self.service.handle_command(
                case.case_id, event, actor, payload or None, command_id=command_id
            )

    @rule(hours=st.sampled_from([0, 1, 24, 24 * 3, 24 * 8]))
    def the_clock_ticks(self, hours) -> None:
        self.ports.clock.advance(hours=hours, minutes=1)
        with contextlib.suppress(AfterSalesError):
            self.service.tick()

    @rule(times=st.integers(min_value=1, max_value=3), platform=st.booleans())
    def a_port_goes_down(self, times, platform) -> None:
        (self.ports.platform if platform else self.ports.inventory).fail(times)

    @precondition(lambda self: hasattr(self, "ports"))
    @rule(data=st.data())
    def pending_effects_are_dispatched_again(self, data) -> None:
        cases = list(self.ports.store)
        if not cases:
            return
        case = data.draw(st.sampled_from(cases))
        with contextlib.suppress(AfterSalesError):
            self.service.dispatch_pending(case.case_id)

    # --- what always holds ------------------------------------------------------------------

    @invariant()
    def the_order_never_refunds_more_than_paid(self) -> None:
        """Nothing the library decides goes over; what the platform reports over is flagged.

        The platform's word is what happened: a refund it reports beyond what the order has
        left is recorded, with the case put under review naming the order ledger.
        """
        held = dict.fromkeys(PAID, Decimal(0))
        for case in self.ports.store:
            issued = [e for e in case.effects if e.kind is EffectKind.ISSUE_REFUND]
            assert len(issued) <= 1, f"{case.case_id}: a refund issued twice"
            flagged = case.review is not None and case.review.startswith("order ledger")
            if case.refund is not None and not flagged:
                for part in case.refund.lines:
                    held[part.line_id] += part.amount.total_amount
        for line_id, amount in held.items():
            assert amount <= PAID[line_id], f"{line_id}: {amount} of {PAID[line_id]}"

    @invariant()
    def terminal_cases_stay_terminal(self) -> None:
        for case in self.ports.store:
            if case.case_id in self.terminal:
                assert is_terminal(case), f"{case.case_id} left a terminal state"
            elif is_terminal(case):
                self.terminal.add(case.case_id)

    @invariant()
    def no_effect_is_carried_out_twice(self) -> None:
        keys = Counter(op.key for op in self.ports.inventory.operations)
        assert not [k for k, n in keys.items() if n > 1]
        calls = [r.idempotency_key for r in self.ports.platform.requests]
        assert len(calls) == len(set(calls))

    def teardown(self) -> None:
        if not hasattr(self, "ports"):
            return
        self.ports.platform.fail(0)
        self.ports.inventory.fail(0)
        for case in list(self.ports.store):
            with contextlib.suppress(AfterSalesError):  # a refusal settles the call under review
                self.service.dispatch_pending(case.case_id)
        effects = [e for case in self.ports.store for e in case.effects]
        for case in self.ports.store:
            assert not case.pending_effects, f"{case.case_id}: {case.pending_effects}"
        inventory = sorted(e.key for e in effects if e.kind in INVENTORY_KINDS)
        assert sorted(op.key for op in self.ports.inventory.operations) == inventory
        calls = [e for e in effects if e.kind is EffectKind.PLATFORM_CALL]
        assert len(self.ports.platform.requests) == len(calls)


TestServiceLife = ServiceLife.TestCase
TestServiceLife.settings = stateful(40, 30)
