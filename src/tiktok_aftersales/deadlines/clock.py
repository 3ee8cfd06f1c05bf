"""The clock: deadlines of a case, what is due at an instant, and advancing to it.

Pure functions of a case, an instant and a [`Policy`][tiktok_aftersales.deadlines.policy.Policy].
Nothing here reads the real clock: the instant is always an argument.

- The lifecycle declaration says which transition each window fires
  (``Transition.timeout``); the clock fires it as ``Actor.SYSTEM`` through
  [`apply`][tiktok_aftersales.lifecycle.engine.apply].
- A window starts when the case entered the state(s) the timeout waits in
  (for a timeout declared on several states, such as the ship-back window on
  "awaiting shipment" and "label issued", the earliest entry of the
  uninterrupted stay), or at the last ``starts_after`` event when the
  policy's rule names one.
- While arbitration is in progress no clock runs: the declaration's timeouts
  do not admit that sub-state (see
  [`HUMAN_ONLY_ARBITRATION`][tiktok_aftersales.lifecycle.table.HUMAN_ONLY_ARBITRATION]).
- A deadline announced by the platform (``case.platform_deadline``, from
  ``seller_next_action_response``) replaces the policy's for the seller's
  step while the case stays in the state it was announced for.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from functools import cache
from typing import Any, Literal, overload

import attrs

from ..domain.calendars import Duration, add_duration, require_aware
from ..domain.case import AfterSalesCase, PlatformDeadline
from ..domain.vocabulary import Actor, Event, RequestType, State, Window
from ..errors import InvalidValue
from ..lifecycle import LIFECYCLES, Lifecycle, Transition, apply
from .policy import DEFAULT_POLICY, WINDOW_ACTORS, Policy
from .shipback import return_method_of, ship_back_rule

__all__ = [
    "PLATFORM_ACTIONS",
    "AdvanceReport",
    "ArbitrationRow",
    "Deadline",
    "TimeoutRow",
    "advance",
    "arbitration_table",
    "due_events",
    "next_deadline",
    "running_deadlines",
    "timeout_table",
    "with_next_action_response",
    "with_platform_deadline",
]

DeadlineSource = Literal["policy", "platform"]


def _platform_actions() -> Mapping[str, Window]:
    """Derive each seller action's window from the vocabulary and the declaration.

    ``codes.SELLER_ACTION`` says in which canonical states the platform asks
    for each action; the declaration says which seller windows run there.
    """
    from types import MappingProxyType

    from ..codes import SELLER_ACTION, SellerActionCode

    out: dict[str, Window] = {}
    for code in SellerActionCode:
        windows = {
            t.timeout
            for key in SELLER_ACTION.reverse[code]
            for t in LIFECYCLES[key.request_type].timeouts_from(key.state)
            if t.timeout is not None and WINDOW_ACTORS[t.timeout] is Actor.SELLER
        }
        if len(windows) == 1:
            out[code.value] = windows.pop()
    return MappingProxyType(out)


PLATFORM_ACTIONS: Mapping[str, Window] = _platform_actions()
"""The window each ``seller_next_action_response[].action`` names (platform-api.md §2c, §2f).

An action not listed here (the platform adds values), or one naming a
window that is not open in the case's state, applies to every seller
window open in that state.
"""


@attrs.frozen
class Deadline:
    """A deadline running on a case now, and what happens when it expires.

    Attributes:
        window: The window.
        event: The event the clock fires at expiry.
        actor: Who must act before it (the party whose silence costs them).
        due: When it expires, a UTC instant.
        source: ``"policy"``, or ``"platform"`` when the platform announced it.
        target: The state the case moves to at expiry.
        started: When the window started (UTC).
        duration: The policy's length of the window (``None`` for a platform deadline).
        rule_source: Where the policy's number comes from, or the platform's action name.

    """

    window: Window
    event: str
    actor: Actor
    due: datetime
    source: DeadlineSource
    target: State
    started: datetime
    duration: Duration | None = None
    rule_source: str = ""


@attrs.frozen
class AdvanceReport:
    """What [`advance`][tiktok_aftersales.deadlines.clock.advance] did, with ``report=True``.

    Attributes:
        case: The case after every due expiry.
        fired: The deadlines that expired, in the order they fired.

    """

    case: AfterSalesCase
    fired: tuple[Deadline, ...]


@cache
def _timeouts(request_type: RequestType, state: State) -> tuple[Transition, ...]:
    return LIFECYCLES[request_type].timeouts_from(state)


def _window_start(case: AfterSalesCase, t: Transition) -> datetime:
    """When the case entered the states ``t`` waits in (its uninterrupted stay)."""
    history = case.history
    at = history[-1].at
    for item in reversed(history):
        if item.state not in t.sources:
            break
        at = item.at
    return at


def _anchor(case: AfterSalesCase, event: str) -> datetime | None:
    for item in reversed(case.history):
        if item.event == event:
            return item.at
    return None


def _platform_windows(case: AfterSalesCase, open_windows: Iterable[Window]) -> frozenset[Window]:
    pd = case.platform_deadline
    if pd is None or pd.state is not case.state:
        return frozenset()
    windows = frozenset(open_windows)
    named = PLATFORM_ACTIONS.get(pd.action)
    if named is not None and named in windows:
        return frozenset({named})
    return frozenset(w for w in windows if WINDOW_ACTORS[w] is Actor.SELLER)


def _check_policy(policy: Any) -> Policy:
    if not isinstance(policy, Policy):
        raise InvalidValue("policy", policy, "a Policy (see tiktok_aftersales.deadlines.policy)")
    return policy


def running_deadlines(
    case: AfterSalesCase, policy: Policy = DEFAULT_POLICY
) -> tuple[Deadline, ...]:
    """The deadlines running on ``case`` now, earliest first.

    None run on a terminal case, before the opening event, or while
    arbitration is in progress.

    Args:
        case: The case.
        policy: The window lengths; defaults to
            [`DEFAULT_POLICY`][tiktok_aftersales.deadlines.policy.DEFAULT_POLICY].

    Raises:
        InvalidValue: ``policy`` is not a [`Policy`][tiktok_aftersales.deadlines.policy.Policy].

    """
    policy = _check_policy(policy)
    if not case.history:
        return ()
    state = case.state
    candidates = [
        t
        for t in _timeouts(case.request_type, state)
        if case.arbitration in t.arbitration_from and (t.guard is None or t.guard.test(case, {}))
    ]
    if not candidates:
        return ()
    platform = _platform_windows(case, (t.timeout for t in candidates if t.timeout is not None))
    out = []
    for t in candidates:
        window = t.timeout
        assert window is not None
        started = _window_start(case, t)
        pd = case.platform_deadline
        if window in platform and pd is not None:
            due = pd.deadline.astimezone(UTC)
            out.append(
                Deadline(
                    window,
                    t.event,
                    WINDOW_ACTORS[window],
                    due,
                    "platform",
                    t.dest_from(state),
                    started.astimezone(UTC),
                    None,
                    pd.action,
                )
            )
            continue
        if window is Window.BUYER_SHIP_BACK:  # by return method, when the case says
            rule = ship_back_rule(
                case.region,
                return_method_of(case),
                policy,
                request_type=case.request_type,
            )
        else:
            rule = policy.rule(case.region, case.request_type, window)
        if rule.starts_after is not None:
            started = _anchor(case, rule.starts_after) or started
        due = add_duration(started, rule.duration, policy.calendar(case.region))
        out.append(
            Deadline(
                window,
                t.event,
                WINDOW_ACTORS[window],
                due,
                "policy",
                t.dest_from(state),
                started.astimezone(UTC),
                rule.duration,
                rule.source,
            )
        )
    out.sort(key=lambda d: d.due)
    return tuple(out)


def next_deadline(case: AfterSalesCase, policy: Policy = DEFAULT_POLICY) -> Deadline | None:
    """The earliest deadline running on ``case``, or ``None``."""
    found = running_deadlines(case, policy)
    return found[0] if found else None


def due_events(
    case: AfterSalesCase, at: datetime, policy: Policy = DEFAULT_POLICY
) -> tuple[Deadline, ...]:
    """The deadlines of ``case`` that have expired at ``at``, earliest first.

    Only the current state's deadlines are listed: firing the first may open
    new ones (use [`advance`][tiktok_aftersales.deadlines.clock.advance] to follow the cascade).
    Nothing is due at an instant earlier than the case's last event.

    Raises:
        NaiveDatetime: ``at`` has no time zone.
        InvalidValue: ``policy`` is not a policy.

    """
    require_aware(at, "at")
    last = case.last_event_at
    if last is None or at < last:
        return ()
    return tuple(d for d in running_deadlines(case, policy) if d.due <= at)


def _advance(case: AfterSalesCase, at: datetime, policy: Policy) -> AdvanceReport:
    require_aware(at, "at")
    policy = _check_policy(policy)
    fired: list[Deadline] = []
    limit = 4 * len(State) + 4
    while len(fired) < limit:
        last = case.last_event_at
        if last is None or at < last:
            break
        found = running_deadlines(case, policy)
        if not found or found[0].due > at:
            break
        first = found[0]
        # A deadline that fell before the last recorded event (a late,
        # non-moving event) fires at that event's instant, keeping history ordered.
        when = max(first.due, last)
        before = (case.state, case.arbitration)
        case = apply(case, first.event, Actor.SYSTEM, when)
        fired.append(first)
        if (case.state, case.arbitration) == before:  # pragma: no cover - declaration forbids
            break
    return AdvanceReport(case, tuple(fired))


@overload
def advance(
    case: AfterSalesCase,
    at: datetime,
    policy: Policy = ...,
    *,
    report: Literal[False] = False,
) -> AfterSalesCase: ...


@overload
def advance(
    case: AfterSalesCase, at: datetime, policy: Policy = ..., *, report: Literal[True]
) -> AdvanceReport: ...


def advance(
    case: AfterSalesCase, at: datetime, policy: Policy = DEFAULT_POLICY, *, report: bool = False
) -> AfterSalesCase | AdvanceReport:
    """Advance ``case`` to the instant ``at``: fire every deadline that expired by then.

    Each expiry is applied as ``Actor.SYSTEM`` at its own due instant (so the
    history shows when the deadline passed, not ``at``), and one expiry may
    open the next window, which may expire too (an auto-approval starts the
    ship-back window; the request then closes). Advancing again to the same
    instant returns the case unchanged; advancing to an instant before the
    last event does nothing.

    Args:
        case: The case.
        at: The instant to advance to, timezone-aware.
        policy: The window lengths.
        report: Return an [`AdvanceReport`][tiktok_aftersales.deadlines.clock.AdvanceReport] (the
            case and the deadlines that fired, in order) instead of the case alone.

    Returns:
        The case after every due expiry (the same object when nothing was
        due), or with ``report=True`` the report.

    Raises:
        NaiveDatetime: ``at`` has no time zone.
        InvalidValue: ``policy`` is not a policy.

    """
    done = _advance(case, at, policy)
    return done if report else done.case


def _to_instant(value: Any, field: str) -> datetime:
    if isinstance(value, bool):
        raise InvalidValue(field, value, "unix seconds or a timezone-aware datetime")
    if isinstance(value, int | float):
        try:
            return datetime.fromtimestamp(value, UTC)
        except (OverflowError, OSError, ValueError):
            raise InvalidValue(field, value, "unix seconds in range") from None
    if isinstance(value, str) and value.strip().isdigit():
        return _to_instant(int(value.strip()), field)
    return require_aware(value, field).astimezone(UTC)


def with_platform_deadline(
    case: AfterSalesCase, action: str, deadline: int | float | str | datetime
) -> AfterSalesCase:
    """Return ``case`` with the platform's deadline for the seller's next action.

    The deadline applies to the case's current state and replaces the
    policy's for that step (see
    [`PLATFORM_ACTIONS`][tiktok_aftersales.deadlines.clock.PLATFORM_ACTIONS]); the engine drops it
    when the state changes. Setting the same deadline again returns the case unchanged; otherwise
    the version goes up by one.

    Args:
        case: The case.
        action: The platform's action name (``"SELLER_RESPOND_RETURN"``).
        deadline: Unix seconds (as the platform sends them, also as a
            digit string) or a timezone-aware datetime.

    Raises:
        InvalidValue: ``action`` is empty, or ``deadline`` is not an instant.
        NaiveDatetime: ``deadline`` is a datetime without a time zone.

    """
    if not isinstance(action, str) or not action.strip():
        raise InvalidValue("action", action, "a non-empty action name")
    if not case.history:
        raise InvalidValue("case.state", case.state.value, "the case is not opened yet")
    value = PlatformDeadline(case.state, action.strip(), _to_instant(deadline, "deadline"))
    if case.platform_deadline == value:
        return case
    return attrs.evolve(case, platform_deadline=value, version=case.version + 1)


def with_next_action_response(
    case: AfterSalesCase, entries: Iterable[Mapping[str, Any]] | None
) -> AfterSalesCase:
    """Apply a ``seller_next_action_response`` list: its earliest deadline wins.

    An empty or missing list leaves the case unchanged.

    Raises:
        InvalidValue: An entry has no ``action`` or ``deadline``.

    """
    best: tuple[datetime, str] | None = None
    for i, entry in enumerate(entries or ()):
        if not isinstance(entry, Mapping):
            raise InvalidValue(f"seller_next_action_response[{i}]", entry, "a mapping")
        action = entry.get("action")
        if not isinstance(action, str) or not action.strip():
            raise InvalidValue(f"seller_next_action_response[{i}].action", action, "required")
        due = _to_instant(entry.get("deadline"), f"seller_next_action_response[{i}].deadline")
        if best is None or due < best[0]:
            best = (due, action)
    if best is None:
        return case
    return with_platform_deadline(case, best[1], best[0])


@attrs.frozen
class TimeoutRow:
    """One row of `timeout_table`: what the clock does when a window runs out."""

    request_type: str
    waiting_in: str
    window: str
    who: str
    event: str
    target: str
    ref: str


def timeout_table() -> list[TimeoutRow]:
    """Every timeout of the declaration, per request type (derived from ``LIFECYCLES``)."""
    rows = []
    for kind, lc in LIFECYCLES.items():
        for t in lc.transitions:
            if t.timeout is None:
                continue
            states = sorted(t.sources, key=lc.states.index)
            rows.append(
                TimeoutRow(
                    request_type=kind.value,
                    waiting_in=", ".join(s.value for s in states),
                    window=t.timeout.value,
                    who=WINDOW_ACTORS[t.timeout].value,
                    event=t.event,
                    target=", ".join(sorted({t.dest_from(s).value for s in states})),
                    ref=t.ref,
                )
            )
    return rows


@attrs.frozen
class ArbitrationRow:
    """One row of `arbitration_table`: where a disputed rejection can lead."""

    request_type: str
    rejected: str
    for_buyer: str
    for_seller: str
    closed_without_ruling: str
    no_dispute_in_time: str


def _dest(lc: Lifecycle, state: State, event: Event) -> str:
    found = lc.index.get((state, event), ())
    return ", ".join(sorted({t.dest_from(state).value for t in found})) or "-"


def arbitration_table() -> list[ArbitrationRow]:
    """Every disputable rejection and its outcomes (derived from ``LIFECYCLES``)."""
    return [
        ArbitrationRow(
            request_type=kind.value,
            rejected=state.value,
            for_buyer=_dest(lc, state, Event.RULE_FOR_BUYER),
            for_seller=_dest(lc, state, Event.RULE_FOR_SELLER),
            closed_without_ruling=_dest(lc, state, Event.CLOSE_ARBITRATION),
            no_dispute_in_time=_dest(lc, state, Event.CLOSE),
        )
        for kind, lc in LIFECYCLES.items()
        for state in lc.states
        if lc.index.get((state, Event.DISPUTE))
    ]
