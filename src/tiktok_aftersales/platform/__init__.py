"""The platform's edge: typed readings of its records and webhooks, decisions, signatures.

Parsers turn TikTok Shop after-sales payloads into frozen, typed snapshots.
The input is what a host receives: JSON-like dicts (or, for webhooks, the raw
body). The output is immutable values in the library's words, each with the
canonical ``(request type, state)`` candidates it can mean
([`ReturnSnapshot.candidates`][tiktok_aftersales.platform.records.ReturnSnapshot.candidates]) and
its ``update_time``.

Conventions (``payload-shapes.md``):

- **Ids stay strings.** An ``int`` id (some third-party code sends numbers) is
  accepted and turned into its decimal string; ``bool``, ``float`` and
  anything else is refused. ``combined_return_id`` ``"0"`` means "none".
- **Times** are unix seconds (``int`` or a digit string) and become
  timezone-aware UTC datetimes. Floats and values past the year 3000
  (milliseconds, say) are refused.
- **Money** is a decimal string (or ``int``) with its sibling ``currency``,
  becoming [`Money`][tiktok_aftersales.domain.money.Money]; floats, exponents, NaN
  and negative amounts are refused. A refund breakdown is checked:
  ``refund_total == refund_subtotal + refund_shipping_fee + refund_tax``.
- **Booleans are lenient**: ``true``/``false`` in any case with stray spaces
  (the docs send ``"true "``), ``0``/``1``.
- **Codes** (statuses, types, roles) go through the vocabularies of
  `tiktok_aftersales.codes`, which accept the documented misspellings.
  Strict mode (the default) raises [`UnknownCode`][tiktok_aftersales.errors.UnknownCode]
  for a value no vocabulary knows; tolerant mode (``strict=False``) keeps
  the raw value, names the field in the snapshot's ``unmapped`` and gives no
  candidates, so the host can quarantine the case for review.

Every refusal is an [`InvalidValue`][tiktok_aftersales.errors.InvalidValue] naming the
field (with its path, e.g. ``return_line_items[0].refund_amount.refund_tax``)
and the value. Nothing else escapes from these parsers.
"""

from __future__ import annotations

from .._lazy import attach

TYPE_CHECKING = False  # typing is not imported at start-up
if TYPE_CHECKING:
    from ..errors import (
        PlatformResponseError,
        RefundMismatch,
    )
    from .decisions import (
        PLATFORM_CODES,
        DecisionBody,
        DecisionImage,
        DecisionRefused,
        DecisionRequest,
        NoPlatformDecision,
        allowed_decisions,
        build_decision,
        idempotency_key,
        parse_decision_body,
    )
    from .outbound import (
        OUTBOUND_ERRORS,
        SellerCall,
        build_calculate_refund,
        build_cancel_order,
        build_create_return,
        build_seller_refund,
        outbound_key,
        parse_calculated_refund,
        raise_for_reply,
    )
    from .record import (
        PlatformRecord,
        RecordLine,
        RecordSource,
        record_of,
    )
    from .records import (
        CancellationSnapshot,
        LegacyItem,
        LegacyRecord,
        LegacyReverseSnapshot,
        ReturnSnapshot,
        parse_cancellation,
        parse_legacy_reverse,
        parse_return,
    )
    from .requests import (
        ItemError,
        PlatformReply,
        PlatformRequest,
    )
    from .responses import (
        AftersaleEligibility,
        CancellationsPage,
        DecisionEligibility,
        LegacyReversePage,
        Rejected,
        RejectReason,
        ReturnRecord,
        ReturnsPage,
        parse_aftersale_eligibility,
        parse_cancellations_page,
        parse_decision_eligibility,
        parse_legacy_page,
        parse_refund_calculation,
        parse_reject_reasons,
        parse_return_records,
        parse_returns_page,
    )
    from .signature import (
        InvalidSignature,
        sign,
        verify_signature,
    )
    from .values import (
        Discount,
        Image,
        LineItem,
        RefundAmount,
        ReturnShippingFee,
        SellerAction,
        Video,
        parse_refund_amount,
    )
    from .versions import (
        DEFAULT_VERSIONS,
        ENDPOINTS,
        ApiVersions,
        Endpoint,
        EndpointSpec,
    )
    from .webhooks import (
        AFTER_SALES_WEBHOOKS,
        CancellationStatusChange,
        ReturnStatusChange,
        ReverseStatusUpdate,
        WebhookEnvelope,
        WebhookType,
        parse_webhook,
    )

_EXPORTS = {
    "PlatformResponseError": "..errors",
    "RefundMismatch": "..errors",
    "PLATFORM_CODES": ".decisions",
    "DecisionBody": ".decisions",
    "DecisionImage": ".decisions",
    "DecisionRefused": ".decisions",
    "DecisionRequest": ".decisions",
    "NoPlatformDecision": ".decisions",
    "allowed_decisions": ".decisions",
    "build_decision": ".decisions",
    "idempotency_key": ".decisions",
    "parse_decision_body": ".decisions",
    "OUTBOUND_ERRORS": ".outbound",
    "SellerCall": ".outbound",
    "build_calculate_refund": ".outbound",
    "build_cancel_order": ".outbound",
    "build_create_return": ".outbound",
    "build_seller_refund": ".outbound",
    "outbound_key": ".outbound",
    "parse_calculated_refund": ".outbound",
    "raise_for_reply": ".outbound",
    "PlatformRecord": ".record",
    "RecordLine": ".record",
    "RecordSource": ".record",
    "record_of": ".record",
    "CancellationSnapshot": ".records",
    "LegacyItem": ".records",
    "LegacyRecord": ".records",
    "LegacyReverseSnapshot": ".records",
    "ReturnSnapshot": ".records",
    "parse_cancellation": ".records",
    "parse_legacy_reverse": ".records",
    "parse_return": ".records",
    "ItemError": ".requests",
    "PlatformReply": ".requests",
    "PlatformRequest": ".requests",
    "AftersaleEligibility": ".responses",
    "CancellationsPage": ".responses",
    "DecisionEligibility": ".responses",
    "LegacyReversePage": ".responses",
    "Rejected": ".responses",
    "RejectReason": ".responses",
    "ReturnRecord": ".responses",
    "ReturnsPage": ".responses",
    "parse_aftersale_eligibility": ".responses",
    "parse_cancellations_page": ".responses",
    "parse_decision_eligibility": ".responses",
    "parse_legacy_page": ".responses",
    "parse_refund_calculation": ".responses",
    "parse_reject_reasons": ".responses",
    "parse_return_records": ".responses",
    "parse_returns_page": ".responses",
    "InvalidSignature": ".signature",
    "sign": ".signature",
    "verify_signature": ".signature",
    "Discount": ".values",
    "Image": ".values",
    "LineItem": ".values",
    "RefundAmount": ".values",
    "ReturnShippingFee": ".values",
    "SellerAction": ".values",
    "Video": ".values",
    "parse_refund_amount": ".values",
    "DEFAULT_VERSIONS": ".versions",
    "ENDPOINTS": ".versions",
    "ApiVersions": ".versions",
    "Endpoint": ".versions",
    "EndpointSpec": ".versions",
    "AFTER_SALES_WEBHOOKS": ".webhooks",
    "CancellationStatusChange": ".webhooks",
    "ReturnStatusChange": ".webhooks",
    "ReverseStatusUpdate": ".webhooks",
    "WebhookEnvelope": ".webhooks",
    "WebhookType": ".webhooks",
    "parse_webhook": ".webhooks",
}
"""Each re-exported name and the module it is imported from on first use."""

__all__ = [
    "AFTER_SALES_WEBHOOKS",
    "DEFAULT_VERSIONS",
    "ENDPOINTS",
    "OUTBOUND_ERRORS",
    "PLATFORM_CODES",
    "AftersaleEligibility",
    "ApiVersions",
    "CancellationSnapshot",
    "CancellationStatusChange",
    "CancellationsPage",
    "DecisionBody",
    "DecisionEligibility",
    "DecisionImage",
    "DecisionRefused",
    "DecisionRequest",
    "Discount",
    "Endpoint",
    "EndpointSpec",
    "Image",
    "InvalidSignature",
    "ItemError",
    "LegacyItem",
    "LegacyRecord",
    "LegacyReversePage",
    "LegacyReverseSnapshot",
    "LineItem",
    "NoPlatformDecision",
    "PlatformRecord",
    "PlatformReply",
    "PlatformRequest",
    "PlatformResponseError",
    "RecordLine",
    "RecordSource",
    "RefundAmount",
    "RefundMismatch",
    "RejectReason",
    "Rejected",
    "ReturnRecord",
    "ReturnShippingFee",
    "ReturnSnapshot",
    "ReturnStatusChange",
    "ReturnsPage",
    "ReverseStatusUpdate",
    "SellerAction",
    "SellerCall",
    "Video",
    "WebhookEnvelope",
    "WebhookType",
    "allowed_decisions",
    "build_calculate_refund",
    "build_cancel_order",
    "build_create_return",
    "build_decision",
    "build_seller_refund",
    "idempotency_key",
    "outbound_key",
    "parse_aftersale_eligibility",
    "parse_calculated_refund",
    "parse_cancellation",
    "parse_cancellations_page",
    "parse_decision_body",
    "parse_decision_eligibility",
    "parse_legacy_page",
    "parse_legacy_reverse",
    "parse_refund_amount",
    "parse_refund_calculation",
    "parse_reject_reasons",
    "parse_return",
    "parse_return_records",
    "parse_returns_page",
    "parse_webhook",
    "raise_for_reply",
    "record_of",
    "sign",
    "verify_signature",
]

__getattr__, __dir__ = attach(__name__, _EXPORTS, __all__)
