"""The service's orchestration, written once as steps: commands, openings, ticks, updates.

Each function here is a generator that yields
[steps][tiktok_aftersales.app.steps] and returns the answer; it does no I/O
and reads no clock (time is a [`Now`][tiktok_aftersales.app.steps.Now]
step or an argument). The shells
([`AfterSalesService`][tiktok_aftersales.app.service.AfterSalesService],
[`AsyncAfterSalesService`][tiktok_aftersales.app.async_service.AsyncAfterSalesService])
run them against their ports; the public methods' documentation is on the
shells.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

import attrs

from ..deadlines.clock import advance
from ..deadlines.opening import checked_opening
from ..deadlines.policy import DEFAULT_POLICY, Policy
from ..domain.case import AfterSalesCase
from ..domain.effects import Effect, EffectKind
from ..domain.money import OrderLine
from ..domain.vocabulary import Actor, OrderStage, OrderStatus, Region, RequestType, State
from ..errors import (
    AfterSalesError,
    CaseExists,
    ConcurrencyConflict,
    DispatchFailed,
    DuplicateCommand,
    InvalidValue,
    OrderOverRefund,
    TickFailed,
    UnknownCase,
)
from ..lifecycle import apply, check_order, is_terminal, open_case
from ..platform.calls import request_for, request_to_json
from ..platform.record import PlatformRecord
from .outbox import dispatch
from .steps import (
    Add,
    CaseIds,
    Load,
    LoadOrder,
    Now,
    OrderVersion,
    RunOpener,
    Save,
    Steps,
)

__all__ = [
    "COMMAND_ID",
    "Change",
    "Opener",
    "Settings",
    "dispatch_effect",
    "dispatch_pending",
    "handle_command",
    "now",
    "open_new",
    "open_record",
    "tick",
    "update",
]

COMMAND_ID = "command_id"
"""The payload key under which a command's id is kept in the case history."""

Opener = Callable[[PlatformRecord], Any]
"""How the service opens a case for a record of an unknown request.

See [`tiktok_aftersales.sync.opener`][tiktok_aftersales.sync.opener]. The asyncio
service also takes an ``async def`` opener."""

Change = Callable[[AfterSalesCase, tuple[AfterSalesCase, ...]], AfterSalesCase]
"""``change(case, order_cases)``: the new case (the same object when nothing changes)."""


@attrs.frozen
class Settings:
    """What the orchestration needs to know of a shell's configuration (read per call).

    Attributes:
        policy: The deadline policy ticks advance with.
        has_opener: Whether the shell has an opener for records of requests it does not know.
        has_log: Whether the shell has a notification log.
        handled: The effect kinds the host passed a handler for.
        max_attempts: Attempts per update when another writer saved first.

    """

    policy: Policy = DEFAULT_POLICY
    has_opener: bool = False
    has_log: bool = False
    handled: frozenset[EffectKind] = frozenset()
    max_attempts: int = 3


def check_settings(max_attempts: object, handlers: Mapping[Any, Any] | None) -> None:
    """Refuse a malformed ``max_attempts`` or ``handlers`` (both shells check the same way).

    Raises:
        InvalidValue: ``max_attempts`` is not a whole number of at least 1, or
            a handler's key is not an ``EffectKind``.

    """
    if isinstance(max_attempts, bool) or not isinstance(max_attempts, int) or max_attempts < 1:
        raise InvalidValue("max_attempts", max_attempts, "a whole number, at least 1")
    for kind in handlers or {}:
        if not isinstance(kind, EffectKind):
            raise InvalidValue("handlers", kind, "keys must be EffectKind members")


def settings_of(shell: Any) -> Settings:
    """A shell's configuration as it is now (a host may swap a port or a handler between calls).

    Args:
        shell: A sync or asyncio service: it has ``policy``, ``opener``,
            ``notifications``, ``handlers`` and ``max_attempts``.

    Returns:
        The `Settings` the orchestration reads for one call.

    """
    return Settings(
        shell.policy,
        shell.opener is not None,
        shell.notifications is not None,
        frozenset(shell.handlers),
        shell.max_attempts,
    )


def now() -> Steps[datetime]:
    """Read the clock, and refuse a naive or non-datetime answer.

    Raises:
        InvalidValue: The clock answered something that is not a timezone-aware datetime.

    """
    when = yield Now()
    if not isinstance(when, datetime) or when.utcoffset() is None:
        raise InvalidValue("clock.now()", when, "a timezone-aware datetime")
    return when


def _find_command(case: AfterSalesCase, command_id: str) -> int | None:
    for item in case.history:
        if item.payload and item.payload.get(COMMAND_ID) == command_id:
            return item.seq
    return None


def with_call(before: AfterSalesCase, after: AfterSalesCase) -> AfterSalesCase:
    """``after`` with its seller event's outbound request in the outbox, first of its own."""
    request = request_for(before, after)
    if request is None:
        return after
    seq = after.history[-1].seq
    call = Effect(
        EffectKind.PLATFORM_CALL,
        f"{after.case_id}/{seq}/{EffectKind.PLATFORM_CALL.value}",
        after.case_id,
        after.order_id,
        call=request_to_json(request),
    )
    new = after.effects[len(before.effects) :]
    return attrs.evolve(after, effects=(*before.effects, call, *new))


def blank(case: AfterSalesCase) -> AfterSalesCase:
    """The case before its opening event (what a platform call is built against)."""
    return attrs.evolve(
        case,
        state=State.NEW,
        history=(),
        version=0,
        requested=None,
        refund=None,
        offer=None,
        effects=(),
    )


def update(case_id: str, change: Change, max_attempts: int = 3) -> Steps[AfterSalesCase]:
    """Load a case and its order, change it, save with both versions; redo on a conflict.

    Raises:
        UnknownCase: No such case.
        ConcurrencyConflict: Other writers won ``max_attempts`` times.

    """
    attempt = 0
    while True:
        attempt += 1
        case: AfterSalesCase = yield Load(case_id)
        version = yield OrderVersion(case.order_id)
        order = yield LoadOrder(case.order_id)
        after = change(case, order)
        if after.version == case.version:
            return case
        try:
            yield Save(after, case.version, version)
        except ConcurrencyConflict:
            if attempt >= max_attempts:
                raise
            continue
        return after


def open_new(
    settings: Settings,
    request_type: RequestType | str,
    *,
    case_id: str,
    order_id: str,
    region: Region | str,
    lines: Iterable[OrderLine],
    order_stage: OrderStage | str = OrderStage.DELIVERED,
    platform_id: str | None = None,
    actor: Actor | str | None = None,
    event: str | None = None,
    payload: Mapping[str, Any] | None = None,
    at: datetime | None = None,
    order_status: OrderStatus | str | None = None,
    ordered_at: datetime | None = None,
) -> Steps[AfterSalesCase]:
    """Open a new case, store it under its order's version, and dispatch its first effects.

    Given ``order_status``, the opening is checked against who may start what
    (and a pending buyer cancel gets its window) before anything is stored.
    """
    when = (yield from now()) if at is None else at
    attempt = 0
    while True:
        attempt += 1
        try:
            yield Load(case_id)
        except UnknownCase:
            pass
        else:
            raise CaseExists(case_id)
        case = open_case(
            request_type,
            case_id=case_id,
            order_id=order_id,
            region=region,
            lines=lines,
            at=when,
            actor=actor,
            event=event,
            order_stage=order_stage,
            platform_id=platform_id,
            payload=payload,
        )
        if order_status is not None:
            case = checked_opening(
                case, order_status, ordered_at=ordered_at, policy=settings.policy
            )
        version = yield OrderVersion(case.order_id)
        order = yield LoadOrder(case.order_id)
        check_order(None, case, case.history[0].event, order)
        case = with_call(blank(case), case)
        try:
            yield Add(case, version)
        except ConcurrencyConflict:
            if attempt >= settings.max_attempts:
                raise
            continue
        return (yield from dispatch(case, settings.handled, settings.max_attempts))


def handle_command(
    settings: Settings,
    case_id: str,
    event: str,
    actor: Actor | str,
    payload: Mapping[str, Any] | None = None,
    command_id: str | None = None,
    *,
    at: datetime | None = None,
) -> Steps[AfterSalesCase]:
    """Apply one command to a case, check the order ledger, save, and dispatch."""
    if command_id is not None and (not isinstance(command_id, str) or not command_id):
        raise InvalidValue("command_id", command_id, "a non-empty string")
    data: dict[str, Any] | None = None
    if payload is not None:
        if not isinstance(payload, Mapping):
            raise InvalidValue("payload", payload, "a mapping of field names to values")
        data = dict(payload)
    if command_id is not None:
        data = dict(data or {})
        given = data.setdefault(COMMAND_ID, command_id)
        if given != command_id:
            raise InvalidValue(f"payload.{COMMAND_ID}", given, "differs from command_id")
    when = (yield from now()) if at is None else at

    def change(case: AfterSalesCase, order: tuple[AfterSalesCase, ...]) -> AfterSalesCase:
        if command_id is not None:
            seq = _find_command(case, command_id)
            if seq is not None:
                raise DuplicateCommand(case.case_id, command_id, seq)
        after = apply(case, event, actor, when, data)
        check_order(case, after, event, order)
        return with_call(case, after)

    saved = yield from update(case_id, change, settings.max_attempts)
    return (yield from dispatch(saved, settings.handled, settings.max_attempts))


def tick_one(settings: Settings, case_id: str, when: datetime) -> Steps[AfterSalesCase]:
    """Advance one case to ``when`` with the policy, save it, and dispatch its effects."""
    policy = settings.policy

    def change(case: AfterSalesCase, order: tuple[AfterSalesCase, ...]) -> AfterSalesCase:
        after = advance(case, when, policy)
        if after.refund is not None and after.refund != case.refund:
            check_order(case, after, after.history[-1].event, order)
        return after

    saved = yield from update(case_id, change, settings.max_attempts)
    return (yield from dispatch(saved, settings.handled, settings.max_attempts))


def tick(
    settings: Settings, case_id: str | None = None
) -> Steps[AfterSalesCase | tuple[AfterSalesCase, ...]]:
    """Advance one case, or every stored case, to the clock's now (see the shells' ``tick``)."""
    when = yield from now()
    if case_id is not None:
        return (yield from tick_one(settings, case_id, when))
    changed: list[AfterSalesCase] = []
    failures: dict[str, AfterSalesError] = {}
    for cid in list((yield CaseIds())):
        try:
            before = yield Load(cid)
            if is_terminal(before) and not before.pending_effects:
                continue
            after = yield from tick_one(settings, cid, when)
        except DispatchFailed as exc:
            changed.append(exc.case)
            failures[cid] = exc
            continue
        except AfterSalesError as exc:
            failures[cid] = exc
            continue
        if after.version != before.version:
            changed.append(after)
    if failures:
        raise TickFailed(tuple(changed), failures)
    return tuple(changed)


def dispatch_pending(settings: Settings, case_id: str) -> Steps[AfterSalesCase]:
    """Carry out a case's pending effects again (after a failure or a crash)."""
    case = yield Load(case_id)
    return (yield from dispatch(case, settings.handled, settings.max_attempts))


def dispatch_effect(settings: Settings, case_id: str, key: str) -> Steps[AfterSalesCase]:
    """Carry out one pending effect of a case (by key), mark it done; nothing if it is done."""
    case = yield Load(case_id)
    return (yield from dispatch(case, settings.handled, settings.max_attempts, only=key))


def open_record(settings: Settings, record: PlatformRecord, received_at: datetime) -> Steps[Any]:
    """Open and store a case for a record of an unknown request, with the shell's opener.

    Returns the opener's result, its case stored and dispatched; ``None``
    without an opener. ``received_at`` is the record's arrival (kept for
    openers that need it; the default opener reads the record's own times).

    Raises:
        OrderOverRefund: The opened case would stake more than its order has left.
        CaseExists: The case id is taken.

    """
    del received_at  # the opener reads the record's own times
    if not settings.has_opener:
        return None
    result = yield RunOpener(record)
    case = getattr(result, "case", None)
    if not isinstance(case, AfterSalesCase):
        return result
    version = yield OrderVersion(case.order_id)
    order = yield LoadOrder(case.order_id)
    if case.refund is not None:
        try:
            check_order(None, case, case.history[0].event, order)
        except OrderOverRefund as exc:
            case = attrs.evolve(case, review=f"order ledger: {exc}")
    yield Add(case, version)
    stored = yield from dispatch(case, settings.handled, settings.max_attempts)
    return attrs.evolve(result, case=stored)
