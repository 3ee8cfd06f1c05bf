"""Replay: cases rebuilt from histories with the engine, or final states in bulk."""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from ..domain.case import AfterSalesCase
from ..domain.vocabulary import State
from ..errors import AfterSalesError, InvalidValue, LineError
from ..lifecycle import apply, open_case
from ._shared import Progress
from .fast import replay_states
from .histories import History

__all__ = ["ReplayResult", "final_states", "replay"]


@attrs.frozen
class ReplayResult:
    """Cases rebuilt from histories, and the events that would not apply.

    Attributes:
        cases: One case per history that could be opened, in the state its
            last legal event left it in.
        errors: One error per history that stopped early (the event's line
            number when known, and what the engine said).

    """

    cases: tuple[AfterSalesCase, ...]
    errors: tuple[LineError, ...]

    @property
    def ok(self) -> bool:
        """Whether every event of every history applied."""
        return not self.errors


def _replay_one(h: History) -> tuple[AfterSalesCase | None, LineError | None]:
    case: AfterSalesCase | None = None
    for e in h.events:
        try:
            if case is None:
                case = open_case(
                    h.request_type,
                    case_id=h.case_id,
                    order_id=h.order_id,
                    region=h.region,
                    lines=h.lines,
                    at=e.at,
                    actor=e.actor,
                    event=e.event,
                    order_stage=h.order_stage,
                    platform_id=h.platform_id,
                    payload=e.payload,
                )
            else:
                case = apply(case, e.event, e.actor, e.at, e.payload)
        except InvalidValue as exc:
            return case, LineError(e.line, exc.field, exc.value, exc.reason, h.case_id)
        except AfterSalesError as exc:
            state = "new" if case is None else case.state.value
            return case, LineError(e.line, "event", e.event, f"{exc} (in {state})", h.case_id)
        if e.state is not None and case.state is not e.state:
            return case, LineError(
                e.line,
                "state",
                e.state.value,
                f"the lifecycle gives {case.state.value} after {e.event!r}",
                h.case_id,
            )
    return case, None


def replay(histories: Iterable[History], *, progress: Progress | None = None) -> ReplayResult:
    """Replay histories with the engine and keep every case (effects and history included).

    A history stops at its first event that does not apply; the case is kept
    as it was before that event and the event is reported. Use
    [`final_states`][tiktok_aftersales.analysis.replay.final_states] when only the final states are
    needed.
    """
    items = list(histories)
    cases: list[AfterSalesCase] = []
    errors: list[LineError] = []
    for i, h in enumerate(items, 1):
        case, error = _replay_one(h)
        if case is not None:
            cases.append(case)
        if error is not None:
            errors.append(error)
        if progress is not None and (i % 500 == 0 or i == len(items)):
            progress(i, len(items))
    return ReplayResult(tuple(cases), tuple(errors))


def final_states(histories: Iterable[History]) -> list[State]:
    """The state each history ends in, through the fast replay path.

    Uses [`tiktok_aftersales.analysis.replay_states`][tiktok_aftersales.analysis.fast.replay_states]
    (no history or effects are built).

    Raises:
        InvalidTransition, UnknownEvent, InvalidValue: An event is not legal
            where it comes (as [`apply`][tiktok_aftersales.lifecycle.engine.apply] says).

    """
    items = list(histories)
    streams = (
        (h.request_type, [(e.event, e.actor.value, e.payload) for e in h.events]) for h in items
    )
    return replay_states(streams)
