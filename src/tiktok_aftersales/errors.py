"""The one error hierarchy of the library.

Every error the library raises on purpose derives from
[`AfterSalesError`][tiktok_aftersales.errors.AfterSalesError]. Errors about bad input derive from
[`InvalidValue`][tiktok_aftersales.errors.InvalidValue] and carry the offending ``field`` and
``value``; errors about the lifecycle carry the request type, state, event and actor, and the events
that would have been allowed.

A failed operation never changes its input: cases are immutable values, so the
case a caller holds is exactly the case it held before the error.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # annotations only: errors import nothing of the package at run time
    from .domain.case import AfterSalesCase
    from .domain.effects import Effect


def short(value: Any) -> Any:
    """A value cut to at most 60 characters for an error message (long text, mappings, lists)."""
    if isinstance(value, str) and len(value) > 60:
        return value[:57] + "..."
    if isinstance(value, Mapping | list):
        text = json.dumps(value, default=str)
        return text if len(text) <= 60 else text[:57] + "..."
    return value


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


class OrderOverRefund(OverRefund):
    """Refunds across the cases of one order would exceed what the order paid.

    Attributes:
        order_id: The order.
        line_id: The order line that has too little left, or ``None`` when
            the order's total is what is exceeded.
        asked: The amount asked for.
        left: What may still be refunded there, across every case of the order.

    """

    def __init__(
        self, field: str, order_id: str, line_id: str | None, asked: Any, left: Any
    ) -> None:
        self.order_id = order_id
        self.line_id = line_id
        self.asked = asked
        self.left = left
        where = f"line {line_id} of order {order_id}" if line_id else f"order {order_id}"
        InvalidValue.__init__(
            self, field, asked, f"exceeds what {where} may still refund across its cases ({left})"
        )
        self.limit = left


class UnknownEvent(InvalidValue, LookupError):
    """An event name that the lifecycle does not declare."""

    def __init__(self, value: Any, known: Sequence[str], field: str = "event") -> None:
        self.known = tuple(known)
        super().__init__(field, value, f"unknown event; known events: {', '.join(self.known)}")


class InvalidTransition(AfterSalesError, ValueError):
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
            f"{_name(request_type)}: event {_name(event)!r} by {_name(actor)} refused in state "
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


class DeclarationError(AfterSalesError, ValueError):
    """The lifecycle declaration is inconsistent (found when it is checked).

    Attributes:
        problems: One sentence per problem found.

    """

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("lifecycle declaration is inconsistent:\n- " + "\n- ".join(self.problems))


class ShippingBlocked(AfterSalesError, RuntimeError):
    """An order may not ship: an after-sales request holds it.

    The message is the one seller tools show (seed 000, Part II, tip 2).
    """

    def __init__(self, order_id: str, message: str) -> None:
        self.order_id = order_id
        super().__init__(message)


class ConcurrencyConflict(AfterSalesError, RuntimeError):
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


class DiagramUnavailable(AfterSalesError, RuntimeError):
    """An SVG was asked for but Graphviz is not there.

    Attributes:
        missing: What is missing: ``"graphviz"`` (the Python package, the
            ``graphviz`` extra) or ``"dot"`` (the Graphviz program).
        hint: How to get it.

    """

    def __init__(self, missing: str, hint: str) -> None:
        self.missing = missing
        self.hint = hint
        super().__init__(f"cannot render SVG: {missing} is not available; {hint}")


class InvalidSignature(AfterSalesError, ValueError):
    """A webhook's ``Authorization`` header does not match its body.

    A host answers such a delivery with HTTP 401 (the platform's
    configuration guide allows 200 or 401).

    Attributes:
        reason: ``"missing"`` (no header), ``"malformed"`` (not 64 hex
            digits) or ``"mismatch"``.

    """

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(f"webhook signature {reason}")


class RefundMismatch(MoneyError):
    """A refund breakdown whose total is not subtotal + shipping fee + tax.

    Attributes:
        expected: The sum of the parts.

    """

    def __init__(self, field: str, value: Any, expected: Any) -> None:
        self.expected = expected
        super().__init__(
            field, value, f"refund_total must equal subtotal + shipping fee + tax ({expected})"
        )


class PlatformResponseError(AfterSalesError, RuntimeError):
    """An API response whose ``code`` is not 0 (the platform refused the call).

    Attributes:
        code: The platform's error code (e.g. 25011012).
        message: The platform's message.
        request_id: The platform's request id, when given.

    """

    def __init__(self, code: int, message: str, request_id: str | None = None) -> None:
        self.code = code
        self.message = message
        self.request_id = request_id
        super().__init__(f"platform error {code}: {message} (request_id={request_id})")


class DecisionRefused(InvalidTransition):
    """The case's state does not allow this decision; the platform would refuse it too.

    Attributes:
        platform_code: The platform's error code for the same situation
            (see `PLATFORM_CODES`).

    """

    def __init__(
        self,
        request_type: Any,
        state: Any,
        event: str,
        actor: Any,
        allowed: Sequence[tuple[str, Sequence[Any]]],
        reason: str,
        platform_code: int,
        platform_message: str = "",
    ) -> None:
        self.platform_code = platform_code
        self.platform_message = platform_message
        super().__init__(
            request_type,
            state,
            event,
            actor,
            allowed,
            f"{reason} (platform {platform_code}: {platform_message or '?'})",
        )


class NoPlatformDecision(InvalidValue):
    """The event is legal but has no platform API call (Seller Centre only, or an opening)."""


class DuplicateCommand(InvalidValue):
    """A command with this id was already applied to the case.

    Nothing was changed. The command's event is in the history at ``seq``;
    if its effects may still be pending, call
    [`AfterSalesService.dispatch_pending`][tiktok_aftersales.app.service.AfterSalesService.dispatch_pending].

    Attributes:
        case_id: The case.
        command_id: The repeated id (also ``value``).
        seq: Where the command's event is in the history.

    """

    def __init__(self, case_id: str, command_id: str, seq: int) -> None:
        self.case_id = case_id
        self.command_id = command_id
        self.seq = seq
        super().__init__(
            "command_id", command_id, f"already applied to case {case_id!r} as event #{seq}"
        )


class PlatformRefused(AfterSalesError, RuntimeError):
    """The platform refused an outbound request (a reply with a non-zero code).

    The case was saved with the decision before it was sent (the one way
    out); the refusal is recorded on the case (``review``) and the event's
    effects are settled without being carried out. Sync brings the case to
    the platform's state.

    Attributes:
        case_id: The case.
        request: The request the platform refused.
        code: The platform's error code.
        message: The platform's message.
        case: The case as saved with the refusal (set by the service).

    """

    def __init__(self, case_id: str, request: Any, code: int, message: str) -> None:
        self.case_id = case_id
        self.request = request
        self.code = code
        self.message = message
        self.case: Any = None
        operation = getattr(request, "operation", "request")
        super().__init__(f"case {case_id!r}: the platform refused {operation}: {code} {message}")


class DeliveryOutsideTolerance(InvalidValue):
    """A webhook delivery's timestamp is too far from when it was received.

    A captured, validly signed delivery must not verify forever: the service
    refuses one whose ``timestamp`` differs from its arrival by more than the
    configured tolerance.
    """

    def __init__(self, value: Any, received_at: Any, tolerance: Any) -> None:
        self.received_at = received_at
        self.tolerance = tolerance
        super().__init__(
            "timestamp", value, f"more than {tolerance} from its arrival at {received_at}"
        )


class DispatchFailed(AfterSalesError, RuntimeError):
    """A port failed to carry out an effect; the case is saved with it still pending.

    Effects before it were carried out and are marked done; it and the ones
    after it are pending. Call
    [`AfterSalesService.dispatch_pending`][tiktok_aftersales.app.service.AfterSalesService.dispatch_pending]
        with ``case_id`` to retry: the port gets the same key again.

    Attributes:
        case: The case as saved (the effect pending).
        case_id: The case.
        key: The failed effect's idempotency key.
        kind: The failed effect's kind.
        cause: What the port raised.

    """

    def __init__(self, case: AfterSalesCase, effect: Effect, cause: BaseException) -> None:
        self.case = case
        self.case_id = case.case_id
        self.key = effect.key
        self.kind = effect.kind
        self.cause = cause
        super().__init__(
            f"case {case.case_id!r}: effect {effect.key!r} ({effect.kind.value}) failed: "
            f"{cause!r}; the case is saved with it pending; "
            f"retry with dispatch_pending({case.case_id!r})"
        )


class TickFailed(AfterSalesError, RuntimeError):
    """A clock tick over every case could not finish some of them.

    The others were advanced and saved. Each failure is typed
    ([`DispatchFailed`][tiktok_aftersales.errors.DispatchFailed],
    [`ConcurrencyConflict`][tiktok_aftersales.errors.ConcurrencyConflict], and so on); tick again or
    dispatch the pending effects.

    Attributes:
        changed: The cases the tick advanced and saved.
        failures: Case id to the error raised for it.

    """

    def __init__(
        self, changed: tuple[AfterSalesCase, ...], failures: Mapping[str, AfterSalesError]
    ) -> None:
        self.changed = changed
        self.failures = MappingProxyType(dict(failures))
        listing = "; ".join(f"{k}: {v}" for k, v in self.failures.items())
        super().__init__(f"tick failed for {len(self.failures)} case(s): {listing}")


class UnknownCase(AfterSalesError, LookupError):
    """No case with this id is stored (``field`` is ``"case_id"``)."""

    def __init__(self, case_id: Any) -> None:
        self.case_id = case_id
        self.field = "case_id"
        self.value = case_id
        super().__init__(f"case_id={case_id!r}: no case with this id is stored")


class CaseExists(InvalidValue):
    """A case with this id is already stored; ``add`` never overwrites."""

    def __init__(self, case_id: Any) -> None:
        self.case_id = case_id
        super().__init__("case_id", case_id, "a case with this id is already stored")


class PortDown(ConnectionError):
    """What a fake port of `tiktok_aftersales.app.testing` raises when told to fail.

    It stands for any outage of a host's adapter (a network error, a database
    restart), so it is deliberately not an
    [`AfterSalesError`][tiktok_aftersales.errors.AfterSalesError]: the service must cope with
        exceptions it does not know.
    """


class UnknownCode(InvalidValue, LookupError):
    """An outside value that its vocabulary does not know.

    Raised by strict parsing; tolerant parsing keeps the raw value instead and
    marks the snapshot ``unmapped``.

    Attributes:
        vocabulary: The name of the vocabulary that was asked.
        known: The values it knows (aliases not included).

    """

    def __init__(self, field: str, value: Any, vocabulary: str, known: Iterable[Any]) -> None:
        self.vocabulary = vocabulary
        self.known = tuple(known)
        listing = ", ".join(str(k) for k in self.known)
        super().__init__(field, value, f"unknown {vocabulary} value; known: {listing}")


class LineError(InvalidValue):
    """One bad line of an input file (or one event that would not replay).

    Attributes:
        line: The 1-based line number (``None`` when the history did not
            come from a file).
        case_id: The case the line belongs to, when known.
        field: The offending field (``"at"``, ``"lines[0].paid.currency"``).
        value: What was found there.
        reason: Why it was refused.

    """

    def __init__(
        self, line: int | None, field: str, value: Any, reason: str, case_id: str | None = None
    ) -> None:
        self.line = line
        self.case_id = case_id
        super().__init__(field, value, reason)

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line is not None else "history"
        case = f" (case {self.case_id})" if self.case_id else ""
        return f"{where}{case}: {self.field}={short(self.value)!r}: {self.reason}"


class FastPathUnsupported(AfterSalesError, ValueError):
    """The declaration has a decision the fast path cannot table.

    Attributes:
        problems: What differs, one line each.

    """

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(self.problems))


class DecodeError(InvalidValue):
    """Serialised data cannot be turned back into a value.

    ``field`` is the path to the offending value, for example
    ``"history[2].payload.amount.currency"``; ``value`` is what was found there.
    """


class EncodeError(InvalidValue):
    """A value cannot be written as JSON (a naive datetime, a NaN, an unknown type)."""


class MissingExtra(AfterSalesError, ImportError):
    """An optional dependency is not installed.

    Attributes:
        package: The missing package (``"pandas"``).
        extra: The extra that installs it (``"analysis"``).

    """

    def __init__(self, package: str, extra: str) -> None:
        self.package = package
        self.extra = extra
        super().__init__(f"{package} is not installed: pip install 'tiktok-aftersales[{extra}]'")


class PlatformAuthFailed(PlatformResponseError, PermissionError):
    """The platform refused the credentials: a bad or expired access token, app key or signature.

    Retrying the same call does not help; refresh the access token or fix
    the app key and secret. The message never contains the secret, the token
    or the signature.
    """


class PlatformRateLimited(PlatformResponseError):
    """The platform kept answering "too many requests" (HTTP 429 or its rate-limit code).

    Raised only after the adapter's bounded retries with backoff ran out.
    """


class PlatformRequestInvalid(PlatformResponseError, ValueError):
    """The platform found the request malformed (a missing or invalid parameter)."""


class PlatformDecisionRejected(PlatformResponseError, ValueError):
    """The platform refused a seller decision because of the request's state.

    The codes are those of
    [`tiktok_aftersales.platform.PLATFORM_CODES`][tiktok_aftersales.platform.decisions.PLATFORM_CODES]
    (and the order-level ones, such as 25005005 "refund total is larger than
    the refundable amount"). The local case is behind the platform: refresh
    it before deciding again.
    """


class PlatformUnavailable(AfterSalesError, ConnectionError):
    """The platform could not be reached or kept failing (network errors, timeouts, 5xx).

    Raised after the adapter's bounded retries ran out. A call that carried
    an idempotency key may be retried later with the same key.

    Attributes:
        operation: The request's operation name.
        attempts: How many attempts were made.
        http_status: The last HTTP status seen, if any response came.

    """

    def __init__(self, operation: str, attempts: int, reason: str, http_status: int | None) -> None:
        self.operation = operation
        self.attempts = attempts
        self.http_status = http_status
        self.reason = reason
        super().__init__(
            f"{operation}: platform unavailable after {attempts} attempt(s): {reason}"
            + (f" (last HTTP status {http_status})" if http_status is not None else "")
        )


class PartialFailure(AfterSalesError, RuntimeError):
    """A call answered code 0 but refused some of its items (the batch review does).

    Attributes:
        operation: The request's operation name.
        item_errors: One `ItemError` per refused item.
        request_id: The platform's request id.

    """

    def __init__(self, operation: str, item_errors: Sequence[Any], request_id: str | None) -> None:
        self.operation = operation
        self.item_errors = tuple(item_errors)
        self.request_id = request_id
        listing = "; ".join(
            f"{getattr(e, 'item_id', None) or '?'}: {getattr(e, 'code', '?')} "
            f"{getattr(e, 'message', '')}"
            for e in self.item_errors
        )
        super().__init__(
            f"{operation}: {len(self.item_errors)} item(s) refused (request_id={request_id}): "
            + listing
        )


class LeaseLost(AfterSalesError, RuntimeError):
    """An outbox worker's lease on an entry ran out and another worker took the entry over.

    The worker must not mark the entry done; the new holder dispatches it
    (with the same idempotency key).

    Attributes:
        entry_id: The outbox entry.
        worker: The worker whose lease was lost.

    """

    def __init__(self, entry_id: Any, worker: str) -> None:
        self.entry_id = entry_id
        self.worker = worker
        super().__init__(f"outbox entry {entry_id!r}: worker {worker!r} no longer holds its lease")


class InitiativeRefused(AfterSalesError, ValueError):
    """The platform does not let this party start this request in this order status and region.

    Attributes:
        request_type: The request type asked for.
        initiator: Who would start it (buyer, seller, system, operator).
        order_status: The order's status.
        region: The market's code.
        reason: Why, with the source of the rule.

    """

    def __init__(
        self, request_type: Any, initiator: Any, order_status: Any, region: Any, reason: str
    ) -> None:
        self.request_type = request_type
        self.initiator = initiator
        self.order_status = order_status
        self.region = region
        self.reason = reason
        super().__init__(
            f"{_name(request_type)} by {_name(initiator)} refused for an order in "
            f"{_name(order_status)} in {_name(region)}: {reason}"
        )


class RequestTypeNotOffered(InitiativeRefused):
    """The region does not offer this request type at all (an exchange outside its markets)."""


class RejectReasonNotAllowed(InvalidValue):
    """A reject reason that the platform did not list for this market and order status.

    Attributes:
        platform_code: 25001021 ("Reason not match order status").
        allowed: The reason names the platform listed.

    """

    platform_code = 25001021

    def __init__(self, field: str, value: Any, allowed: Sequence[str]) -> None:
        self.allowed = tuple(allowed)
        shown = ", ".join(self.allowed) or "none listed"
        super().__init__(
            field, value, f"not a reason fetched for this order (platform 25001021); use {shown}"
        )


class OrderKindForbids(AfterSalesError, ValueError):
    """The platform forbids this decision on this kind of order, whatever the state.

    Attributes:
        event: The seller's event.
        order_kind: FBT, quick refund or authentic guarantee.
        platform_code: The platform's error code (25011026, 25011025, 25011023).

    """

    def __init__(self, event: Any, order_kind: Any, platform_code: int) -> None:
        self.event = event
        self.order_kind = order_kind
        self.platform_code = platform_code
        super().__init__(
            f"{_name(event)} is forbidden on a {_name(order_kind)} order (platform {platform_code})"
        )


class RefundExceedsRefundable(PlatformResponseError):
    """25005005: the refund is larger than what the order can still refund."""


class OrderAlreadyShipped(PlatformResponseError):
    """25001045: the order shipped; it can no longer be cancelled."""


class RequestAlreadyInProgress(PlatformResponseError):
    """25001011: a return is already in process, or the order was already cancelled."""


class OrderClosedForAftersales(PlatformResponseError):
    """25001051: the order is completed or cancelled; no return or cancel is allowed."""


class ReasonNotMatchingStatus(PlatformResponseError):
    """25001021: the reason does not fit the order's status (fetch the reasons again)."""


class ReviewPartlyFailed(AfterSalesError, RuntimeError):
    """A batch review answered code 0 with an ``errors`` list: some decisions were refused.

    Attributes:
        failures: ``(request id, code, message)`` for each refused decision.

    """

    def __init__(self, failures: Sequence[tuple[str | None, int, str]]) -> None:
        self.failures = tuple(failures)
        shown = "; ".join(f"{rid}: {code} {msg}" for rid, code, msg in self.failures)
        super().__init__(f"the review was refused in part: {shown}")


class ReviewNotEligible(InvalidValue):
    """The review-decisions response does not let the seller make this decision on a line.

    Attributes:
        platform_code: The line's ``ineligible_code`` (``None`` when the
            decision was not offered at all).

    """

    def __init__(self, field: str, value: Any, reason: str, platform_code: int | None) -> None:
        self.platform_code = platform_code
        super().__init__(field, value, reason)


__all__ = sorted(  # every exception class of the hierarchy, and PortDown (see its docstring)
    name
    for name, value in list(globals().items())
    if isinstance(value, type) and issubclass(value, BaseException) and not name.startswith("_")
)
