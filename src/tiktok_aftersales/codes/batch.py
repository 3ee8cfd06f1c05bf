"""The batch-return vocabularies of 2026: Aftersales Request and RMA statuses.

Written canonical -> platform, like every other table; the reverse is derived.
Source: ``platform-2026.md`` §4 and §4b (the Partner API schemas and webhooks
64 and 65). ``[I]`` marks an inference: no public payload example exists.
"""

from __future__ import annotations

import enum

from ..domain.vocabulary import RequestType
from ..domain.vocabulary import State as S
from .base import Canonical, Vocabulary, per_type

__all__ = [
    "AFTERSALES_STATUS",
    "RMA_STATUS",
    "AftersalesStatusCode",
    "RefundStatusCode",
    "RmaStatusCode",
]


class AftersalesStatusCode(enum.StrEnum):
    """``status`` of an Aftersales Request and ``aftersales_request_status`` of webhook 64.

    ``INIT`` is documented too; it is read as an alias (see `AFTERSALES_STATUS`).
    """

    PENDING_REQUEST_REVIEW = "PENDING_REQUEST_REVIEW"
    REQUEST_REVIEW_COMPLETED = "REQUEST_REVIEW_COMPLETED"


class RmaStatusCode(enum.StrEnum):
    """``status`` of an RMA and ``rma_status`` of webhook 65 (``INIT`` is read as an alias)."""

    AWAITING_BUYER_RETURN = "AWAITING_BUYER_RETURN"
    """The webhook's wording is AWAITING_BUYER_SHIPPED (read as an alias)."""
    RETURN_IN_TRANSIT = "RETURN_IN_TRANSIT"
    PENDING_PACKAGE_REVIEW = "PENDING_PACKAGE_REVIEW"
    """The seller has a 2-4 business-day SLA to review the package."""
    PACKAGE_REVIEW_COMPLETED = "PACKAGE_REVIEW_COMPLETED"


class RefundStatusCode(enum.StrEnum):
    """``refund_status`` of webhook 67 (one value is documented)."""

    REFUND_SUCCESS = "REFUND_SUCCESS"


def _outside(kind: RequestType) -> dict[RequestType, None]:
    return {other: None for other in RequestType if other is not kind}


A = AftersalesStatusCode
AFTERSALES_STATUS: Vocabulary[Canonical, AftersalesStatusCode] = Vocabulary.from_table(
    "aftersales_request_status",
    "TikTok Shop batch returns: Aftersales Request status (search, webhook 64)",
    "platform-2026.md §4b",
    AftersalesStatusCode,
    per_type(
        {
            RequestType.AFTERSALES_REQUEST: {
                S.REQUESTED: A.PENDING_REQUEST_REVIEW,
                S.REVIEW_COMPLETED: A.REQUEST_REVIEW_COMPLETED,
                S.WITHDRAWN: None,  # [I] no status is documented for a withdrawn request
            },
            **_outside(RequestType.AFTERSALES_REQUEST),
        }
    ),
    absent="not a batch request (or no documented status)",
    # [I] INIT comes before the review is pending: the request is made, not yet reviewable.
    aliases={"INIT": A.PENDING_REQUEST_REVIEW},
)
"""``aftersales_request_status`` <-> canonical ``(type, state)``."""

R = RmaStatusCode
RMA_STATUS: Vocabulary[Canonical, RmaStatusCode] = Vocabulary.from_table(
    "rma_status",
    "TikTok Shop batch returns: RMA status (search, webhook 65)",
    "platform-2026.md §4b",
    RmaStatusCode,
    per_type(
        {
            RequestType.RMA: {
                S.AWAITING_BUYER_SHIPMENT: R.AWAITING_BUYER_RETURN,
                S.RETURN_LABEL_ISSUED: R.AWAITING_BUYER_RETURN,
                S.RETURN_IN_TRANSIT: R.RETURN_IN_TRANSIT,
                S.RETURN_DELIVERED: R.PENDING_PACKAGE_REVIEW,
                S.REVIEW_COMPLETED: R.PACKAGE_REVIEW_COMPLETED,
                S.CLOSED: None,  # [I] no status is documented for a package never returned
            },
            **_outside(RequestType.RMA),
        }
    ),
    absent="not a return package (or no documented status)",
    aliases={
        "AWAITING_BUYER_SHIPPED": R.AWAITING_BUYER_RETURN,
        # [I] INIT: the package was just made from the approved lines.
        "INIT": R.AWAITING_BUYER_RETURN,
    },
)
"""``rma_status`` <-> canonical ``(type, state)``."""
