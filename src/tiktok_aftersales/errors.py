"""The one error hierarchy of the library.

Every error the library raises on purpose derives from :class:`AfterSalesError`.
Errors about bad input derive from :class:`InvalidValue` and carry the
offending ``field`` and ``value``; errors about the lifecycle carry the request
type, state, event and actor, and the events that would have been allowed.

A failed operation never changes its input: cases are immutable values, so the
case a caller holds is exactly the case it held before the error.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = [
    "AfterSalesError",
    "ArbitrationInProgress",
    "ConcurrencyConflict",
    "CurrencyMismatch",
    "DeclarationError",
    "EventOutOfOrder",
    "FloatAmount",
    "GuardRejected",
    "InvalidTransition",
    "InvalidValue",
    "MoneyError",
    "NaiveDatetime",
    "NonPositiveAmount",
    "OverRefund",
    "ShippingBlocked",
    "UnknownEvent",
]


class AfterSalesError(Exception):
    """Base class of every error this library raises on purpose."""


class InvalidValue(AfterSalesError, ValueError):
    """A value given to the library is not acceptable.

    Attributes:
        field: The name of the field or argument that was wrong.
        value: The value that was given.
        reason: Why it was refused.

    """

    def __init__(self, field: str, value: Any, reason: str) -> None:
        self.field = field
        self.value = value
        self.reason = reason
        super().__init__(f"{field}={value!r}: {reason}")


class NaiveDatetime(InvalidValue):
    """A datetime without a time zone was given where an instant is needed."""

    def __init__(self, field: str, value: Any) -> None:
        super().__init__(field, value, "datetime must be timezone-aware (e.g. tzinfo=UTC)")


class EventOutOfOrder(InvalidValue):
    """An event is dated earlier than the last event already in the history."""

    def __init__(self, value: Any, last: Any) -> None:
        self.last = last
        super().__init__("at", value, f"earlier than the last event in the history ({last})")


class MoneyError(InvalidValue):
    """Base class for refused amounts."""


class FloatAmount(MoneyError):
    """A float was given for money: use ``Decimal`` or a decimal string."""

    def __init__(self, field: str, value: Any) -> None:
        super().__init__(field, value, "money must be Decimal, int or a decimal string, not float")


class CurrencyMismatch(MoneyError):
    """Two amounts in different currencies were combined or compared."""

    def __init__(self, field: str, value: Any, expected: str) -> None:
        self.expected = expected
        super().__init__(field, value, f"currency differs from {expected}")


class NonPositiveAmount(MoneyError):
    """A refund of zero or less was requested."""

    def __init__(self, field: str, value: Any) -> None:
        super().__init__(field, value, "a refund must be greater than zero")


class OverRefund(MoneyError):
    """A refund would exceed what was paid (per line or per order).

    Attributes:
        limit: The most that may still be refunded at that level.

    """

    def __init__(self, field: str, value: Any, limit: Any) -> None:
        self.limit = limit
        super().__init__(field, value, f"exceeds what may still be refunded ({limit})")


class UnknownEvent(InvalidValue):
    """An event name that the lifecycle does not declare."""

    def __init__(self, value: Any, known: Sequence[str]) -> None:
        self.known = tuple(known)
        super().__init__("event", value, f"unknown event; known events: {', '.join(self.known)}")


class InvalidTransition(AfterSalesError):
    """An event may not be fired now, by this actor, on this case.

    Attributes:
        request_type: The case's request type.
        state: The case's canonical state.
        event: The event that was refused.
        actor: The actor who tried to fire it.
        allowed: ``(event, actors)`` pairs that are legal in this state.
        reason: Why the event was refused.
        platform_code: The TikTok Shop error code that names the same
            situation, when there is one.

    """

    platform_code: int | None = None

    def __init__(
        self,
        request_type: Any,
        state: Any,
        event: str,
        actor: Any,
        allowed: Sequence[tuple[str, Sequence[Any]]],
        reason: str = "not allowed in this state",
    ) -> None:
        self.request_type = request_type
        self.state = state
        self.event = event
        self.actor = actor
        self.allowed = tuple((name, tuple(actors)) for name, actors in allowed)
        self.reason = reason
        listing = (
            "; ".join(
                f"{name} by {'/'.join(_name(a) for a in actors)}" for name, actors in self.allowed
            )
            or "none (terminal state)"
        )
        super().__init__(
            f"{_name(request_type)}: event {event!r} by {_name(actor)} refused in state "
            f"{_name(state)}: {reason}. Allowed now: {listing}"
        )


class ArbitrationInProgress(InvalidTransition):
    """The request is with the platform operator; only a ruling can move it.

    The platform answers such attempts with 25011010, "request has been
    transferred to platform operator".
    """

    platform_code = 25011010


class GuardRejected(InvalidTransition):
    """The event is declared for this state and actor, but its guard is false."""


class DeclarationError(AfterSalesError):
    """The lifecycle declaration is inconsistent (found when it is checked).

    Attributes:
        problems: One sentence per problem found.

    """

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("lifecycle declaration is inconsistent:\n- " + "\n- ".join(self.problems))


class ShippingBlocked(AfterSalesError):
    """An order may not ship: an after-sales request holds it.

    The message is the one seller tools show (seed 000, Part II, tip 2).
    """

    def __init__(self, order_id: str, message: str) -> None:
        self.order_id = order_id
        super().__init__(message)


class ConcurrencyConflict(AfterSalesError):
    """A case was saved with a version that is no longer current.

    Attributes:
        case_id: The case that was saved.
        expected: The version the caller based its change on.
        actual: The version in storage.

    """

    def __init__(self, case_id: str, expected: int, actual: int | None) -> None:
        self.case_id = case_id
        self.expected = expected
        self.actual = actual
        super().__init__(
            f"case {case_id!r}: expected version {expected}, storage has {actual}; reload and retry"
        )


def _name(value: Any) -> str:
    return str(getattr(value, "value", value))
