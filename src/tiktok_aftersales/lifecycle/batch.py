"""The batch-return lifecycles and the seller's appeal, declared like the rest.

Part of the declaration:
[`tiktok_aftersales.lifecycle.LIFECYCLES`][tiktok_aftersales.lifecycle.table.LIFECYCLES] lists
these beside the legacy types. They are kept in their own module only to keep
each module short; the vocabulary (``on``, ``final``, ``declare``) is the same.

- **Aftersales Request** (``aftersales_request_id``): everything a buyer asks
  back in one request, reviewed per line (first review). Its statuses are
  INIT, PENDING_REQUEST_REVIEW and REQUEST_REVIEW_COMPLETED
  (``platform-2026.md`` §4, §4b). Money moves on its per-SKU return requests
  (the legacy returns), not on the batch request itself.
- **RMA** (``rma_id``): one package made from the approved lines; the seller
  uploads the shipping document and reviews the package (second review,
  APPROVE_RETURN_PACKAGE, REJECT_RETURN_PACKAGE or per line). Statuses INIT,
  AWAITING_BUYER_RETURN, RETURN_IN_TRANSIT, PENDING_PACKAGE_REVIEW,
  PACKAGE_REVIEW_COMPLETED.
- **Seller appeal** of a refund the platform approved (TH 15 days, ID 7
  days; §6). No webhook is known for it (webhook 66 is a product-listing
  appeal, §4b): it is modelled from the Seller Academy pages.
"""

from __future__ import annotations

from ..domain.effects import EffectKind as K
from ..domain.vocabulary import Actor as A
from ..domain.vocabulary import Arbitration, RequestType, Window
from ..domain.vocabulary import State as S
from .declaration import EffectSpec, declare, final, on
from .events import Event as E

__all__ = ["AFTERSALES_REQUEST", "RMA", "SELLER_APPEAL"]

_OVW = "platform-2026 §4 (OVW, Batch Return)"
_SCHEMA = "platform-2026 §4b"
_SELLER_SIDE = (A.SELLER, A.SYSTEM, A.OPERATOR)

AFTERSALES_REQUEST = declare(
    RequestType.AFTERSALES_REQUEST,
    states=(
        S.REQUESTED,
        final(S.REVIEW_COMPLETED),
        final(S.WITHDRAWN),
    ),
    doc=(
        "A batch request: every SKU and quantity the buyer asks back at once, reviewed per "
        "line; approved lines become packages (RMAs)."
    ),
    transitions=(
        on(
            E.REQUEST,
            frm=S.NEW,
            to=S.REQUESTED,
            by=A.BUYER,
            ref=f"{_OVW}; {_SCHEMA} status INIT then PENDING_REQUEST_REVIEW",
        ),
        on(
            E.APPROVE,
            frm=S.REQUESTED,
            to=S.REVIEW_COMPLETED,
            by=_SELLER_SIDE,
            timeout=Window.SELLER_RESPONSE,
            ref=(
                f"{_SCHEMA} review APPROVE_REQUEST (request_id_type AFTERSALES) "
                "[I: a silent seller is auto-approved, as for a legacy return]"
            ),
        ),
        on(
            E.REJECT,
            frm=S.REQUESTED,
            to=S.REVIEW_COMPLETED,
            by=A.SELLER,
            ref=f"{_SCHEMA} review REJECT_REQUEST; the per-SKU requests carry any dispute",
        ),
        on(
            E.REVIEW_LINES,
            frm=S.REQUESTED,
            to=S.REVIEW_COMPLETED,
            by=A.SELLER,
            ref=f"{_OVW}: first review per line item, mixed decisions allowed",
        ),
        on(
            E.WITHDRAW,
            frm=S.REQUESTED,
            to=S.WITHDRAWN,
            by=A.BUYER,
            ref="[I] the buyer may cancel a pending batch request, as a legacy one",
        ),
    ),
)

RMA = declare(
    RequestType.RMA,
    states=(
        S.AWAITING_BUYER_SHIPMENT,
        S.RETURN_LABEL_ISSUED,
        S.RETURN_IN_TRANSIT,
        S.RETURN_DELIVERED,
        final(S.REVIEW_COMPLETED),
        final(S.CLOSED),
    ),
    doc=(
        "A package-level return order (RMA) made from the approved lines of a batch request: "
        "one label, one journey, a second review per package."
    ),
    transitions=(
        on(
            E.CREATE_RMA,
            frm=S.NEW,
            to=S.AWAITING_BUYER_SHIPMENT,
            by=A.SYSTEM,
            ref=f"{_OVW}: RMA_CREATED after the package split; {_SCHEMA} AWAITING_BUYER_RETURN",
        ),
        on(
            E.UPLOAD_SHIPPING_DOCUMENT,
            frm=S.AWAITING_BUYER_SHIPMENT,
            to=S.RETURN_LABEL_ISSUED,
            by=(A.SELLER, A.SYSTEM),
            ref=f"{_OVW}: Upload Shipping Document (the label or QR shown to the buyer)",
        ),
        on(
            E.SHIP_BACK,
            frm=(S.AWAITING_BUYER_SHIPMENT, S.RETURN_LABEL_ISSUED),
            to=S.RETURN_IN_TRANSIT,
            by=(A.BUYER, A.LOGISTICS, A.SYSTEM),
            ref=f"{_SCHEMA} RETURN_IN_TRANSIT",
        ),
        on(
            E.CLOSE,
            frm=(S.AWAITING_BUYER_SHIPMENT, S.RETURN_LABEL_ISSUED),
            to=S.CLOSED,
            by=A.SYSTEM,
            timeout=Window.BUYER_SHIP_BACK,
            ref="[I] as a legacy return: a buyer who never ships loses the package",
        ),
        on(
            E.PARCEL_DELIVERED,
            frm=S.RETURN_IN_TRANSIT,
            to=S.RETURN_DELIVERED,
            by=(A.LOGISTICS, A.SYSTEM),
            effects=(EffectSpec(K.STOCK_IN),),
            ref=f"{_SCHEMA} PENDING_PACKAGE_REVIEW",
        ),
        on(
            E.PARCEL_LOST,
            frm=S.RETURN_IN_TRANSIT,
            to=S.CLOSED,
            by=(A.LOGISTICS, A.SYSTEM),
            timeout=Window.RETURN_TRANSIT,
            ref="platform-2026 §7 lost parcel (refunds move on the per-SKU requests)",
        ),
        on(
            E.CONFIRM_RECEIPT,
            frm=S.RETURN_DELIVERED,
            to=S.REVIEW_COMPLETED,
            by=_SELLER_SIDE,
            timeout=Window.SELLER_PACKAGE_REVIEW,
            ref=(
                f"{_SCHEMA} APPROVE_RETURN_PACKAGE; 2-4 business-day SLA "
                "[I: a silent seller's package is approved]"
            ),
        ),
        on(
            E.REJECT_RECEIPT,
            frm=S.RETURN_DELIVERED,
            to=S.REVIEW_COMPLETED,
            by=A.SELLER,
            ref=f"{_SCHEMA} REJECT_RETURN_PACKAGE",
        ),
        on(
            E.REVIEW_LINES,
            frm=S.RETURN_DELIVERED,
            to=S.REVIEW_COMPLETED,
            by=A.SELLER,
            ref=f"{_OVW}: second review, mixed decision per line",
        ),
    ),
)

SELLER_APPEAL = declare(
    RequestType.SELLER_APPEAL,
    states=(
        S.APPEAL_WINDOW,
        S.REQUESTED,
        final(S.SELLER_COMPENSATED),
        final(S.CLOSED),
    ),
    human_only={S.REQUESTED: "a platform operator reviews the appeal (no published deadline)"},
    # The review is the platform's, like an arbitration: only the operator moves it.
    doc=(
        "The seller's appeal of a refund the platform approved: open for a window after the "
        "refund, decided by a platform operator."
    ),
    transitions=(
        on(
            E.PLATFORM_REFUND,
            frm=S.NEW,
            to=S.APPEAL_WINDOW,
            by=(A.SYSTEM, A.OPERATOR),
            ref="platform-2026 §6: the platform approved a refund (auto-approval or a ruling)",
        ),
        on(
            E.APPEAL,
            frm=S.APPEAL_WINDOW,
            to=S.REQUESTED,
            by=A.SELLER,
            arbitration_to=Arbitration.IN_PROGRESS,
            ref="platform-2026 §6: TH Seller Academy 8290928649586449; ID 8701225512601345",
        ),
        on(
            E.CLOSE,
            frm=S.APPEAL_WINDOW,
            to=S.CLOSED,
            by=A.SYSTEM,
            timeout=Window.SELLER_APPEAL,
            ref="platform-2026 §6: TH 15 days, ID 7 days after the refund",
        ),
        on(
            E.RULE_FOR_SELLER,
            frm=S.REQUESTED,
            arbitration_from=(Arbitration.IN_PROGRESS,),
            arbitration_to=Arbitration.SUPPORT_SELLER,
            to=S.SELLER_COMPENSATED,
            by=A.OPERATOR,
            ref="platform-2026 §6 [I: an upheld appeal compensates the seller]",
        ),
        on(
            E.RULE_FOR_BUYER,
            frm=S.REQUESTED,
            arbitration_from=(Arbitration.IN_PROGRESS,),
            arbitration_to=Arbitration.SUPPORT_BUYER,
            to=S.CLOSED,
            by=A.OPERATOR,
            ref="platform-2026 §6: the refund stands",
        ),
    ),
)
