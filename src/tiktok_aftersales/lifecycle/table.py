"""THE lifecycle declaration: every request type's states and transitions.

This module is the one source of the after-sales rules. Every other view of
them (the pure engine, the ``transitions`` machines, deadlines, diagrams,
vocabulary tables, the docs) is derived from
[`LIFECYCLES`][tiktok_aftersales.lifecycle.table.LIFECYCLES].

Each transition reads ``on(event, frm=…, to=…, by=…)``; guards are the named
predicates of `predicates` (``when=P.BUYER_KEEPS_ITEM``); final states are
marked ``final(…)`` where a type lists its states; a transition with the refund
effect commits the requested refund (or the offer's, for ``accept_offer``).

References in ``ref=`` point at ``shared/reference/platform-api.md`` (``§2b``
is "Transitions documented in the overview") and the seeds (``seed 000`` …
``seed 004``). ``[I]`` marks an inference where the sources are silent.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType

from ..domain.effects import EffectKind as K
from ..domain.vocabulary import Actor as A
from ..domain.vocabulary import Arbitration, RequestType, Window
from ..domain.vocabulary import State as S
from . import predicates as P
from .batch import AFTERSALES_REQUEST, RMA, SELLER_APPEAL
from .declaration import EffectSpec, Lifecycle, Transition, declare, final, on
from .events import Event as E

__all__ = ["HUMAN_ONLY_ARBITRATION", "LIFECYCLES"]


# Effects that go with committing a refund: the refund itself, and what it means for stock
# and for an order held from shipping (seed 000 Part II, tips 1 and 2).
REFUND = (
    EffectSpec(K.ISSUE_REFUND),
    EffectSpec(K.RELEASE_STOCK, P.RELEASES_STOCK),
    EffectSpec(K.MANUAL_STOCK_IN, P.NEEDS_MANUAL_STOCK_IN),
    EffectSpec(K.UNBLOCK_SHIPPING, P.PARTIAL_REFUND_OF_HELD_ORDER),
)
# A request that ends without a refund lets a held order ship again.
RELEASE_HOLD = (EffectSpec(K.UNBLOCK_SHIPPING, P.HOLDS_SHIPPING),)

_IN_ARB = (Arbitration.IN_PROGRESS,)
# A rejection may be disputed (and closes when the buyer is silent) unless a dispute is
# running: never disputed, or an earlier ruling went for the buyer and the seller then
# rejected again (the returned parcel). Without SUPPORT_BUYER that case had no exit.
_NO_ARB = (Arbitration.NONE, Arbitration.SUPPORT_BUYER)
_SELLER_SIDE = (A.SELLER, A.SYSTEM, A.OPERATOR)


def _request(ref: str, effects: Iterable[EffectSpec] = ()) -> Transition:
    return on(E.REQUEST, frm=S.NEW, to=S.REQUESTED, by=A.BUYER, effects=effects, ref=ref)


def _disputes(rejected: Iterable[S], ref: str) -> tuple[Transition, ...]:
    """Dispute, operator closure and the buyer's silence after a rejection."""
    states = tuple(rejected)
    return (
        on(
            E.DISPUTE,
            frm=states,
            to=None,
            by=A.BUYER,
            arbitration_from=_NO_ARB,
            arbitration_to=Arbitration.IN_PROGRESS,
            ref=f"{ref}; seed 001 appeal; seed 004 arbitration",
        ),
        on(
            E.RULE_FOR_SELLER,
            frm=states,
            to=S.CLOSED,
            by=A.OPERATOR,
            arbitration_from=_IN_ARB,
            arbitration_to=Arbitration.SUPPORT_SELLER,
            effects=RELEASE_HOLD,
            ref="§2b REJECT→CANCEL (ruling for the seller)",
        ),
        on(
            E.CLOSE_ARBITRATION,
            frm=states,
            to=S.CLOSED,
            by=A.OPERATOR,
            arbitration_from=_IN_ARB,
            arbitration_to=Arbitration.CLOSED,
            effects=RELEASE_HOLD,
            ref="§2c arbitration_status CLOSED",
        ),
        on(
            E.CLOSE,
            frm=states,
            to=S.CLOSED,
            by=A.SYSTEM,
            arbitration_from=_NO_ARB,
            effects=RELEASE_HOLD,
            timeout=Window.BUYER_DISPUTE,
            ref="§2b REJECT→CANCEL (system, no arbitration in time); seed 000 3.1-3.3",
        ),
    )


def _offers(
    accept: Iterable[tuple[S, P.Predicate, Iterable[EffectSpec]]], ref: str
) -> tuple[Transition, ...]:
    """The buyer's answers to a seller's offer, and the buyer's silence."""
    out = [
        on(
            E.ACCEPT_OFFER,
            frm=S.AWAITING_BUYER_RESPONSE,
            to=dest,
            by=A.BUYER,
            when=guard,
            effects=effects,
            ref=ref,
        )
        for dest, guard, effects in accept
    ]
    out += [
        on(
            E.DECLINE_OFFER,
            frm=S.AWAITING_BUYER_RESPONSE,
            to=S.REQUESTED,
            by=A.BUYER,
            ref="§2c buyer_rejected_partial_refund=TRUE [I: back to pending]",
        ),
        on(
            E.CLOSE,
            frm=S.AWAITING_BUYER_RESPONSE,
            to=S.CLOSED,
            by=A.SYSTEM,
            effects=RELEASE_HOLD,
            timeout=Window.BUYER_OFFER_RESPONSE,
            ref="[I] a silent buyer loses the request, as for ship-back and dispute",
        ),
    ]
    return tuple(out)


_ACCEPT_PARTIAL = (S.REFUND_COMMITTED, P.OFFER_IS_PARTIAL_REFUND, REFUND)
_ACCEPT_RESHIP = (
    S.RESHIPPED,
    P.OFFER_IS_RESHIPMENT,
    (EffectSpec(K.SEND_MISSING_ITEMS),),
)
_ACCEPT_REPLACE = (
    S.REPLACEMENT_CREATED,
    P.OFFER_IS_REPLACEMENT,
    (EffectSpec(K.CREATE_REPLACEMENT_ORDER),),
)

_COMPLETE_REFUND = on(
    E.COMPLETE_REFUND,
    frm=S.REFUND_COMMITTED,
    to=S.REFUNDED,
    by=(A.SYSTEM, A.OPERATOR),
    arbitration_from=frozenset(Arbitration),
    timeout=Window.REFUND_PROCESSING,
    ref="§2b SUCCESS→COMPLETE (system); §2f CANCELLATION_REQUEST_COMPLETE",
    note="Success means the refund is committed; complete means it was paid.",
)


REFUND_ONLY = declare(
    RequestType.REFUND_ONLY,
    states=(
        S.REQUESTED,
        S.REJECTED,
        S.AWAITING_BUYER_RESPONSE,
        S.REFUND_COMMITTED,
        final(S.REFUNDED),
        final(S.CLOSED),
        final(S.WITHDRAWN),
    ),
    doc="The buyer asks for a refund and keeps the item (platform return_type REFUND).",
    transitions=(
        _request(
            "§2b; seed 000 3.2; seed 004",
            (EffectSpec(K.BLOCK_SHIPPING, P.NOT_SHIPPED),),
        ),
        on(
            E.APPROVE,
            frm=S.REQUESTED,
            to=S.REFUND_COMMITTED,
            by=_SELLER_SIDE,
            effects=REFUND,
            timeout=Window.SELLER_RESPONSE,
            ref="§2b PENDING→SUCCESS (seller/system); seed 000 3.2 Accept Refund; seed 004",
        ),
        on(
            E.REJECT,
            frm=S.REQUESTED,
            to=S.REJECTED,
            by=A.SELLER,
            ref="§2b PENDING→REJECT; seed 000 3.2 Reject Refund; seed 004",
        ),
        on(
            E.OFFER_PARTIAL_REFUND,
            frm=S.REQUESTED,
            to=S.AWAITING_BUYER_RESPONSE,
            by=A.SELLER,
            ref="§2c seller_proposed_return_type PARTIAL_REFUND; §6 item 7",
        ),
        *_offers((_ACCEPT_PARTIAL,), "§2c AWAITING_BUYER_RESPONSE; seed 000 3.1"),
        on(
            E.WITHDRAW,
            frm=(S.REQUESTED, S.REJECTED, S.AWAITING_BUYER_RESPONSE),
            to=S.WITHDRAWN,
            by=A.BUYER,
            effects=RELEASE_HOLD,
            ref="§2b PENDING→CANCEL (buyer)",
        ),
        *_disputes((S.REJECTED,), "§2b REJECT"),
        on(
            E.RULE_FOR_BUYER,
            frm=S.REJECTED,
            to=S.REFUND_COMMITTED,
            by=A.OPERATOR,
            arbitration_from=_IN_ARB,
            arbitration_to=Arbitration.SUPPORT_BUYER,
            effects=REFUND,
            ref="§2b REJECT→SUCCESS (arbitration for the buyer)",
        ),
        _COMPLETE_REFUND,
    ),
)


RETURN_AND_REFUND = declare(
    RequestType.RETURN_AND_REFUND,
    states=(
        S.REQUESTED,
        S.REJECTED,
        S.AWAITING_BUYER_RESPONSE,
        S.AWAITING_BUYER_SHIPMENT,
        S.RETURN_LABEL_ISSUED,
        S.RETURN_IN_TRANSIT,
        S.RETURN_DELIVERED,
        S.RECEIPT_REJECTED,
        S.AWAITING_SELLER_RETURN,
        S.REFUND_COMMITTED,
        final(S.REFUNDED),
        final(S.RESHIPPED),
        final(S.REPLACEMENT_CREATED),
        final(S.CLOSED),
        final(S.WITHDRAWN),
    ),
    doc=(
        "The buyer returns the item and is refunded after the seller checks the parcel; "
        "in the US the seller may also create the return for the buyer."
    ),
    transitions=(
        _request("§2b; seed 004"),
        on(
            E.CREATE_RETURN,
            frm=S.NEW,
            to=S.AWAITING_BUYER_SHIPMENT,
            by=A.SELLER,
            ref=(
                "platform-2026 §1: the seller may create a return for the buyer (US only, "
                "IN_TRANSIT or DELIVERED); §2d Create Return RETURN_AND_REFUND "
                "[I: the seller's own return needs no review: the buyer ships]"
            ),
            note="Who may create it where is the initiative policy's (US sellers only).",
        ),
        on(
            E.APPROVE,
            frm=S.REQUESTED,
            to=S.REFUND_COMMITTED,
            by=A.SELLER,
            when=P.BUYER_KEEPS_ITEM,
            effects=REFUND,
            ref="§6 decision APPROVE_RETURN with buyer_keep_item (payload-shapes §6)",
            note="Approving with buyer_keep_item refunds without a return.",
        ),
        on(
            E.APPROVE,
            frm=S.REQUESTED,
            to=S.AWAITING_BUYER_SHIPMENT,
            by=_SELLER_SIDE,
            timeout=Window.SELLER_RESPONSE,
            ref="§2b PENDING→AWAITING_BUYER_SHIP (seller/system); seed 004 auto-approval",
        ),
        on(E.REJECT, frm=S.REQUESTED, to=S.REJECTED, by=A.SELLER, ref="§2b PENDING→REJECT"),
        on(
            E.OFFER_PARTIAL_REFUND,
            frm=S.REQUESTED,
            to=S.AWAITING_BUYER_RESPONSE,
            by=A.SELLER,
            ref="seed 000 3.1 Partial Refund; §2c PARTIAL_REFUND",
        ),
        on(
            E.PROPOSE_ALTERNATIVE,
            frm=S.REQUESTED,
            to=S.AWAITING_BUYER_RESPONSE,
            by=A.SELLER,
            ref="seed 001: propose exchange or send missing items",
        ),
        *_offers(
            (_ACCEPT_PARTIAL, _ACCEPT_RESHIP, _ACCEPT_REPLACE),
            "seed 000 3.1 (buyer agrees → Refunded); seed 001",
        ),
        on(
            E.GENERATE_LABEL,
            frm=S.AWAITING_BUYER_SHIPMENT,
            to=S.RETURN_LABEL_ISSUED,
            by=(A.SYSTEM, A.LOGISTICS),
            ref="seed 004 Return Label Generated",
        ),
        on(
            E.SHIP_BACK,
            frm=(S.AWAITING_BUYER_SHIPMENT, S.RETURN_LABEL_ISSUED),
            to=S.RETURN_IN_TRANSIT,
            by=(A.BUYER, A.LOGISTICS, A.SYSTEM),
            ref="§2b AWAITING_BUYER_SHIP→BUYER_SHIPPED_ITEM (pickup or tracking upload)",
        ),
        on(
            E.CLOSE,
            frm=(S.AWAITING_BUYER_SHIPMENT, S.RETURN_LABEL_ISSUED),
            to=S.CLOSED,
            by=A.SYSTEM,
            timeout=Window.BUYER_SHIP_BACK,
            ref="§2b AWAITING_BUYER_SHIP (buyer misses the deadline: closed); platform-2026 §6",
        ),
        on(
            E.WITHDRAW,
            frm=(
                S.REQUESTED,
                S.REJECTED,
                S.AWAITING_BUYER_RESPONSE,
                S.AWAITING_BUYER_SHIPMENT,
                S.RETURN_LABEL_ISSUED,
            ),
            to=S.WITHDRAWN,
            by=A.BUYER,
            ref="§2b PENDING→CANCEL (buyer)",
        ),
        on(
            E.PARCEL_DELIVERED,
            frm=S.RETURN_IN_TRANSIT,
            to=S.RETURN_DELIVERED,
            by=(A.LOGISTICS, A.SYSTEM),
            effects=(EffectSpec(K.STOCK_IN),),
            ref="seed 000 part 4 Returned; Part II stock-in",
        ),
        on(
            E.PARCEL_LOST,
            frm=S.RETURN_IN_TRANSIT,
            to=S.REFUND_COMMITTED,
            by=(A.LOGISTICS, A.SYSTEM),
            effects=REFUND,
            timeout=Window.RETURN_TRANSIT,
            ref=(
                "§3 lost package: tracking unchanged > 7 d; platform-2026 §7: the platform "
                "refunds the buyer and compensates the seller (TH, 1-5 business days)"
            ),
        ),
        on(
            E.CONFIRM_RECEIPT,
            frm=S.RETURN_DELIVERED,
            to=S.REFUND_COMMITTED,
            by=_SELLER_SIDE,
            effects=REFUND,
            timeout=Window.SELLER_RECEIPT,
            ref="§2b BUYER_SHIPPED_ITEM→SUCCESS; seed 000 3.1 Confirm Receiving; §3 48 h / ID 8 d",
        ),
        on(
            E.REJECT_RECEIPT,
            frm=S.RETURN_DELIVERED,
            to=S.RECEIPT_REJECTED,
            by=A.SELLER,
            ref="§2b BUYER_SHIPPED_ITEM→REJECT_RECEIVE_PACKAGE; seed 000 3.1; seed 004",
        ),
        on(
            E.REFUND_AFTER_INSPECTION,
            frm=S.RETURN_DELIVERED,
            to=S.REFUND_COMMITTED,
            by=A.SELLER,
            effects=REFUND,
            ref=(
                "platform-2026 §7: US seller inspects the returned item, rejects the package "
                "and enters a partial amount with evidence (Seller Academy 2434329678595882); "
                "§4b OFFER_PARTIAL_REFUND_AFTER_RECEIVING_PKG"
            ),
            note="Commits the payload's amount, at most what each requested line asked.",
        ),
        on(
            E.REQUIRE_RETURN_TO_BUYER,
            frm=S.RECEIPT_REJECTED,
            to=S.AWAITING_SELLER_RETURN,
            by=A.OPERATOR,
            arbitration_from=_IN_ARB,
            arbitration_to=Arbitration.SUPPORT_SELLER,
            ref="platform-2026 §6: VN seller-to-customer return (buyer's appeal unsuccessful)",
        ),
        on(
            E.REQUIRE_RETURN_TO_BUYER,
            frm=S.RECEIPT_REJECTED,
            to=S.AWAITING_SELLER_RETURN,
            by=A.OPERATOR,
            arbitration_from=(Arbitration.NONE,),
            ref="platform-2026 §6: VN seller-to-customer return (the buyer did not appeal)",
        ),
        on(
            E.SHIP_TO_BUYER,
            frm=S.AWAITING_SELLER_RETURN,
            to=S.CLOSED,
            by=A.SELLER,
            ref="platform-2026 §6: VN seller ships the item back within 3 business days",
        ),
        on(
            E.CLOSE,
            frm=S.AWAITING_SELLER_RETURN,
            to=S.CLOSED,
            by=A.SYSTEM,
            timeout=Window.SELLER_RETURN_TO_BUYER,
            ref="platform-2026 §6 [I: the sources name no outcome for a late seller; it closes]",
        ),
        *_disputes((S.REJECTED, S.RECEIPT_REJECTED), "§2b REJECT / REJECT_RECEIVE_PACKAGE"),
        on(
            E.RULE_FOR_BUYER,
            frm=S.REJECTED,
            to=S.AWAITING_BUYER_SHIPMENT,
            by=A.OPERATOR,
            arbitration_from=_IN_ARB,
            arbitration_to=Arbitration.SUPPORT_BUYER,
            ref="§2b REJECT→AWAITING_BUYER_SHIP (arbitration for the buyer)",
        ),
        on(
            E.RULE_FOR_BUYER,
            frm=S.RECEIPT_REJECTED,
            to=S.REFUND_COMMITTED,
            by=A.OPERATOR,
            arbitration_from=_IN_ARB,
            arbitration_to=Arbitration.SUPPORT_BUYER,
            effects=REFUND,
            ref="§2b REJECT_RECEIVE_PACKAGE→SUCCESS (arbitration for the buyer)",
        ),
        _COMPLETE_REFUND,
    ),
)


EXCHANGE = declare(
    RequestType.EXCHANGE,
    states=(
        S.REQUESTED,
        S.REJECTED,
        S.AWAITING_BUYER_RESPONSE,
        S.REFUND_COMMITTED,
        final(S.REFUNDED),
        final(S.REPLACEMENT_CREATED),
        final(S.CLOSED),
        final(S.WITHDRAWN),
    ),
    doc="The buyer asks for a replacement; accepting creates a new order to fulfil.",
    transitions=(
        _request("§2b Replacement; seed 000 3.3"),
        on(
            E.APPROVE,
            frm=S.REQUESTED,
            to=S.REPLACEMENT_CREATED,
            by=_SELLER_SIDE,
            effects=(EffectSpec(K.CREATE_REPLACEMENT_ORDER),),
            timeout=Window.SELLER_REPLACEMENT_RESPONSE,
            ref="§2b PENDING→COMPLETE (seller or system auto-accept); seed 000 Accept Exchange",
        ),
        on(
            E.REJECT,
            frm=S.REQUESTED,
            to=S.REJECTED,
            by=A.SELLER,
            ref="§2b PENDING→REJECT; seed 000 Refuse Exchange",
        ),
        on(
            E.REFUND_INSTEAD,
            frm=S.REQUESTED,
            to=S.REFUND_COMMITTED,
            by=A.SELLER,
            effects=REFUND,
            ref="§2b PENDING→REFUND_SUCCESS; seed 000 3.3 Full Refund",
        ),
        on(
            E.OFFER_PARTIAL_REFUND,
            frm=S.REQUESTED,
            to=S.AWAITING_BUYER_RESPONSE,
            by=A.SELLER,
            ref="seed 000 3.3 Partial Refund",
        ),
        *_offers((_ACCEPT_PARTIAL,), "seed 000 3.3 (negotiated and confirmed → Refunded)"),
        on(
            E.WITHDRAW,
            frm=(S.REQUESTED, S.REJECTED, S.AWAITING_BUYER_RESPONSE),
            to=S.WITHDRAWN,
            by=A.BUYER,
            ref="§2b REPLACEMENT_REQUEST_CANCEL",
        ),
        *_disputes((S.REJECTED,), "§2b REPLACEMENT_REQUEST_REJECT"),
        on(
            E.RULE_FOR_BUYER,
            frm=S.REJECTED,
            to=S.REPLACEMENT_CREATED,
            by=A.OPERATOR,
            arbitration_from=_IN_ARB,
            arbitration_to=Arbitration.SUPPORT_BUYER,
            effects=(EffectSpec(K.CREATE_REPLACEMENT_ORDER),),
            ref="§2b REJECT→COMPLETE (dispute resolved for the buyer)",
        ),
        _COMPLETE_REFUND,
    ),
)


RESHIPMENT = declare(
    RequestType.RESHIPMENT,
    states=(
        S.REQUESTED,
        S.REJECTED,
        S.AWAITING_BUYER_RESPONSE,
        S.REFUND_COMMITTED,
        final(S.REFUNDED),
        final(S.RESHIPPED),
        final(S.REPLACEMENT_CREATED),
        final(S.CLOSED),
        final(S.WITHDRAWN),
    ),
    doc="Items missing or broken: the seller sends them again (seed 001).",
    transitions=(
        _request("seed 001 Reshipment"),
        on(
            E.RESHIP,
            frm=S.REQUESTED,
            to=S.RESHIPPED,
            by=A.SELLER,
            effects=(
                EffectSpec(K.SEND_MISSING_ITEMS, P.MODE_MISSING_ITEMS),
                EffectSpec(K.CREATE_REPLACEMENT_ORDER, P.MODE_REPLACEMENT),
            ),
            ref="seed 001: send the missing items or a replacement",
        ),
        on(
            E.REFUND_INSTEAD,
            frm=S.REQUESTED,
            to=S.REFUND_COMMITTED,
            by=_SELLER_SIDE,
            effects=REFUND,
            timeout=Window.SELLER_RESPONSE,
            ref="§3 48 h seller response [I: a silent seller's reshipment becomes a refund]",
        ),
        on(E.REJECT, frm=S.REQUESTED, to=S.REJECTED, by=A.SELLER, ref="seed 001 review"),
        on(
            E.OFFER_PARTIAL_REFUND,
            frm=S.REQUESTED,
            to=S.AWAITING_BUYER_RESPONSE,
            by=A.SELLER,
            ref="seed 001 alternative solutions",
        ),
        on(
            E.PROPOSE_ALTERNATIVE,
            frm=S.REQUESTED,
            to=S.AWAITING_BUYER_RESPONSE,
            by=A.SELLER,
            ref="seed 001 alternative solutions",
        ),
        *_offers((_ACCEPT_PARTIAL, _ACCEPT_RESHIP, _ACCEPT_REPLACE), "seed 001"),
        on(
            E.WITHDRAW,
            frm=(S.REQUESTED, S.REJECTED, S.AWAITING_BUYER_RESPONSE),
            to=S.WITHDRAWN,
            by=A.BUYER,
            ref="§2b PENDING→CANCEL (buyer)",
        ),
        *_disputes((S.REJECTED,), "seed 001 appeal"),
        on(
            E.RULE_FOR_BUYER,
            frm=S.REJECTED,
            to=S.REFUND_COMMITTED,
            by=A.OPERATOR,
            arbitration_from=_IN_ARB,
            arbitration_to=Arbitration.SUPPORT_BUYER,
            effects=REFUND,
            ref="seed 001 appeal [I: a ruling for the buyer refunds]",
        ),
        _COMPLETE_REFUND,
    ),
)


ABNORMAL_RETURN = declare(
    RequestType.ABNORMAL_RETURN,
    states=(
        S.RETURN_IN_TRANSIT,
        final(S.RETURN_DELIVERED),
        final(S.CLOSED),
    ),
    doc=(
        "A parcel comes back with no request: refused, recalled, buyer unreachable or "
        "a logistics failure (seed 000 §1, §3.4). It shows no after-sales status."
    ),
    transitions=(
        on(
            E.DETECT_RETURN,
            frm=S.NEW,
            to=S.RETURN_IN_TRANSIT,
            by=(A.LOGISTICS, A.SYSTEM, A.OPERATOR),
            ref="seed 000 §1 Abnormal Return",
        ),
        on(
            E.PARCEL_DELIVERED,
            frm=S.RETURN_IN_TRANSIT,
            to=S.RETURN_DELIVERED,
            by=(A.LOGISTICS, A.SYSTEM),
            effects=(EffectSpec(K.STOCK_IN),),
            ref="seed 000 part 4 Returned; Part II stock-in",
        ),
        on(
            E.PARCEL_LOST,
            frm=S.RETURN_IN_TRANSIT,
            to=S.CLOSED,
            by=(A.LOGISTICS, A.SYSTEM),
            timeout=Window.RETURN_TRANSIT,
            ref="§3 lost package: tracking unchanged > 7 days",
        ),
    ),
)


SELLER_REFUND = declare(
    RequestType.SELLER_REFUND,
    states=(
        S.REFUND_COMMITTED,
        final(S.REFUNDED),
    ),
    doc=(
        "The seller refunds on its own initiative, at order, line or partial-line level. "
        "The platform refunds at once: there is no approval step, and a refusal is the "
        "call's synchronous error (a case is opened only once the call succeeded)."
    ),
    transitions=(
        on(
            E.INITIATE_REFUND,
            frm=S.NEW,
            to=S.REFUND_COMMITTED,
            by=A.SELLER,
            effects=REFUND,
            ref=(
                "platform-2026 §3: OVW FAQ, no additional approval, TikTok Shop refunds "
                "automatically; refusals are API errors (25005005); seed 004 blind return"
            ),
            note="Committed at once; the platform's refusal is the request's error.",
        ),
        _COMPLETE_REFUND,
    ),
)


BUYER_CANCELLATION = declare(
    RequestType.BUYER_CANCELLATION,
    states=(
        S.REQUESTED,
        S.REFUND_COMMITTED,
        final(S.REFUNDED),
        final(S.CLOSED),
        final(S.WITHDRAWN),
    ),
    doc=(
        "An order cancellation: asked by the buyer (cancel_type BUYER_CANCEL, needs approval) "
        "or done directly by the seller, system or operator (cancel_type CANCEL)."
    ),
    transitions=(
        _request("§2f CANCELLATION_REQUEST_PENDING"),
        on(
            E.CANCEL_ORDER,
            frm=S.NEW,
            to=S.REFUND_COMMITTED,
            by=_SELLER_SIDE,
            effects=REFUND,
            ref="§2f cancel_type CANCEL (seller/system/operator, direct)",
        ),
        on(
            E.APPROVE,
            frm=S.REQUESTED,
            to=S.REFUND_COMMITTED,
            by=_SELLER_SIDE,
            effects=REFUND,
            timeout=Window.SELLER_CANCELLATION_RESPONSE,
            ref="§2f SUCCESS = accepted by seller/system; §3 48 h, US 24 h",
        ),
        on(
            E.REJECT,
            frm=S.REQUESTED,
            to=S.CLOSED,
            by=A.SELLER,
            ref="§2f Reject Cancellation; CANCELLED = closed",
        ),
        on(
            E.ORDER_SHIPPED,
            frm=S.REQUESTED,
            to=S.CLOSED,
            by=(A.SELLER, A.LOGISTICS),
            ref=(
                "platform-2026 §2: uploading a tracking number to the request refuses it "
                "(shipping without uploading does not: the platform approves)"
            ),
        ),
        on(
            E.WITHDRAW,
            frm=S.REQUESTED,
            to=S.WITHDRAWN,
            by=A.BUYER,
            ref="§2f CANCELLED = closed by the buyer",
        ),
        _COMPLETE_REFUND,
    ),
)


LIFECYCLES: Mapping[RequestType, Lifecycle] = MappingProxyType(
    {
        lc.request_type: lc
        for lc in (
            REFUND_ONLY,
            RETURN_AND_REFUND,
            EXCHANGE,
            RESHIPMENT,
            ABNORMAL_RETURN,
            SELLER_REFUND,
            BUYER_CANCELLATION,
            AFTERSALES_REQUEST,
            RMA,
            SELLER_APPEAL,
        )
    }
)
"""The declared lifecycle of every request type."""

HUMAN_ONLY_ARBITRATION = (
    "While arbitration is in progress only the platform operator (a person) can move the "
    "case: rule_for_buyer, rule_for_seller or close_arbitration. No clock runs."
)
"""The one wait no deadline ends; every other non-terminal state has a timeout."""
