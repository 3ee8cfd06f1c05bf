"""Deadline policies as values: how long each window of the lifecycle lasts.

The lifecycle declaration ([`tiktok_aftersales.lifecycle.table`][tiktok_aftersales.lifecycle.table])
says *which* transition the clock fires when a window runs out; a
[`Policy`][tiktok_aftersales.deadlines.policy.Policy] says *how long* each window is, per region and
request type. Policies are frozen, comparable and serialisable
([`Policy.to_dict`][tiktok_aftersales.deadlines.policy.Policy.to_dict]), so an analyst can keep
several side by side and replay the same cases under each.

A window's length is looked up from the most specific rule:
``(region, request type)``, then ``(region, any type)``, then
``(any region, request type)``, then ``(any region, any type)``. Every policy
has a rule of the last kind for every [`Window`][tiktok_aftersales.domain.vocabulary.Window], so
a lookup never fails.

Defaults come from ``shared/reference/platform-api.md`` §3, corrected by
``platform-2026.md`` §6 (replacement 24 h, ship-back US 14 d and ID 10 d,
refund-only one working day in TH and VN); each rule
carries its source, and ``[I]`` marks an inference where the sources give no
number.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from types import MappingProxyType
from typing import Any

import attrs

from ..domain.calendars import Duration, WorkingCalendar, as_date
from ..domain.vocabulary import Actor, Region, RequestType, Window, member
from ..errors import InvalidValue

__all__ = [
    "CHANNEL_MANAGER_POLICY",
    "DEFAULT_POLICY",
    "POLICIES",
    "WINDOW_ACTORS",
    "Policy",
    "PolicyRow",
    "WindowRule",
    "named_policy",
    "policy_table",
    "region_code",
    "to_markdown",
]


def _window_actor(window: Window) -> Actor:
    if window.value.startswith("seller_"):
        return Actor.SELLER
    if window.value.startswith("buyer_"):
        return Actor.BUYER
    if window is Window.RETURN_TRANSIT:
        return Actor.LOGISTICS
    return Actor.OPERATOR  # refund processing


WINDOW_ACTORS: Mapping[Window, Actor] = MappingProxyType({w: _window_actor(w) for w in Window})
"""Who must act before each window runs out (read from the window's name).

Seller windows belong to the seller, buyer windows to the buyer; the
platform must pay a committed refund, and the carrier must move a parcel.
"""


def region_code(value: Any) -> str | None:
    """A market's two-letter code from a code or a `Region` (``None``: any market).

    Raises:
        InvalidValue: ``value`` is neither ``None``, a `Region` nor a two-letter code.

    """
    if value is None:
        return None
    if isinstance(value, Region):
        return value.code
    if isinstance(value, str) and len(value.strip()) == 2 and value.strip().isalpha():
        return value.strip().upper()
    raise InvalidValue("region", value, "a two-letter region code, a Region, or None (any)")


def _request_type(value: Any) -> RequestType | None:
    if value is None:
        return None
    try:
        return RequestType(value)
    except ValueError:
        raise InvalidValue(
            "request_type", value, f"one of {', '.join(t.value for t in RequestType)} or None"
        ) from None


def _window(value: Any) -> Window:
    return member(Window, value, "window")


def _duration(value: Any) -> Duration:
    if isinstance(value, Mapping):
        try:
            return Duration(value["amount"], value["unit"])
        except (KeyError, ValueError):
            raise InvalidValue("duration", value, "{'amount': int, 'unit': ...}") from None
    return Duration.parse(value)


def _text(field: str, value: Any) -> str:
    if not isinstance(value, str):
        raise InvalidValue(field, value, "a string")
    return value


@attrs.frozen
class WindowRule:
    """How long one window lasts for a region and request type, and why.

    Attributes:
        window: The window.
        duration: Its length.
        source: Where the number comes from (``[I]`` for an inference).
        region: A region code, or ``None`` for every region.
        request_type: A request type, or ``None`` for every type.
        starts_after: An event whose last occurrence starts the window
            instead of the case's entry into the waiting state (Indonesia
            counts the receipt check from the buyer's shipment upload,
            ``"ship_back"``). ``None``: the window starts when the case
            entered the state(s) it waits in.

    """

    window: Window = attrs.field(converter=_window)
    duration: Duration = attrs.field(converter=_duration)
    source: str = attrs.field(default="", validator=lambda _s, _a, v: _text("source", v))
    region: str | None = attrs.field(default=None, converter=region_code)
    request_type: RequestType | None = attrs.field(default=None, converter=_request_type)
    starts_after: str | None = attrs.field(default=None)

    @starts_after.validator
    def _check_starts_after(self, _attribute: attrs.Attribute[str | None], value: Any) -> None:
        from ..lifecycle import EVENTS

        if value is not None and value not in EVENTS:
            raise InvalidValue("starts_after", value, "an event name of the lifecycle, or None")

    @property
    def key(self) -> tuple[str | None, RequestType | None, Window]:
        """``(region, request_type, window)``: what the rule applies to."""
        return (self.region, self.request_type, self.window)

    @property
    def sort_key(self) -> tuple[str, str, str]:
        """Order of rules in a policy: global first, then by region, type and window."""
        return (self.region or "", self.request_type or "", self.window.value)

    def to_dict(self) -> dict[str, Any]:
        """The rule as JSON-safe data (see `from_dict`)."""
        out: dict[str, Any] = {
            "region": self.region,
            "request_type": None if self.request_type is None else self.request_type.value,
            "window": self.window.value,
            "duration": self.duration.short,
            "source": self.source,
        }
        if self.starts_after is not None:
            out["starts_after"] = self.starts_after
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> WindowRule:
        """Read a rule written by `to_dict`.

        Raises:
            InvalidValue: A field is missing or malformed.

        """
        if not isinstance(data, Mapping):
            raise InvalidValue("rule", data, "a mapping")
        for name in ("window", "duration"):
            if name not in data:
                raise InvalidValue(f"rule.{name}", None, "required")
        return cls(
            window=data["window"],
            duration=data["duration"],
            source=data.get("source", ""),
            region=data.get("region"),
            request_type=data.get("request_type"),
            starts_after=data.get("starts_after"),
        )


def _rules(value: Iterable[WindowRule]) -> tuple[WindowRule, ...]:
    if isinstance(value, WindowRule | str | Mapping):
        raise InvalidValue("rules", value, "a collection of WindowRule")
    rules = tuple(value)
    seen: set[tuple[str | None, RequestType | None, Window]] = set()
    for rule in rules:
        if not isinstance(rule, WindowRule):
            raise InvalidValue("rules", rule, "a WindowRule")
        if rule.key in seen:
            raise InvalidValue("rules", rule.key, "two rules for the same region, type and window")
        seen.add(rule.key)
    return tuple(sorted(rules, key=lambda r: r.sort_key))


def _holiday_table(value: Any) -> tuple[tuple[str, tuple[date, ...]], ...]:
    items = value.items() if isinstance(value, Mapping) else value
    out: dict[str, frozenset[date]] = {}
    for entry in items:
        if not isinstance(entry, tuple | list) or len(entry) != 2:
            raise InvalidValue("holidays", entry, "(region code, dates) pairs")
        code = region_code(entry[0])
        if code is None:
            raise InvalidValue("holidays.region", None, "a region code")
        dates = entry[1]
        if isinstance(dates, str | date):
            raise InvalidValue("holidays", dates, "a collection of dates")
        out[code] = out.get(code, frozenset()) | frozenset(map(as_date, dates))
    return tuple((code, tuple(sorted(days))) for code, days in sorted(out.items()) if days)


@attrs.frozen
class Policy:
    """The length of every deadline window, per region and request type.

    Build variants with [`with_window`][tiktok_aftersales.deadlines.policy.Policy.with_window] and
    [`with_holidays`][tiktok_aftersales.deadlines.policy.Policy.with_holidays]; each returns a new
    policy. Two policies with the same rules and holidays are equal whatever order the rules were
    given in.

    Attributes:
        name: A short name (the CLI's ``--policy`` value).
        rules: The window rules, sorted.
        holidays: Non-working dates per region code (for working-day windows).
        doc: What the policy is, in a sentence.

    Raises:
        InvalidValue: Two rules have the same key, or a window has no rule
            for every region and type.

    """

    name: str = attrs.field(validator=lambda _s, _a, v: _text("name", v))
    rules: tuple[WindowRule, ...] = attrs.field(converter=_rules)
    holidays: tuple[tuple[str, tuple[date, ...]], ...] = attrs.field(
        default=(), converter=_holiday_table
    )
    doc: str = attrs.field(default="", eq=False)
    _index: Mapping[tuple[str | None, RequestType | None, Window], WindowRule] = attrs.field(
        init=False, repr=False, eq=False
    )
    _calendars: dict[tuple[str, str, tuple[int, ...]], WorkingCalendar] = attrs.field(
        init=False, repr=False, eq=False
    )

    def __attrs_post_init__(self) -> None:
        index = {rule.key: rule for rule in self.rules}
        missing = [w.value for w in Window if (None, None, w) not in index]
        if missing:
            raise InvalidValue(
                "rules", missing, "every window needs a rule for any region and any type"
            )
        object.__setattr__(self, "_index", MappingProxyType(index))
        object.__setattr__(self, "_calendars", {})

    def rule(
        self, region: Region | str, request_type: RequestType | str, window: Window | str
    ) -> WindowRule:
        """The rule that decides ``window`` for a region and request type (most specific wins).

        Raises:
            InvalidValue: The region, type or window is malformed.

        """
        code = region_code(region)
        kind = _request_type(request_type)
        which = _window(window)
        index = self._index
        for key in ((code, kind, which), (code, None, which), (None, kind, which)):
            found = index.get(key)
            if found is not None:
                return found
        return index[(None, None, which)]

    def duration(
        self, region: Region | str, request_type: RequestType | str, window: Window | str
    ) -> Duration:
        """The length of ``window`` for a region and request type."""
        return self.rule(region, request_type, window).duration

    def holidays_for(self, region: Region | str) -> tuple[date, ...]:
        """The holidays the policy knows for a region (sorted)."""
        code = region_code(region)
        return next((days for c, days in self.holidays if c == code), ())

    def calendar(self, region: Region) -> WorkingCalendar:
        """The working-day calendar of ``region`` under this policy."""
        key = (region.code, region.timezone, tuple(region.weekend))
        found = self._calendars.get(key)
        if found is None:
            found = WorkingCalendar.for_region(region, self.holidays_for(region.code))
            self._calendars[key] = found
        return found

    def with_window(
        self,
        *,
        window: Window | str,
        duration: Duration | str,
        region: Region | str | None = None,
        request_type: RequestType | str | None = None,
        source: str = "host override",
        starts_after: str | None = None,
    ) -> Policy:
        """Return a policy where ``window`` lasts ``duration`` for this region and type.

        ``region=None`` and ``request_type=None`` mean "any". A rule with the
        same key is replaced; others are kept.

        >>> p = DEFAULT_POLICY.with_window(region="ID", window="buyer_ship_back", duration="7d")
        >>> str(p.duration("ID", "return_and_refund", "buyer_ship_back"))
        '7 calendar days'

        Raises:
            InvalidValue: Any argument is malformed.

        """
        rule = WindowRule(window, duration, source, region, request_type, starts_after)
        kept = [r for r in self.rules if r.key != rule.key]
        return attrs.evolve(self, rules=(*kept, rule))

    def without_window(
        self,
        *,
        window: Window | str,
        region: Region | str | None,
        request_type: RequestType | str | None = None,
    ) -> Policy:
        """Return a policy without the rule of this exact key (a more general one applies).

        Raises:
            InvalidValue: The key is the last rule of a window (any region, any type),
                or the arguments are malformed.

        """
        key = (region_code(region), _request_type(request_type), _window(window))
        return attrs.evolve(self, rules=tuple(r for r in self.rules if r.key != key))

    def with_holidays(self, region: Region | str, dates: Iterable[date | str]) -> Policy:
        """Return a policy with ``dates`` added to the holidays of ``region``."""
        code = region_code(region)
        if code is None:
            raise InvalidValue("region", region, "a region code")
        return attrs.evolve(self, holidays=(*self.holidays, (code, tuple(dates))))

    def renamed(self, name: str, doc: str | None = None) -> Policy:
        """Return the same rules under another name."""
        return attrs.evolve(self, name=name, doc=self.doc if doc is None else doc)

    def differences(self, other: Policy) -> tuple[tuple[Any, ...], ...]:
        """Rule keys whose duration differs, as ``(key, mine, theirs)`` (``None``: no rule)."""
        mine = {r.key: r.duration for r in self.rules}
        theirs = {r.key: r.duration for r in other.rules}
        keys = sorted(set(mine) | set(theirs), key=lambda k: (k[0] or "", k[1] or "", k[2].value))
        return tuple((k, mine.get(k), theirs.get(k)) for k in keys if mine.get(k) != theirs.get(k))

    def to_dict(self) -> dict[str, Any]:
        """The policy as JSON-safe data; `from_dict` reads it back."""
        return {
            "name": self.name,
            "doc": self.doc,
            "rules": [r.to_dict() for r in self.rules],
            "holidays": {code: [d.isoformat() for d in days] for code, days in self.holidays},
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Policy:
        """Read a policy written by [`to_dict`][tiktok_aftersales.deadlines.policy.Policy.to_dict].

        Raises:
            InvalidValue: A field is missing or malformed.

        """
        if not isinstance(data, Mapping):
            raise InvalidValue("policy", data, "a mapping")
        rules = data.get("rules")
        if not isinstance(rules, Sequence) or isinstance(rules, str):
            raise InvalidValue("policy.rules", rules, "a list of rules")
        holidays = data.get("holidays") or {}
        if not isinstance(holidays, Mapping):
            raise InvalidValue("policy.holidays", holidays, "a mapping of region code to dates")
        return cls(
            name=data.get("name", "custom"),
            rules=tuple(WindowRule.from_dict(r) for r in rules),
            holidays=holidays,
            doc=data.get("doc", ""),
        )


_REF = "platform-api.md §3"
_ID = f"{_REF}: ID seller academy (Tokopedia)"
_VN_TH = f"{_REF}: VN/TH seller university (2024-07-18)"
_NEW = "platform-2026 §6"
_OVW = "https://partner.tiktokshop.com/docv2/page/650b2001bace3e02b76db38a"
_US_SHIP = "https://business.tiktokshop.com/us/blog/detail/10021817"
_ID_SHIP = "https://seller-id.tokopedia.com/university/essay?knowledge_id=7753805756614401"
_REFUND_ONLY = f"{_NEW}: TH/ID Seller Academy, Managing Refund-Only Requests"
_TH_APPEAL = "https://seller-th.tiktok.com/university/essay?knowledge_id=8290928649586449"
_ID_APPEAL = "https://seller-id.tokopedia.com/university/essay?knowledge_id=8701225512601345"
_VN_RETURN = "https://seller-vn.tiktok.com/university/essay?knowledge_id=4041059496167184"


def _r(
    window: Window,
    duration: str,
    source: str,
    region: str | None = None,
    request_type: RequestType | None = None,
    starts_after: str | None = None,
) -> WindowRule:
    return WindowRule(window, duration, source, region, request_type, starts_after)


W = Window
_DEFAULT_RULES = (
    # -- any region ---------------------------------------------------------------------------
    _r(W.SELLER_RESPONSE, "48h", f"{_REF}: overview, respond to buyer requests or auto-approved"),
    _r(W.SELLER_RECEIPT, "48h", f"{_REF}: overview, receive check after delivery or auto-approved"),
    _r(
        W.BUYER_SHIP_BACK,
        "10d",
        f"{_NEW} [I: the shorter documented market window (ID 10 d, US 14 d) as the default]",
    ),
    _r(W.BUYER_DISPUTE, "48h", f"{_REF}: ID appeal 48 h; EchoTik arbitration 48 h [3P] [I]"),
    _r(W.BUYER_OFFER_RESPONSE, "48h", "[I] no number in the sources; as the dispute window"),
    _r(
        W.SELLER_REPLACEMENT_RESPONSE,
        "24h",
        f"{_NEW}: OVW, Replacement, seller has 24 hours to respond ({_OVW})",
    ),
    _r(W.SELLER_CANCELLATION_RESPONSE, "48h", f"{_REF}: overview, respond to buyer cancel"),
    _r(W.REFUND_PROCESSING, "72h", "[I] no number in the sources; 3 days to pay"),
    _r(W.RETURN_TRANSIT, "7d", f"{_REF}: overview, lost package, tracking unchanged > 7 days"),
    _r(
        W.SELLER_PACKAGE_REVIEW,
        "2wd",
        "platform-2026 §4b: RMA PENDING_PACKAGE_REVIEW, 2-4 business-day SLA [I: the lower bound]",
    ),
    _r(
        W.SELLER_APPEAL,
        "7d",
        f"{_NEW}: ID 7 days after the refund [I: the shorter known window as the default]",
    ),
    _r(
        W.SELLER_RETURN_TO_BUYER,
        "3wd",
        f"{_NEW}: VN seller-to-customer return within 3 business days ({_VN_RETURN})",
    ),
    _r(
        W.SELLER_SHIPPING_SLA,
        "2wd",
        "platform-2026 §2: OVW Cancel, 2-business-day standard shipping SLA from the order date "
        "(US business case) [I: elsewhere too]",
    ),
    # -- Thailand, Indonesia: the seller's appeal of a platform-approved refund -----------------
    _r(W.SELLER_APPEAL, "15d", f"{_NEW}: TH 15 days after the refund ({_TH_APPEAL})", "TH"),
    _r(W.SELLER_APPEAL, "7d", f"{_NEW}: ID 7 days after the refund ({_ID_APPEAL})", "ID"),
    # -- Indonesia ----------------------------------------------------------------------------
    _r(W.SELLER_RESPONSE, "48h", _ID, "ID"),
    _r(W.BUYER_DISPUTE, "48h", f"{_ID}, appeal after a rejection", "ID"),
    _r(
        W.BUYER_SHIP_BACK,
        "10d",
        f"{_NEW}: ID drop-off within 10 calendar days of approval, self-arranged tracking "
        f"within 10 days (pick-up: 3 days to choose, 3 attempts, then drop-off) ({_ID_SHIP})",
        "ID",
    ),
    _r(
        W.SELLER_RESPONSE,
        "2d",
        f"{_REFUND_ONLY}: ID 2 calendar days",
        "ID",
        RequestType.REFUND_ONLY,
    ),
    _r(
        W.SELLER_RECEIPT,
        "8d",
        f"{_ID}, confirm receipt counted from the buyer's shipment upload",
        "ID",
        starts_after="ship_back",
    ),
    # -- Vietnam, Thailand --------------------------------------------------------------------
    _r(W.SELLER_RESPONSE, "1wd", _VN_TH, "VN"),
    _r(W.SELLER_RESPONSE, "1wd", _VN_TH, "TH"),
    *(
        _r(
            W.SELLER_RESPONSE,
            "1wd",
            f"{_REFUND_ONLY}: {c} 1 working day",
            c,
            RequestType.REFUND_ONLY,
        )
        for c in ("TH", "VN")
    ),
    # -- United States ------------------------------------------------------------------------
    _r(
        W.BUYER_SHIP_BACK,
        "14d",
        f"{_NEW}: US prepaid label or QR valid 14 days from approval; self-arranged: 14 days "
        f"to upload tracking ({_US_SHIP})",
        "US",
    ),
    _r(
        W.SELLER_CANCELLATION_RESPONSE,
        "24h",
        f"{_REF}: OVW-new, US buyer cancel before the shipping SLA",
        "US",
        RequestType.BUYER_CANCELLATION,
    ),
)

DEFAULT_POLICY = Policy(
    "default",
    _DEFAULT_RULES,
    doc="The platform's published windows (platform-api.md §3), with [I] where none is given.",
)
"""The platform's published windows (``platform-api.md`` §3).

Refund-only requests keep the overview's 48 h here; the 24 h of seed 004's
channel-manager workflow is
[`CHANNEL_MANAGER_POLICY`][tiktok_aftersales.deadlines.policy.CHANNEL_MANAGER_POLICY].
"""

CHANNEL_MANAGER_POLICY = DEFAULT_POLICY.with_window(
    request_type=RequestType.REFUND_ONLY,
    window=Window.SELLER_RESPONSE,
    duration="24h",
    source="seed 004: channel manager, approve or reject refund-only requests within 24 h",
).renamed(
    "channel_manager",
    "The defaults, with seed 004's 24 h seller response to a refund-only request.",
)
"""The defaults, with seed 004's 24 h seller response to a refund-only request.

Region rules still win (Vietnam and Thailand keep one working day).
"""

POLICIES: Mapping[str, Policy] = MappingProxyType(
    {p.name: p for p in (DEFAULT_POLICY, CHANNEL_MANAGER_POLICY)}
)
"""The built-in policies by name (``--policy default``, ``--policy channel_manager``)."""


def named_policy(name: str, extra: Mapping[str, Policy] | None = None) -> Policy:
    """Return a built-in policy (or one of ``extra``, which win) by name.

    Raises:
        InvalidValue: No policy has that name (the error lists the names).

    """
    known = {**POLICIES, **(extra or {})}
    found = known.get(name) if isinstance(name, str) else None
    if found is None:
        raise InvalidValue("policy", name, f"one of {', '.join(sorted(known))}")
    return found


@attrs.frozen
class PolicyRow:
    """One row of `policy_table`: a rule in readable form."""

    region: str
    request_type: str
    window: str
    who: str
    duration: str
    starts: str
    source: str


def policy_table(policy: Policy = DEFAULT_POLICY) -> list[PolicyRow]:
    """The rules of ``policy`` as readable rows (global rules first)."""
    return [
        PolicyRow(
            region=r.region or "any",
            request_type="any" if r.request_type is None else r.request_type.value,
            window=r.window.value,
            who=WINDOW_ACTORS[r.window].value,
            duration=str(r.duration),
            starts="entering the state" if r.starts_after is None else f"last {r.starts_after}",
            source=r.source,
        )
        for r in policy.rules
    ]


def to_markdown(rows: Sequence[Any]) -> str:
    """A Markdown table of ``attrs`` rows, such as `policy_table`'s.

    The header is the rows' field names; an empty sequence gives ``""``. It
    also renders
    [`tiktok_aftersales.deadlines.clock.timeout_table`][tiktok_aftersales.deadlines.clock.timeout_table].
    """
    if not rows:
        return ""
    names = [f.name for f in attrs.fields(type(rows[0]))]
    head = "| " + " | ".join(n.replace("_", " ") for n in names) + " |"
    rule = "|" + "---|" * len(names)
    body = [
        "| " + " | ".join(str(getattr(row, n)).replace("|", "\\|") for n in names) + " |"
        for row in rows
    ]
    return "\n".join([head, rule, *body])
