"""Who may start what: initiator x order status x region, as data.

The platform lets a buyer, a seller, its own system or an operator start a
cancellation, a refund or a return only in some order statuses, and some
markets differ (``platform-2026.md`` §1; the overview's "Initiative Policy").
An `InitiativePolicy` holds that table as rules, each with its source:
a rule for a region wins over the rule for every region, so a market's
exception (seller returns in the US only, single-line cancels in the US and
the UK) is a rule, not a branch. The same policy says which request types a
market offers at all (an exchange is Indonesia's and the US's).

`check_opening` is the one check: it raises a typed error naming the
request type, the initiator, the order status and the region.

>>> from tiktok_aftersales.domain.vocabulary import Actor, OrderStatus, RequestType
>>> INITIATIVE.allows(RequestType.RETURN_AND_REFUND, Actor.SELLER, OrderStatus.DELIVERED, "US")
True
>>> INITIATIVE.allows(RequestType.RETURN_AND_REFUND, Actor.SELLER, OrderStatus.DELIVERED, "GB")
False
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any

import attrs

from ..domain.vocabulary import Actor, OrderStatus, Region, RequestKind, RequestType, member
from ..errors import InitiativeRefused, InvalidValue, RequestTypeNotOffered
from .policy import region_code

__all__ = [
    "INITIATIVE",
    "REQUEST_KINDS",
    "InitiativePolicy",
    "InitiativeRow",
    "InitiativeRule",
    "OfferRule",
    "check_opening",
    "initiative_markdown",
    "initiative_table",
]

REQUEST_KINDS: Mapping[RequestType, RequestKind | None] = MappingProxyType(
    {
        RequestType.BUYER_CANCELLATION: RequestKind.CANCEL,
        RequestType.REFUND_ONLY: RequestKind.REFUND,
        RequestType.SELLER_REFUND: RequestKind.REFUND,
        RequestType.RETURN_AND_REFUND: RequestKind.RETURN,
        # [I] a replacement and a batch request are asked for a delivered order, as a return.
        RequestType.EXCHANGE: RequestKind.RETURN,
        RequestType.AFTERSALES_REQUEST: RequestKind.RETURN,
        # Not started by anyone at the platform's initiative table: a Seller Centre flow, a
        # parcel coming back, a package the platform makes, an appeal after a refund.
        RequestType.RESHIPMENT: None,
        RequestType.ABNORMAL_RETURN: None,
        RequestType.RMA: None,
        RequestType.SELLER_APPEAL: None,
    }
)
"""Which of the platform's three request kinds each request type is (``None``: unchecked)."""


def _kind(value: Any) -> RequestKind:
    return member(RequestKind, value, "kind")


def _actor(value: Any) -> Actor:
    return member(Actor, value, "initiator")


def _status(value: Any) -> OrderStatus:
    return member(OrderStatus, value, "status")


def _type(value: Any) -> RequestType:
    return member(RequestType, value, "request_type")


@attrs.frozen
class InitiativeRule:
    """Whether ``initiator`` may start a ``kind`` request while the order is in ``status``.

    Attributes:
        kind: Cancel, refund or return.
        initiator: Who starts it.
        status: The order status.
        allowed: Whether the platform lets it start.
        source: Where the fact comes from (``[I]`` for an inference).
        region: A region code, or ``None`` for every region.
        partial: For a cancel: whether single lines may be cancelled.

    """

    kind: RequestKind = attrs.field(converter=_kind)
    initiator: Actor = attrs.field(converter=_actor)
    status: OrderStatus = attrs.field(converter=_status)
    allowed: bool
    source: str
    region: str | None = attrs.field(default=None, converter=region_code)
    partial: bool = False

    @property
    def key(self) -> tuple[RequestKind, Actor, OrderStatus, str | None]:
        """``(kind, initiator, status, region)``: what the rule decides."""
        return (self.kind, self.initiator, self.status, self.region)


@attrs.frozen
class OfferRule:
    """Whether a region offers a request type at all.

    Attributes:
        request_type: The type.
        offered: Whether the region offers it.
        source: Where the fact comes from.
        region: A region code, or ``None`` for every region.

    """

    request_type: RequestType = attrs.field(converter=_type)
    offered: bool
    source: str
    region: str | None = attrs.field(default=None, converter=region_code)


def _unique(rules: Iterable[InitiativeRule]) -> tuple[InitiativeRule, ...]:
    out = tuple(rules)
    seen: set[tuple[RequestKind, Actor, OrderStatus, str | None]] = set()
    for rule in out:
        if not isinstance(rule, InitiativeRule):
            raise InvalidValue("rules", rule, "an InitiativeRule")
        if rule.key in seen:
            raise InvalidValue(
                "rules", rule.key, "two rules for the same kind, party, status, region"
            )
        seen.add(rule.key)
    return out


@attrs.frozen
class InitiativePolicy:
    """The platform's initiative table and the request types each market offers.

    Look-ups take the rule for the region first, then the rule for every
    region; a combination no rule names is refused (the platform's table
    says "N" for every cell it does not open).

    Attributes:
        rules: The initiative rules.
        offers: The offer rules.

    """

    rules: tuple[InitiativeRule, ...] = attrs.field(converter=_unique)
    offers: tuple[OfferRule, ...] = ()
    _index: Mapping[tuple[RequestKind, Actor, OrderStatus, str | None], InitiativeRule] = (
        attrs.field(init=False, repr=False, eq=False)
    )

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_index", MappingProxyType({r.key: r for r in self.rules}))

    def rule(
        self, kind: RequestKind, initiator: Actor, status: OrderStatus, region: Region | str
    ) -> InitiativeRule | None:
        """The rule that decides this cell for ``region`` (``None``: no rule, refused)."""
        code = region_code(region)
        return self._index.get((kind, initiator, status, code)) or self._index.get(
            (kind, initiator, status, None)
        )

    def offer(self, request_type: RequestType, region: Region | str) -> OfferRule | None:
        """The offer rule for a type in a region (``None``: no rule, offered)."""
        code = region_code(region)
        found = None
        for rule in self.offers:
            if rule.request_type is request_type and rule.region == code:
                return rule
            if rule.request_type is request_type and rule.region is None:
                found = rule
        return found

    def offered(self, request_type: RequestType | str, region: Region | str) -> bool:
        """Whether the region offers the request type at all."""
        rule = self.offer(member(RequestType, request_type, "request_type"), region)
        return rule is None or rule.offered

    def allows(
        self,
        request_type: RequestType | str,
        initiator: Actor | str,
        status: OrderStatus | str,
        region: Region | str,
        *,
        lines: bool = False,
    ) -> bool:
        """Whether `check_opening` would let this opening through."""
        try:
            check_opening(request_type, initiator, status, region, lines=lines, policy=self)
        except InitiativeRefused:
            return False
        return True

    def with_rule(self, rule: InitiativeRule) -> InitiativePolicy:
        """Return a policy where ``rule`` replaces the rule of the same key (or is added)."""
        kept = tuple(r for r in self.rules if r.key != rule.key)
        return attrs.evolve(self, rules=(*kept, rule))


def check_opening(
    request_type: RequestType | str,
    initiator: Actor | str,
    status: OrderStatus | str,
    region: Region | str,
    *,
    lines: bool = False,
    policy: InitiativePolicy | None = None,
) -> None:
    """Refuse an opening the platform would refuse.

    Args:
        request_type: The request type to open.
        initiator: Who starts it.
        status: The order's status now.
        region: The market.
        lines: Whether only some lines are concerned (a partial cancel).
        policy: The table; default `INITIATIVE`.

    Raises:
        RequestTypeNotOffered: The region does not offer the request type.
        InitiativeRefused: The initiator may not start it in this order
            status (or not for single lines) in this region; the error names
            the request type, the initiator, the order status and the region.
        InvalidValue: An argument is malformed.

    """
    table = INITIATIVE if policy is None else policy
    kind_of = member(RequestType, request_type, "request_type")
    who = member(Actor, initiator, "initiator")
    where = region_code(region)
    state = member(OrderStatus, status, "order_status")
    offer = table.offer(kind_of, region)
    if offer is not None and not offer.offered:
        raise RequestTypeNotOffered(
            kind_of, who, state, where, f"the region does not offer it ({offer.source})"
        )
    kind = REQUEST_KINDS.get(kind_of)
    if kind is None:
        return
    rule = table.rule(kind, who, state, region)
    if rule is None or not rule.allowed:
        why = rule.source if rule is not None else "no rule opens it (platform-2026 §1)"
        raise InitiativeRefused(kind_of, who, state, where, f"not allowed ({why})")
    if lines and not rule.partial:
        raise InitiativeRefused(
            kind_of,
            who,
            state,
            where,
            "single lines may not be cancelled here (US and UK sellers only, out of stock; "
            "platform-2026 §1)",
        )


_OVW = "platform-2026 §1 (OVW, Initiative Policy)"
_POLICY = "market policy"
B, SE, SY, OP = Actor.BUYER, Actor.SELLER, Actor.SYSTEM, Actor.OPERATOR
C, R, T = RequestKind.CANCEL, RequestKind.REFUND, RequestKind.RETURN
O = OrderStatus  # noqa: E741 - the table reads O.DELIVERED


def _row(
    kind: RequestKind,
    who: Actor,
    allowed: Iterable[OrderStatus],
    source: str = _OVW,
    region: str | None = None,
    partial: bool = False,
) -> tuple[InitiativeRule, ...]:
    return tuple(InitiativeRule(kind, who, s, True, source, region, partial) for s in allowed)


_SELLER_CANCEL = (O.ON_HOLD, O.AWAITING_SHIPMENT, O.AWAITING_COLLECTION)
_RULES = (
    # buyers cancel before collection; never single lines
    *_row(C, B, (O.UNPAID, O.ON_HOLD, O.AWAITING_SHIPMENT)),
    # sellers cancel an unshipped order (AWAITING_SHIPMENT: "market policy"; platform-api §2f
    # says a seller cancel is possible there)
    *_row(C, SE, _SELLER_CANCEL, f"{_OVW}; platform-api.md §2f seller cancel statuses"),
    *_row(C, SE, _SELLER_CANCEL, f"{_OVW}: US and UK sellers cancel single lines", "US", True),
    *_row(C, SE, _SELLER_CANCEL, f"{_OVW}: US and UK sellers cancel single lines", "GB", True),
    # the platform's own cancellations (unpaid timeouts, failed deliveries) and customer service
    *_row(C, SY, (O.UNPAID, O.ON_HOLD, O.AWAITING_SHIPMENT, O.AWAITING_COLLECTION), "[I] §1"),
    *_row(C, OP, (O.ON_HOLD, O.AWAITING_SHIPMENT, O.AWAITING_COLLECTION), "[I] §1 operator"),
    # buyer refunds (IN_TRANSIT: "market policy" [I: allowed, the platform decides])
    *_row(R, B, (O.AWAITING_COLLECTION, O.DELIVERED)),
    *_row(R, B, (O.IN_TRANSIT,), f"{_OVW}: {_POLICY} [I: allowed]"),
    # seller refunds: AWAITING_COLLECTION (table) or DELIVERED (policy text, market policy)
    *_row(R, SE, (O.AWAITING_COLLECTION, O.DELIVERED), f"{_OVW}: table and policy text"),
    *_row(
        R,
        SE,
        (O.IN_TRANSIT,),
        "platform-2026 §3: TH seller refunds In Transit or Delivered",
        "TH",
    ),
    *_row(R, SY, (O.IN_TRANSIT, O.DELIVERED), "[I] §1: lost parcels refund automatically"),
    *_row(R, OP, (O.AWAITING_COLLECTION, O.IN_TRANSIT, O.DELIVERED), "[I] §1 operator"),
    # returns: buyers once delivered; sellers only in the US (IN_TRANSIT, DELIVERED)
    *_row(T, B, (O.DELIVERED,)),
    *_row(T, SE, (O.IN_TRANSIT, O.DELIVERED), f"{_OVW}: seller returns, US only", "US"),
    *_row(T, OP, (O.DELIVERED,), "[I] §1 operator"),
)

_OFFERS = (
    OfferRule(
        RequestType.EXCHANGE,
        False,
        "platform-2026 §8: seed 000, exchange only in Indonesia; REPLACEMENT links a US policy",
    ),
    OfferRule(RequestType.EXCHANGE, True, "platform-2026 §8: seed 000 (Indonesia)", "ID"),
    OfferRule(RequestType.EXCHANGE, True, "platform-2026 §8: US Item Replacement for Orders", "US"),
)

INITIATIVE = InitiativePolicy(_RULES, _OFFERS)
"""The platform's published initiative table (``platform-2026.md`` §1, §8)."""

del B, SE, SY, OP, C, R, T, O


@attrs.frozen
class InitiativeRow:
    """One row of `initiative_table`: a request kind and party over the order statuses."""

    request: str
    initiator: str
    region: str
    cells: tuple[str, ...]


def initiative_table(policy: InitiativePolicy = INITIATIVE) -> list[InitiativeRow]:
    """The initiative rules as rows per ``(kind, initiator, region)``, for the docs.

    A cell says ``yes``, ``lines`` (single lines too), ``no`` or ``-`` (no
    rule: refused).
    """
    keys = sorted(
        {(r.kind, r.initiator, r.region) for r in policy.rules},
        key=lambda k: (list(RequestKind).index(k[0]), list(Actor).index(k[1]), k[2] or ""),
    )
    rows: list[InitiativeRow] = []
    for kind, who, region in keys:
        cells = []
        for status in OrderStatus:
            found = policy._index.get((kind, who, status, region))
            if found is None:
                cells.append("-")
            elif not found.allowed:
                cells.append("no")
            else:
                cells.append("lines" if found.partial else "yes")
        rows.append(InitiativeRow(kind.value, who.value, region or "any", tuple(cells)))
    return rows


def initiative_markdown(policy: InitiativePolicy = INITIATIVE) -> str:
    """`initiative_table` as a Markdown table, one column per order status."""
    head = "| request | initiator | region | " + " | ".join(s.value for s in OrderStatus) + " |"
    rule = "|" + "---|" * (3 + len(OrderStatus))
    body = [
        f"| {r.request} | {r.initiator} | {r.region} | " + " | ".join(r.cells) + " |"
        for r in initiative_table(policy)
    ]
    return "\n".join([head, rule, *body])
