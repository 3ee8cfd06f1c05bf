"""The canonical reading shared by record and webhook snapshots (candidates, deadline)."""

from __future__ import annotations

from ..codes import (
    LEGACY_TYPE,
    SELLER_ACTION,
    Canonical,
    LegacyType,
    SellerActionCode,
)
from ..domain.case import PlatformDeadline
from ..domain.vocabulary import Arbitration, RequestType, State
from .values import SellerAction


def narrow_candidates(
    states: frozenset[Canonical], types: frozenset[RequestType] | None
) -> frozenset[Canonical]:
    """The candidates among ``states`` whose request type is in ``types`` (all: ``None``)."""
    if types is None:
        return states
    return frozenset(k for k in states if k.request_type in types)


def seller_deadline(
    actions: tuple[SellerAction, ...], candidates: frozenset[Canonical]
) -> PlatformDeadline | None:
    """The first seller action whose deadline points to exactly one candidate state."""
    for item in actions:
        if not isinstance(item.action, SellerActionCode) or item.deadline is None:
            continue
        where = SELLER_ACTION.reverse[item.action] & candidates
        states = {k.state for k in where}
        if len(states) == 1:
            return PlatformDeadline(states.pop(), item.action.value, item.deadline)
    return None


class Reading:
    """The canonical reading every snapshot offers (derived from ``candidates``)."""

    __slots__ = ()

    @property
    def candidates(self) -> frozenset[Canonical]:
        """The canonical ``(type, state)`` pairs the record can mean (empty: unmapped)."""
        raise NotImplementedError  # pragma: no cover - every snapshot overrides it

    def _initiated_by_seller(self) -> bool:
        return False

    @property
    def request_type(self) -> RequestType | None:
        """The request type the record most likely is (``None``: unmapped or ambiguous).

        Only ``return_type`` ``REFUND`` is ambiguous (a buyer's refund-only
        request or a seller-created refund); ``role`` ``SELLER`` picks the
        seller refund, anything else the buyer's request. ``candidates``
        keeps every reading.
        """
        types = {k.request_type for k in self.candidates}
        if len(types) == 1:
            return types.pop()
        if types == {RequestType.REFUND_ONLY, RequestType.SELLER_REFUND}:
            if self._initiated_by_seller():
                return RequestType.SELLER_REFUND
            return RequestType.REFUND_ONLY
        return None

    @property
    def states(self) -> frozenset[State]:
        """The canonical states the record can mean for `request_type`."""
        kind = self.request_type
        return frozenset(k.state for k in self.candidates if k.request_type is kind)

    @property
    def arbitration(self) -> Arbitration | None:
        """The arbitration sub-state reported (``None``: not reported, or unmapped)."""
        return None


def legacy_request_types(reverse_type: LegacyType | int) -> frozenset[RequestType] | None:
    """The request types a legacy ``reverse_type`` can mean (``None``: unmapped)."""
    if isinstance(reverse_type, LegacyType):
        return frozenset(kind for kind, _opening in LEGACY_TYPE.reverse[reverse_type])
    return None
