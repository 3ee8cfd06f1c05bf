"""The declared lifecycle and everything derived from it.

- [`table`][tiktok_aftersales.lifecycle.table] holds the declaration
  ([`LIFECYCLES`][tiktok_aftersales.lifecycle.table.LIFECYCLES]), the one source.
- [`declaration`][tiktok_aftersales.lifecycle.declaration] defines its vocabulary
  ([`on`][tiktok_aftersales.lifecycle.declaration.on],
  [`final`][tiktok_aftersales.lifecycle.declaration.final],
  [`Transition`][tiktok_aftersales.lifecycle.declaration.Transition],
  [`Lifecycle`][tiktok_aftersales.lifecycle.declaration.Lifecycle]).
- `events` says what each [`Event`][tiktok_aftersales.domain.vocabulary.Event] means beyond
  its transitions (`EVENTS`); `predicates` holds the named guards.
- [`engine`][tiktok_aftersales.lifecycle.engine] is the pure path:
  [`apply`][tiktok_aftersales.lifecycle.engine.apply],
  [`allowed_events`][tiktok_aftersales.lifecycle.engine.allowed_events],
  [`dry_run`][tiktok_aftersales.lifecycle.engine.dry_run],
  [`open_case`][tiktok_aftersales.lifecycle.engine.open_case].
- [`machine`][tiktok_aftersales.lifecycle.machine] builds one shared ``transitions`` machine per
  type, checks the declaration, and binds hosts' mutable objects.
"""

from __future__ import annotations

from .._lazy import attach

TYPE_CHECKING = False  # typing is not imported at start-up
if TYPE_CHECKING:
    from ..domain.vocabulary import Event
    from .declaration import (
        NOT_IN_ARBITRATION,
        EffectSpec,
        FinalState,
        Lifecycle,
        Transition,
        declare,
        final,
        on,
    )
    from .engine import (
        AllowedEvent,
        Preview,
        allowed_events,
        apply,
        can_fire,
        choose_transition,
        dry_run,
        is_terminal,
        lifecycle,
        open_case,
        refusal_code,
    )
    from .events import EVENTS, CallKind, EventSpec, Refusal, event_of, offer_after
    from .machine import CaseModel, check_all, check_lifecycle, machine, machine_decides
    from .orders import apply_on_order, at_stake, check_order, open_on_order
    from .predicates import PREDICATES, Predicate
    from .table import HUMAN_ONLY_ARBITRATION, LIFECYCLES

_EXPORTS = {
    "Event": "..domain.vocabulary",
    "NOT_IN_ARBITRATION": ".declaration",
    "EffectSpec": ".declaration",
    "FinalState": ".declaration",
    "Lifecycle": ".declaration",
    "Transition": ".declaration",
    "declare": ".declaration",
    "final": ".declaration",
    "on": ".declaration",
    "AllowedEvent": ".engine",
    "Preview": ".engine",
    "allowed_events": ".engine",
    "apply": ".engine",
    "can_fire": ".engine",
    "choose_transition": ".engine",
    "dry_run": ".engine",
    "is_terminal": ".engine",
    "lifecycle": ".engine",
    "open_case": ".engine",
    "refusal_code": ".engine",
    "EVENTS": ".events",
    "CallKind": ".events",
    "EventSpec": ".events",
    "Refusal": ".events",
    "event_of": ".events",
    "offer_after": ".events",
    "CaseModel": ".machine",
    "check_all": ".machine",
    "check_lifecycle": ".machine",
    "machine": ".machine",
    "machine_decides": ".machine",
    "apply_on_order": ".orders",
    "at_stake": ".orders",
    "check_order": ".orders",
    "open_on_order": ".orders",
    "PREDICATES": ".predicates",
    "Predicate": ".predicates",
    "HUMAN_ONLY_ARBITRATION": ".table",
    "LIFECYCLES": ".table",
}
"""Each re-exported name and the module it is imported from on first use."""

__all__ = [
    "EVENTS",
    "HUMAN_ONLY_ARBITRATION",
    "LIFECYCLES",
    "NOT_IN_ARBITRATION",
    "PREDICATES",
    "AllowedEvent",
    "CallKind",
    "CaseModel",
    "EffectSpec",
    "Event",
    "EventSpec",
    "FinalState",
    "Lifecycle",
    "Predicate",
    "Preview",
    "Refusal",
    "Transition",
    "allowed_events",
    "apply",
    "apply_on_order",
    "at_stake",
    "can_fire",
    "check_all",
    "check_lifecycle",
    "check_order",
    "choose_transition",
    "declare",
    "dry_run",
    "event_of",
    "final",
    "is_terminal",
    "lifecycle",
    "machine",
    "machine_decides",
    "offer_after",
    "on",
    "open_case",
    "open_on_order",
    "refusal_code",
]

__getattr__, __dir__ = attach(__name__, _EXPORTS, __all__)
