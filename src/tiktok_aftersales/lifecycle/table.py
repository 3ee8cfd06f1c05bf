"""THE lifecycle declaration: every request type's states and transitions.

This module is the one source of the after-sales rules. Every other view of
them (the pure engine, the ``transitions`` machines, deadlines, diagrams,
vocabulary tables, the docs) is derived from :data:`LIFECYCLES`.

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
from .declaration import NOT_IN_ARBITRATION, EffectSpec, Lifecycle, Transition

__all__ = ["HUMAN_ONLY_ARBITRATION", "LIFECYCLES"]


def _t(
    event: str,
    sources: S | Iterable[S],
    dest: S | None,
    actors: A | Iterable[A],
    *,
    guard: str | None = None,
    arbitration_from: Iterable[Arbitration] = NOT_IN_ARBITRATION,
    arbitration_to: Arbitration | None = None,
    effects: Iterable[EffectSpec] = (),
    timeout: Window | None = None,
    refund: str | None = None,
    ref: str = "",
    note: str = "",
) -> Transition:
    return Transition(
        event=event,
        sources=frozenset([sources] if isinstance(sources, S) else sources),
        dest=dest,
        actors=frozenset([actors] if isinstance(actors, A) else actors),
        guard=guard,
        arbitration_from=frozenset(arbitration_from),
        arbitration_to=arbitration_to,
        effects=tuple(effects),
        timeout=timeout,
        refund=refund,
        ref=ref,
        note=note,
    )


# Effects that go with committing a refund: the refund itself, and what it means for stock
# and for an order held from shipping (seed 000 Part II, tips 1 and 2).
REFUND = (
    EffectSpec(K.ISSUE_REFUND),
    EffectSpec(K.RELEASE_STOCK, "releases_stock"),
    EffectSpec(K.MANUAL_STOCK_IN, "needs_manual_stock_in"),
    EffectSpec(K.UNBLOCK_SHIPPING, "partial_refund_of_held_order"),
)
# A request that ends without a refund lets a held order ship again.
RELEASE_HOLD = (EffectSpec(K.UNBLOCK_SHIPPING, "holds_shipping"),)

_IN_ARB = (Arbitration.IN_PROGRESS,)
# A rejection may be disputed (and closes when the buyer is silent) unless a dispute is
# running: never disputed, or an earlier ruling went for the buyer and the seller then
# rejected again (the returned parcel). Without SUPPORT_BUYER that case had no exit.
_NO_ARB = (Arbitration.NONE, Arbitration.SUPPORT_BUYER)
_SELLER_SIDE = (A.SELLER, A.SYSTEM, A.OPERATOR)


def _states(*states: S) -> tuple[S, ...]:
    return (S.NEW, *states)


def _request(ref: str, effects: Iterable[EffectSpec] = ()) -> Transition:
    return _t("request", S.NEW, S.REQUESTED, A.BUYER, effects=effects, ref=ref)


def _disputes(rejected: Iterable[S], ref: str) -> tuple[Transition, ...]:
    """Dispute, operator closure and the buyer's silence after a rejection."""
    states = tuple(rejected)
    return (
        _t(
            "dispute",
            states,
            None,
            A.BUYER,
            arbitration_from=_NO_ARB,
            arbitration_to=Arbitration.IN_PROGRESS,
            ref=f"{ref}; seed 001 appeal; seed 004 arbitration",
        ),
        _t(
            "rule_for_seller",
            states,
            S.CLOSED,
            A.OPERATOR,
            arbitration_from=_IN_ARB,
            arbitration_to=Arbitration.SUPPORT_SELLER,
            effects=RELEASE_HOLD,
            ref="§2b REJECT→CANCEL (ruling for the seller)",
        ),
        _t(
            "close_arbitration",
            states,
            S.CLOSED,
            A.OPERATOR,
            arbitration_from=_IN_ARB,
            arbitration_to=Arbitration.CLOSED,
            effects=RELEASE_HOLD,
            ref="§2c arbitration_status CLOSED",
        ),
        _t(
            "close",
            states,
            S.CLOSED,
            A.SYSTEM,
            arbitration_from=_NO_ARB,
            effects=RELEASE_HOLD,
            timeout=Window.BUYER_DISPUTE,
            ref="§2b REJECT→CANCEL (system, no arbitration in time); seed 000 3.1-3.3",
        ),
    )


def _offers(
    accept: Iterable[tuple[S, str, Iterable[EffectSpec], str | None]], ref: str
) -> tuple[Transition, ...]:
    """The buyer's answers to a seller's offer, and the buyer's silence."""
    out = [
        _t(
            "accept_offer",
            S.AWAITING_BUYER_RESPONSE,
            dest,
            A.BUYER,
            guard=guard,
            effects=effects,
            refund=refund,
            ref=ref,
        )
        for dest, guard, effects, refund in accept
    ]
    out += [
        _t(
            "decline_offer",
            S.AWAITING_BUYER_RESPONSE,
            S.REQUESTED,
            A.BUYER,
            ref="§2c buyer_rejected_partial_refund=TRUE [I: back to pending]",
        ),
        _t(
            "close",
            S.AWAITING_BUYER_RESPONSE,
            S.CLOSED,
            A.SYSTEM,
            effects=RELEASE_HOLD,
            timeout=Window.BUYER_OFFER_RESPONSE,
            ref="[I] a silent buyer loses the request, as for ship-back and dispute",
        ),
    ]
    return tuple(out)


_ACCEPT_PARTIAL = (S.REFUND_COMMITTED, "offer_is_partial_refund", REFUND, "offer")
_ACCEPT_RESHIP = (
    S.RESHIPPED,
    "offer_is_reshipment",
    (EffectSpec(K.SEND_MISSING_ITEMS),),
    None,
)
_ACCEPT_REPLACE = (
    S.REPLACEMENT_CREATED,
    "offer_is_replacement",
    (EffectSpec(K.CREATE_REPLACEMENT_ORDER),),
    None,
)

_COMPLETE_REFUND = _t(
    "complete_refund",
    S.REFUND_COMMITTED,
    S.REFUNDED,
    (A.SYSTEM, A.OPERATOR),
    arbitration_from=frozenset(Arbitration),
    timeout=Window.REFUND_PROCESSING,
    ref="§2b SUCCESS→COMPLETE (system); §2f CANCELLATION_REQUEST_COMPLETE",
    note="Success means the refund is committed; complete means it was paid.",
)


REFUND_ONLY = Lifecycle(
    RequestType.REFUND_ONLY,
    states=_states(
        S.REQUESTED,
        S.REJECTED,
        S.AWAITING_BUYER_RESPONSE,
        S.REFUND_COMMITTED,
        S.REFUNDED,
        S.CLOSED,
        S.WITHDRAWN,
    ),
    doc="The buyer asks for a refund and keeps the item (platform return_type REFUND).",
    terminal=frozenset({S.REFUNDED, S.CLOSED, S.WITHDRAWN}),
    transitions=(
        _request(
            "§2b; seed 000 3.2; seed 004",
            (EffectSpec(K.BLOCK_SHIPPING, "not_shipped"),),
        ),
        _t(
            "approve",
            S.REQUESTED,
            S.REFUND_COMMITTED,
            _SELLER_SIDE,
            effects=REFUND,
            timeout=Window.SELLER_RESPONSE,
            refund="requested",
            ref="§2b PENDING→SUCCESS (seller/system); seed 000 3.2 Accept Refund; seed 004",
        ),
        _t(
            "reject",
            S.REQUESTED,
            S.REJECTED,
            A.SELLER,
            ref="§2b PENDING→REJECT; seed 000 3.2 Reject Refund; seed 004",
        ),
        _t(
            "offer_partial_refund",
            S.REQUESTED,
            S.AWAITING_BUYER_RESPONSE,
            A.SELLER,
            ref="§2c seller_proposed_return_type PARTIAL_REFUND; §6 item 7",
        ),
        *_offers((_ACCEPT_PARTIAL,), "§2c AWAITING_BUYER_RESPONSE; seed 000 3.1"),
        _t(
            "withdraw",
            (S.REQUESTED, S.REJECTED, S.AWAITING_BUYER_RESPONSE),
            S.WITHDRAWN,
            A.BUYER,
            effects=RELEASE_HOLD,
            ref="§2b PENDING→CANCEL (buyer)",
        ),
        *_disputes((S.REJECTED,), "§2b REJECT"),
        _t(
            "rule_for_buyer",
            S.REJECTED,
            S.REFUND_COMMITTED,
            A.OPERATOR,
            arbitration_from=_IN_ARB,
            arbitration_to=Arbitration.SUPPORT_BUYER,
            effects=REFUND,
            refund="requested",
            ref="§2b REJECT→SUCCESS (arbitration for the buyer)",
        ),
        _COMPLETE_REFUND,
    ),
)


RETURN_AND_REFUND = Lifecycle(
    RequestType.RETURN_AND_REFUND,
    states=_states(
        S.REQUESTED,
        S.REJECTED,
        S.AWAITING_BUYER_RESPONSE,
        S.AWAITING_BUYER_SHIPMENT,
        S.RETURN_LABEL_ISSUED,
        S.RETURN_IN_TRANSIT,
        S.RETURN_DELIVERED,
        S.RECEIPT_REJECTED,
        S.REFUND_COMMITTED,
        S.REFUNDED,
        S.RESHIPPED,
        S.REPLACEMENT_CREATED,
        S.CLOSED,
        S.WITHDRAWN,
    ),
    doc="The buyer returns the item and is refunded after the seller checks the parcel.",
    terminal=frozenset({S.REFUNDED, S.CLOSED, S.WITHDRAWN, S.RESHIPPED, S.REPLACEMENT_CREATED}),
    transitions=(
        _request("§2b; seed 004"),
        _t(
            "approve",
            S.REQUESTED,
            S.REFUND_COMMITTED,
            A.SELLER,
            guard="buyer_keeps_item",
            effects=REFUND,
            refund="requested",
            ref="§6 decision APPROVE_RETURN with buyer_keep_item (payload-shapes §6)",
            note="Approving with buyer_keep_item refunds without a return.",
        ),
        _t(
            "approve",
            S.REQUESTED,
            S.AWAITING_BUYER_SHIPMENT,
            _SELLER_SIDE,
            timeout=Window.SELLER_RESPONSE,
            ref="§2b PENDING→AWAITING_BUYER_SHIP (seller/system); seed 004 auto-approval",
        ),
        _t("reject", S.REQUESTED, S.REJECTED, A.SELLER, ref="§2b PENDING→REJECT"),
        _t(
            "offer_partial_refund",
            S.REQUESTED,
            S.AWAITING_BUYER_RESPONSE,
            A.SELLER,
            ref="seed 000 3.1 Partial Refund; §2c PARTIAL_REFUND",
        ),
        _t(
            "propose_alternative",
            S.REQUESTED,
            S.AWAITING_BUYER_RESPONSE,
            A.SELLER,
            ref="seed 001: propose exchange or send missing items",
        ),
        *_offers(
            (_ACCEPT_PARTIAL, _ACCEPT_RESHIP, _ACCEPT_REPLACE),
            "seed 000 3.1 (buyer agrees → Refunded); seed 001",
        ),
        _t(
            "generate_label",
            S.AWAITING_BUYER_SHIPMENT,
            S.RETURN_LABEL_ISSUED,
            (A.SYSTEM, A.LOGISTICS),
            ref="seed 004 Return Label Generated",
        ),
        _t(
            "ship_back",
            (S.AWAITING_BUYER_SHIPMENT, S.RETURN_LABEL_ISSUED),
            S.RETURN_IN_TRANSIT,
            (A.BUYER, A.LOGISTICS, A.SYSTEM),
            ref="§2b AWAITING_BUYER_SHIP→BUYER_SHIPPED_ITEM (pickup or tracking upload)",
        ),
        _t(
            "close",
            (S.AWAITING_BUYER_SHIPMENT, S.RETURN_LABEL_ISSUED),
            S.CLOSED,
            A.SYSTEM,
            timeout=Window.BUYER_SHIP_BACK,
            ref="§2b AWAITING_BUYER_SHIP (buyer misses the deadline: closed); §3 ID 5 days",
        ),
        _t(
            "withdraw",
            (
                S.REQUESTED,
                S.REJECTED,
                S.AWAITING_BUYER_RESPONSE,
                S.AWAITING_BUYER_SHIPMENT,
                S.RETURN_LABEL_ISSUED,
            ),
            S.WITHDRAWN,
            A.BUYER,
            ref="§2b PENDING→CANCEL (buyer)",
        ),
        _t(
            "parcel_delivered",
            S.RETURN_IN_TRANSIT,
            S.RETURN_DELIVERED,
            (A.LOGISTICS, A.SYSTEM),
            effects=(EffectSpec(K.STOCK_IN),),
            ref="seed 000 part 4 Returned; Part II stock-in",
        ),
        _t(
            "parcel_lost",
            S.RETURN_IN_TRANSIT,
            S.REFUND_COMMITTED,
            (A.LOGISTICS, A.SYSTEM),
            effects=REFUND,
            timeout=Window.RETURN_TRANSIT,
            refund="requested",
            ref="§3 lost package: tracking unchanged > 7 d [I: the shipper is refunded]",
        ),
        _t(
            "confirm_receipt",
            S.RETURN_DELIVERED,
            S.REFUND_COMMITTED,
            _SELLER_SIDE,
            effects=REFUND,
            timeout=Window.SELLER_RECEIPT,
            refund="requested",
            ref="§2b BUYER_SHIPPED_ITEM→SUCCESS; seed 000 3.1 Confirm Receiving; §3 48 h / ID 8 d",
        ),
        _t(
            "reject_receipt",
            S.RETURN_DELIVERED,
            S.RECEIPT_REJECTED,
            A.SELLER,
            ref="§2b BUYER_SHIPPED_ITEM→REJECT_RECEIVE_PACKAGE; seed 000 3.1; seed 004",
        ),
        *_disputes((S.REJECTED, S.RECEIPT_REJECTED), "§2b REJECT / REJECT_RECEIVE_PACKAGE"),
        _t(
            "rule_for_buyer",
            S.REJECTED,
            S.AWAITING_BUYER_SHIPMENT,
            A.OPERATOR,
            arbitration_from=_IN_ARB,
            arbitration_to=Arbitration.SUPPORT_BUYER,
            ref="§2b REJECT→AWAITING_BUYER_SHIP (arbitration for the buyer)",
        ),
        _t(
            "rule_for_buyer",
            S.RECEIPT_REJECTED,
            S.REFUND_COMMITTED,
            A.OPERATOR,
            arbitration_from=_IN_ARB,
            arbitration_to=Arbitration.SUPPORT_BUYER,
            effects=REFUND,
            refund="requested",
            ref="§2b REJECT_RECEIVE_PACKAGE→SUCCESS (arbitration for the buyer)",
        ),
        _COMPLETE_REFUND,
    ),
)


EXCHANGE = Lifecycle(
    RequestType.EXCHANGE,
    states=_states(
        S.REQUESTED,
        S.REJECTED,
        S.AWAITING_BUYER_RESPONSE,
        S.REFUND_COMMITTED,
        S.REFUNDED,
        S.REPLACEMENT_CREATED,
        S.CLOSED,
        S.WITHDRAWN,
    ),
    doc="The buyer asks for a replacement; accepting creates a new order to fulfil.",
    terminal=frozenset({S.REPLACEMENT_CREATED, S.REFUNDED, S.CLOSED, S.WITHDRAWN}),
    transitions=(
        _request("§2b Replacement; seed 000 3.3"),
        _t(
            "approve",
            S.REQUESTED,
            S.REPLACEMENT_CREATED,
            _SELLER_SIDE,
            effects=(EffectSpec(K.CREATE_REPLACEMENT_ORDER),),
            timeout=Window.SELLER_REPLACEMENT_RESPONSE,
            ref="§2b PENDING→COMPLETE (seller or system auto-accept); seed 000 Accept Exchange",
        ),
        _t(
            "reject",
            S.REQUESTED,
            S.REJECTED,
            A.SELLER,
            ref="§2b PENDING→REJECT; seed 000 Refuse Exchange",
        ),
        _t(
            "refund_instead",
            S.REQUESTED,
            S.REFUND_COMMITTED,
            A.SELLER,
            effects=REFUND,
            refund="requested",
            ref="§2b PENDING→REFUND_SUCCESS; seed 000 3.3 Full Refund",
        ),
        _t(
            "offer_partial_refund",
            S.REQUESTED,
            S.AWAITING_BUYER_RESPONSE,
            A.SELLER,
            ref="seed 000 3.3 Partial Refund",
        ),
        *_offers((_ACCEPT_PARTIAL,), "seed 000 3.3 (negotiated and confirmed → Refunded)"),
        _t(
            "withdraw",
            (S.REQUESTED, S.REJECTED, S.AWAITING_BUYER_RESPONSE),
            S.WITHDRAWN,
            A.BUYER,
            ref="§2b REPLACEMENT_REQUEST_CANCEL",
        ),
        *_disputes((S.REJECTED,), "§2b REPLACEMENT_REQUEST_REJECT"),
        _t(
            "rule_for_buyer",
            S.REJECTED,
            S.REPLACEMENT_CREATED,
            A.OPERATOR,
            arbitration_from=_IN_ARB,
            arbitration_to=Arbitration.SUPPORT_BUYER,
            effects=(EffectSpec(K.CREATE_REPLACEMENT_ORDER),),
            ref="§2b REJECT→COMPLETE (dispute resolved for the buyer)",
        ),
        _COMPLETE_REFUND,
    ),
)


RESHIPMENT = Lifecycle(
    RequestType.RESHIPMENT,
    states=_states(
        S.REQUESTED,
        S.REJECTED,
        S.AWAITING_BUYER_RESPONSE,
        S.REFUND_COMMITTED,
        S.REFUNDED,
        S.RESHIPPED,
        S.REPLACEMENT_CREATED,
        S.CLOSED,
        S.WITHDRAWN,
    ),
    doc="Items missing or broken: the seller sends them again (seed 001).",
    terminal=frozenset({S.RESHIPPED, S.REPLACEMENT_CREATED, S.REFUNDED, S.CLOSED, S.WITHDRAWN}),
    transitions=(
        _request("seed 001 Reshipment"),
        _t(
            "reship",
            S.REQUESTED,
            S.RESHIPPED,
            A.SELLER,
            effects=(
                EffectSpec(K.SEND_MISSING_ITEMS, "mode_missing_items"),
                EffectSpec(K.CREATE_REPLACEMENT_ORDER, "mode_replacement"),
            ),
            ref="seed 001: send the missing items or a replacement",
        ),
        _t(
            "refund_instead",
            S.REQUESTED,
            S.REFUND_COMMITTED,
            _SELLER_SIDE,
            effects=REFUND,
            timeout=Window.SELLER_RESPONSE,
            refund="requested",
            ref="§3 48 h seller response [I: a silent seller's reshipment becomes a refund]",
        ),
        _t("reject", S.REQUESTED, S.REJECTED, A.SELLER, ref="seed 001 review"),
        _t(
            "offer_partial_refund",
            S.REQUESTED,
            S.AWAITING_BUYER_RESPONSE,
            A.SELLER,
            ref="seed 001 alternative solutions",
        ),
        _t(
            "propose_alternative",
            S.REQUESTED,
            S.AWAITING_BUYER_RESPONSE,
            A.SELLER,
            ref="seed 001 alternative solutions",
        ),
        *_offers((_ACCEPT_PARTIAL, _ACCEPT_RESHIP, _ACCEPT_REPLACE), "seed 001"),
        _t(
            "withdraw",
            (S.REQUESTED, S.REJECTED, S.AWAITING_BUYER_RESPONSE),
            S.WITHDRAWN,
            A.BUYER,
            ref="§2b PENDING→CANCEL (buyer)",
        ),
        *_disputes((S.REJECTED,), "seed 001 appeal"),
        _t(
            "rule_for_buyer",
            S.REJECTED,
            S.REFUND_COMMITTED,
            A.OPERATOR,
            arbitration_from=_IN_ARB,
            arbitration_to=Arbitration.SUPPORT_BUYER,
            effects=REFUND,
            refund="requested",
            ref="seed 001 appeal [I: a ruling for the buyer refunds]",
        ),
        _COMPLETE_REFUND,
    ),
)


ABNORMAL_RETURN = Lifecycle(
    RequestType.ABNORMAL_RETURN,
    states=_states(S.RETURN_IN_TRANSIT, S.RETURN_DELIVERED, S.CLOSED),
    doc=(
        "A parcel comes back with no request: refused, recalled, buyer unreachable or "
        "a logistics failure (seed 000 §1, §3.4). It shows no after-sales status."
    ),
    terminal=frozenset({S.RETURN_DELIVERED, S.CLOSED}),
    transitions=(
        _t(
            "detect_return",
            S.NEW,
            S.RETURN_IN_TRANSIT,
            (A.LOGISTICS, A.SYSTEM, A.OPERATOR),
            ref="seed 000 §1 Abnormal Return",
        ),
        _t(
            "parcel_delivered",
            S.RETURN_IN_TRANSIT,
            S.RETURN_DELIVERED,
            (A.LOGISTICS, A.SYSTEM),
            effects=(EffectSpec(K.STOCK_IN),),
            ref="seed 000 part 4 Returned; Part II stock-in",
        ),
        _t(
            "parcel_lost",
            S.RETURN_IN_TRANSIT,
            S.CLOSED,
            (A.LOGISTICS, A.SYSTEM),
            timeout=Window.RETURN_TRANSIT,
            ref="§3 lost package: tracking unchanged > 7 days",
        ),
    ),
)


SELLER_REFUND = Lifecycle(
    RequestType.SELLER_REFUND,
    states=_states(S.REQUESTED, S.REFUND_COMMITTED, S.REFUNDED, S.CLOSED),
    doc="The seller refunds on its own initiative, at order, line or partial-line level.",
    terminal=frozenset({S.REFUNDED, S.CLOSED}),
    transitions=(
        _t(
            "initiate_refund",
            S.NEW,
            S.REQUESTED,
            A.SELLER,
            ref="seed 004 Seller-Initiated Refund (Blind-Return)",
        ),
        _t(
            "approve",
            S.REQUESTED,
            S.REFUND_COMMITTED,
            (A.OPERATOR, A.SYSTEM),
            effects=REFUND,
            timeout=Window.REFUND_PROCESSING,
            refund="requested",
            ref="seed 004: TikTok Shop verifies and attempts the refund",
        ),
        _t(
            "reject",
            S.REQUESTED,
            S.CLOSED,
            (A.OPERATOR, A.SYSTEM),
            ref="seed 004 verification; §2e 25005005 refund larger than refundable",
        ),
        _COMPLETE_REFUND,
    ),
)


BUYER_CANCELLATION = Lifecycle(
    RequestType.BUYER_CANCELLATION,
    states=_states(S.REQUESTED, S.REFUND_COMMITTED, S.REFUNDED, S.CLOSED, S.WITHDRAWN),
    doc=(
        "An order cancellation: asked by the buyer (cancel_type BUYER_CANCEL, needs approval) "
        "or done directly by the seller, system or operator (cancel_type CANCEL)."
    ),
    terminal=frozenset({S.REFUNDED, S.CLOSED, S.WITHDRAWN}),
    transitions=(
        _request("§2f CANCELLATION_REQUEST_PENDING"),
        _t(
            "cancel_order",
            S.NEW,
            S.REFUND_COMMITTED,
            _SELLER_SIDE,
            effects=REFUND,
            refund="requested",
            ref="§2f cancel_type CANCEL (seller/system/operator, direct)",
        ),
        _t(
            "approve",
            S.REQUESTED,
            S.REFUND_COMMITTED,
            _SELLER_SIDE,
            effects=REFUND,
            timeout=Window.SELLER_CANCELLATION_RESPONSE,
            refund="requested",
            ref="§2f SUCCESS = accepted by seller/system; §3 48 h, US 24 h",
        ),
        _t(
            "reject",
            S.REQUESTED,
            S.CLOSED,
            A.SELLER,
            ref="§2f Reject Cancellation; CANCELLED = closed",
        ),
        _t(
            "order_shipped",
            S.REQUESTED,
            S.CLOSED,
            (A.SELLER, A.LOGISTICS),
            ref="§2f US: shipping a package rejects a pending buyer cancel",
        ),
        _t(
            "withdraw",
            S.REQUESTED,
            S.WITHDRAWN,
            A.BUYER,
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
        )
    }
)
"""The declared lifecycle of every request type."""

HUMAN_ONLY_ARBITRATION = (
    "While arbitration is in progress only the platform operator (a person) can move the "
    "case: rule_for_buyer, rule_for_seller or close_arbitration. No clock runs."
)
"""The one wait no deadline ends; every other non-terminal state has a timeout."""
