"""What an opening needs beyond the lifecycle: who may start it, and a buyer cancel's window.

A case opened by the engine is legal for its lifecycle; the platform also
refuses openings by order status and market (``platform-2026.md`` §1), and
decides a buyer's cancel within a window that depends on when it was asked
(§2). `checked_opening` applies both to a freshly opened case, so the
application service and sync open cases through one rule:

1. ``check_opening`` (`tiktok_aftersales.deadlines.initiative`) on the
   case's type, the actor of its opening event, the order's status and the
   case's region (a seller's cancel of some lines only is a partial cancel);
2. for a buyer cancellation waiting for a decision, and when the order's
   date is known,
   ``with_cancellation_terms`` (`tiktok_aftersales.deadlines.cancellation`):
   the seller's window (or the platform's immediate approval) is the case's
   deadline from the start.

Nothing is changed on a refusal: the function returns a new case or raises.
"""

from __future__ import annotations

from datetime import datetime

from ..domain.case import AfterSalesCase
from ..domain.vocabulary import OrderStatus, RequestKind, RequestType, State, member
from ..errors import InvalidValue
from .cancellation import cancellation_terms, with_cancellation_terms
from .initiative import INITIATIVE, REQUEST_KINDS, InitiativePolicy, check_opening
from .policy import DEFAULT_POLICY, Policy

__all__ = ["check_case_opening", "checked_opening"]


def _partial(case: AfterSalesCase) -> bool:
    """Whether a cancel concerns only some of the case's lines (a partial cancel)."""
    if REQUEST_KINDS.get(case.request_type) is not RequestKind.CANCEL:
        return False
    asked = case.requested
    return asked is not None and len(asked.lines) < len(case.lines)


def check_case_opening(
    case: AfterSalesCase,
    order_status: OrderStatus | str,
    *,
    initiative: InitiativePolicy = INITIATIVE,
) -> None:
    """Refuse an opened case the platform would not have let its opener start.

    The initiator is the actor of the case's opening event; the region is
    the case's.

    Args:
        case: The case, just opened (its first history entry is the opening).
        order_status: The order's status when the request was made.
        initiative: Who may start what (default `INITIATIVE`).

    Raises:
        InitiativeRefused: The opener may not start this request type in
            this order status in this region (the error names all four).
        RequestTypeNotOffered: The region does not offer the request type.
        InvalidValue: The case is not opened, or ``order_status`` is unknown.

    """
    if not case.history:
        raise InvalidValue("case.state", case.state.value, "an opened case")
    status = member(OrderStatus, order_status, "order_status")
    check_opening(
        case.request_type,
        case.history[0].actor,
        status,
        case.region,
        lines=_partial(case),
        policy=initiative,
    )


def checked_opening(
    case: AfterSalesCase,
    order_status: OrderStatus | str,
    *,
    ordered_at: datetime | None = None,
    policy: Policy = DEFAULT_POLICY,
    initiative: InitiativePolicy = INITIATIVE,
) -> AfterSalesCase:
    """Check a freshly opened case against who may start what, and put a buyer cancel's window on.

    Args:
        case: The case, just opened.
        order_status: The order's status when the request was made.
        ordered_at: When the order was placed; with it, a pending buyer
            cancellation gets its window as the platform's deadline (see
            ``tiktok_aftersales.deadlines.cancellation.cancellation_terms``).
        policy: The windows (``seller_shipping_sla``, ``seller_cancellation_response``).
        initiative: Who may start what.

    Returns:
        The case, with the cancellation's deadline when one applies.

    Raises:
        InitiativeRefused: As `check_case_opening` (nothing is changed).
        InvalidValue: A malformed argument, or an order date after the request.
        NaiveDatetime: ``ordered_at`` has no time zone.

    """
    check_case_opening(case, order_status, initiative=initiative)
    if (
        ordered_at is None
        or case.request_type is not RequestType.BUYER_CANCELLATION
        or case.state is not State.REQUESTED
    ):
        return case
    terms = cancellation_terms(
        case.region,
        order_status,
        ordered_at,
        case.history[0].at,
        policy=policy,
        initiative=initiative,
    )
    return with_cancellation_terms(case, terms)
