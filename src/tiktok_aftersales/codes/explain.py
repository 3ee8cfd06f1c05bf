"""Ask the vocabularies: what does an outside value mean, and how does each tool show a case."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs

from ..domain.vocabulary import ReturnStatus, State
from ..errors import InvalidValue
from ..lifecycle import LIFECYCLES
from .base import ALL_CANONICAL, Canonical, UnknownCode, Vocabulary
from .batch import AFTERSALES_STATUS, RMA_STATUS
from .labels import (
    CHANNEL_LABEL,
    ERP_LABEL,
    ERP_RETURN_STATUS,
    SELLER_CENTRE_TAG,
    ChannelLabel,
    ErpLabel,
    SellerCentreTag,
)
from .legacy import (
    LEGACY_EVENT_TYPE,
    LEGACY_STATUS,
    LEGACY_TYPE,
    LEGACY_USER,
    LegacyStatus,
    LegacyType,
)
from .platform import (
    ARBITRATION,
    CANCEL_STATUS,
    CANCEL_TYPE,
    DECISION,
    RETURN_STATUS,
    RETURN_TYPE,
    ROLE,
    SELLER_ACTION,
    ArbitrationCode,
    CancelStatusCode,
    CancelTypeCode,
    ReturnStatusCode,
    ReturnTypeCode,
    SellerActionCode,
)
from .tabs import GRID_FILTER, GRID_TAB, GridFilter, GridTab

if TYPE_CHECKING:
    from ..domain.case import AfterSalesCase

__all__ = [
    "VOCABULARIES",
    "CaseViews",
    "Meaning",
    "canonical_table",
    "explain_value",
    "markdown_table",
    "opening_event",
    "views",
]

VOCABULARIES: tuple[Vocabulary[Any, Any], ...] = (
    RETURN_STATUS,
    RETURN_TYPE,
    ROLE,
    ARBITRATION,
    DECISION,
    CANCEL_STATUS,
    CANCEL_TYPE,
    SELLER_ACTION,
    AFTERSALES_STATUS,
    RMA_STATUS,
    LEGACY_STATUS,
    LEGACY_TYPE,
    LEGACY_USER,
    LEGACY_EVENT_TYPE,
    GRID_TAB,
    GRID_FILTER,
    ERP_LABEL,
    ERP_RETURN_STATUS,
    CHANNEL_LABEL,
    SELLER_CENTRE_TAG,
)
"""Every outside vocabulary the library knows, each a projection of canonical keys."""


@attrs.frozen
class Meaning:
    """What one outside value means in one vocabulary.

    Attributes:
        vocabulary: The vocabulary's name (``"return_status"``).
        title: Who shows it.
        value: The value, as the vocabulary's enum member.
        alias: The spelling given, when it was an alias or misspelling.
        candidates: Every canonical key it can mean (``Canonical`` for
            state vocabularies; a request type, actor, arbitration sub-state
            or ``(type, event)`` for the others).

    """

    vocabulary: str
    title: str
    value: Any
    alias: str | None
    candidates: frozenset[Any]


def explain_value(raw: str | int, vocabulary: str | None = None) -> tuple[Meaning, ...]:
    """Say what an outside value means, in every vocabulary that knows it.

    >>> [str(c) for m in explain_value("AWAITING_BUYER_SHIP") for c in sorted(m.candidates)]
    ['return_and_refund/awaiting_buyer_shipment', 'return_and_refund/return_label_issued']

    Args:
        raw: The value as a tool shows it (a code, a label, a legacy number).
        vocabulary: Only ask this vocabulary (by name).

    Raises:
        UnknownCode: No vocabulary (or not the one named) knows the value.
        InvalidValue: ``vocabulary`` names no vocabulary.

    """
    chosen = VOCABULARIES
    if vocabulary is not None:
        chosen = tuple(v for v in VOCABULARIES if v.name == vocabulary)
        if not chosen:
            names = ", ".join(v.name for v in VOCABULARIES)
            raise InvalidValue("vocabulary", vocabulary, f"one of {names}")
    out = []
    for vocab in chosen:
        value = vocab.lookup(raw)
        if value is None:
            continue
        exact = isinstance(raw, str) and raw.strip().upper() == str(value.value).upper()
        alias = None if exact or not isinstance(raw, str) else raw
        out.append(Meaning(vocab.name, vocab.title, value, alias, vocab.reverse[value]))
    if not out:
        raise UnknownCode("value", raw, vocabulary or "any", (v.name for v in chosen))
    return tuple(out)


def opening_event(case: AfterSalesCase) -> str:
    """The event that opened the case (the type's first opening before any history)."""
    if case.history:
        return case.history[0].event
    return LIFECYCLES[case.request_type].openings[0]


@attrs.frozen
class CaseViews:
    """How each tool shows one case. ``None``: that tool shows nothing for it.

    Attributes:
        canonical: The case's canonical ``(type, state)``.
        return_status: Return & Refund API ``return_status``.
        return_type: Return & Refund API ``return_type``.
        cancel_status: Return & Refund API ``cancel_status``.
        cancel_type: Return & Refund API ``cancel_type``.
        arbitration_status: Return & Refund API ``arbitration_status``.
        seller_next_action: The seller action the platform awaits.
        legacy_status: Legacy ``reverse_status_value``.
        legacy_type: Legacy ``reverse_type``.
        grid_tab: The connector grid's status tab (the case is also in *All*).
        grid_filter: The connector grid's reverse-type filter option.
        erp_label: The ERP's after-sales status.
        erp_return_status: The ERP's return (parcel) status (from the core).
        channel_label: The channel manager's return status.
        seller_centre_tag: Seller Centre's request tag.

    """

    canonical: Canonical
    return_status: ReturnStatusCode | None
    return_type: ReturnTypeCode | None
    cancel_status: CancelStatusCode | None
    cancel_type: CancelTypeCode | None
    arbitration_status: ArbitrationCode | None
    seller_next_action: SellerActionCode | None
    legacy_status: LegacyStatus | None
    legacy_type: LegacyType | None
    grid_tab: GridTab | None
    grid_filter: GridFilter | None
    erp_label: ErpLabel | None
    erp_return_status: ReturnStatus
    channel_label: ChannelLabel | None
    seller_centre_tag: SellerCentreTag | None


def views(case: AfterSalesCase) -> CaseViews:
    """Show a case in every outside vocabulary.

    Raises:
        InvalidValue: The case was never opened (state ``new``).

    """
    if case.state is State.NEW:
        raise InvalidValue("case.state", case.state, "an opened case (apply its opening event)")
    key = Canonical(case.request_type, case.state)
    opening = opening_event(case)
    return CaseViews(
        canonical=key,
        return_status=RETURN_STATUS.show(key),
        return_type=RETURN_TYPE.show(case.request_type),
        cancel_status=CANCEL_STATUS.show(key),
        cancel_type=CANCEL_TYPE.table.get(opening),
        arbitration_status=ARBITRATION.show(case.arbitration),
        seller_next_action=SELLER_ACTION.show(key),
        legacy_status=LEGACY_STATUS.show(key),
        legacy_type=LEGACY_TYPE.table.get((case.request_type, opening)),
        grid_tab=GRID_TAB.show(key),
        grid_filter=GRID_FILTER.show(case.request_type),
        erp_label=ERP_LABEL.show(key),
        erp_return_status=case.return_status,
        channel_label=CHANNEL_LABEL.show(key),
        seller_centre_tag=SELLER_CENTRE_TAG.show(case.request_type),
    )


def _cell(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, Canonical):
        return f"`{value.request_type.value}` / `{value.state.value}`"
    if isinstance(value, tuple):
        return " / ".join(_cell(v) for v in value)
    return f"`{getattr(value, 'value', value)}`"


_STATE_COLUMNS: tuple[Vocabulary[Any, Any], ...] = (
    RETURN_STATUS,
    CANCEL_STATUS,
    SELLER_ACTION,
    LEGACY_STATUS,
    GRID_TAB,
    ERP_LABEL,
    CHANNEL_LABEL,
)


def canonical_table() -> str:
    """One Markdown row per canonical ``(type, state)``, one column per state vocabulary.

    Derived from the tables; the docs embed its output and a test keeps them equal.
    """
    head = "| type | state | " + " | ".join(v.name for v in _STATE_COLUMNS) + " |"
    lines = [head, "|" + "---|" * (len(_STATE_COLUMNS) + 2)]
    for key in ALL_CANONICAL:
        cells = " | ".join(_cell(v.show(key)) for v in _STATE_COLUMNS)
        lines.append(f"| `{key.request_type.value}` | `{key.state.value}` | {cells} |")
    return "\n".join(lines)


def markdown_table(vocab: Vocabulary[Any, Any]) -> str:
    """Render a vocabulary as a Markdown table (for the docs; derived, never hand-written).

    Table-based vocabularies list every canonical key and what the tool
    shows (``—`` for an explicit nothing); computed ones (the ERP return
    status) list every value and the canonical keys it can mean.
    """
    if vocab.table:
        lines = ["| canonical | " + vocab.name + " |", "|---|---|"]
        for key, value in vocab.table.items():
            lines.append(f"| {_cell(key)} | {_cell(value)} |")
    else:
        lines = ["| " + vocab.name + " | canonical |", "|---|---|"]
        for code, keys in vocab.reverse.items():
            shown = "<br>".join(_cell(k) for k in sorted(keys, key=str))
            lines.append(f"| {_cell(code)} | {shown} |")
    if vocab.aliases:
        lines.append("")
        lines.append(
            "Also read: "
            + ", ".join(f"`{a}` → `{v.value}`" for a, v in sorted(vocab.aliases.items()))
            + "."
        )
    return "\n".join(lines)
