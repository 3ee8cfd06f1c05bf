"""Random events, legal and illegal, from random actors: the invariants always hold."""

from __future__ import annotations

import copy
from datetime import timedelta
from decimal import Decimal

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from builders import T0, fresh, payload_for
from tiktok_aftersales import (
    Actor,
    AfterSalesCase,
    AfterSalesError,
    EffectKind,
    Money,
    OrderStage,
    RequestType,
    State,
    allowed_events,
    apply,
)
from tiktok_aftersales.domain import Solution, check_refund
from tiktok_aftersales.lifecycle import EVENTS, lifecycle


class CaseLife(RuleBasedStateMachine):
    """Drive one case with arbitrary events and check it after every step."""

    case: AfterSalesCase

    @initialize(
        kind=st.sampled_from(list(RequestType)),
        stage=st.sampled_from(list(OrderStage)),
    )
    def open(self, kind: RequestType, stage: OrderStage) -> None:
        self.case = fresh(kind, stage)
        self.at = T0
        self.was_terminal = False

    @rule(
        event=st.sampled_from(sorted(EVENTS)),
        actor=st.sampled_from(list(Actor)),
        minutes=st.integers(min_value=-30, max_value=3000),
        with_payload=st.booleans(),
        solution=st.sampled_from(list(Solution)),
        amount=st.decimals(min_value=Decimal("-5"), max_value=Decimal("60"), places=2),
    )
    def fire(self, event, actor, minutes, with_payload, solution, amount) -> None:
        before = self.case
        frozen_copy = copy.deepcopy(before)
        at = self.at + timedelta(minutes=minutes)
        payload = payload_for(event, before, solution) if with_payload else None
        if with_payload and event == "offer_partial_refund":
            payload = {"amount": Money(amount, before.currency)}
        try:
            after = apply(before, event, actor, at, payload)
        except AfterSalesError:
            assert before == frozen_copy
            assert self.case is before
            return
        assert not self.was_terminal, "a terminal state moved"
        assert len(after.history) == len(before.history) + 1
        assert after.version == before.version + 1
        assert after.history[: len(before.history)] == before.history
        assert after.effects[: len(before.effects)] == before.effects
        assert after.history[-1].at == at
        assert before.last_event_at is None or at >= before.last_event_at
        self.case = after
        self.at = at

    @rule(data=st.data(), minutes=st.integers(min_value=0, max_value=3000))
    def fire_a_legal_event(self, data, minutes) -> None:
        choices = [(a.event, actor) for a in allowed_events(self.case) for actor in a.actors]
        if not choices:
            return
        event, actor = data.draw(st.sampled_from(choices))
        solution = data.draw(st.sampled_from([Solution.RESHIPMENT, Solution.REPLACEMENT]))
        at = self.at + timedelta(minutes=minutes)
        before = self.case
        try:
            after = apply(before, event, actor, at, payload_for(event, before, solution))
        except AfterSalesError:
            return  # e.g. a guard that reads the payload; the case must be untouched
        assert len(after.history) == len(before.history) + 1
        self.case = after
        self.at = at

    @invariant()
    def refunds_never_exceed_what_was_paid(self) -> None:
        case = getattr(self, "case", None)
        if case is None:
            return
        paid = sum((line.paid.total.amount for line in case.lines), Decimal(0))
        refunded = sum(
            (
                e.amount.amount
                for e in case.effects
                if e.kind is EffectKind.ISSUE_REFUND and e.amount
            ),
            Decimal(0),
        )
        assert 0 <= refunded <= paid
        refunds = [e for e in case.effects if e.kind is EffectKind.ISSUE_REFUND]
        assert len(refunds) <= 1, "a refund was issued twice"
        if case.refund is not None:
            check_refund(case.refund, case.lines)

    @invariant()
    def terminal_states_stay_terminal(self) -> None:
        case = getattr(self, "case", None)
        if case is None:
            return
        if case.state in lifecycle(case.request_type).terminal:
            self.was_terminal = True
        assert case.state in lifecycle(case.request_type).states
        assert (case.state is State.NEW) == (not case.history)


TestCaseLife = CaseLife.TestCase
TestCaseLife.settings = settings(max_examples=150, stateful_step_count=40, deadline=None)
