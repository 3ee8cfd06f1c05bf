"""The demo: replay the bundled sample stories and show what the library decides.

``python -m tiktok_aftersales demo`` prints one row per sample: type, the
events it went through (with who fired them), the final state, the derived
return status and the outside effects. Samples with a deadline are advanced
on the policy clock, so some outcomes come from a silent party's deadline.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import attrs

from ..analysis.samples import SAMPLE_EPOCH, SAMPLES, Sample, build_sample
from ..domain.case import AfterSalesCase
from ..domain.vocabulary import Actor, Event

__all__ = ["DemoRow", "demo_rows", "render_demo"]

_SHORT = {
    "buyer": "B",
    "seller": "S",
    "operator": "O",
    "system": "clock",
    "logistics": "L",
}


@attrs.frozen
class DemoRow:
    """One line of the demo table."""

    sample: Sample
    case: AfterSalesCase

    @property
    def events(self) -> str:
        """The history as ``event(actor)`` steps."""
        return " > ".join(f"{h.event}({_SHORT[h.actor.value]})" for h in self.case.history)

    @property
    def effects(self) -> str:
        """The outside effects, with refund amounts."""
        parts = []
        for e in self.case.effects:
            text = e.kind.value
            if e.amount is not None:
                text += f" {e.amount}"
            if e.disposition is not None:
                text += f" ({e.disposition.value})"
            parts.append(text)
        return ", ".join(parts) or "-"

    @property
    def by_deadline(self) -> bool:
        """Whether the clock decided at least one step."""
        return any(
            h.actor is Actor.SYSTEM and h.event is not Event.COMPLETE_REFUND
            for h in self.case.history
        )


def demo_rows(samples: Sequence[Sample] = SAMPLES) -> list[DemoRow]:
    """Build every sample case, advancing the clock where the story says so."""
    from ..deadlines.clock import advance

    rows = []
    for sample in samples:
        case = build_sample(sample)
        if sample.advance_hours is not None:
            case = advance(case, SAMPLE_EPOCH + timedelta(hours=sample.advance_hours))
        rows.append(DemoRow(sample, case))
    return rows


def _wrap(text: str, width: int) -> list[str]:
    words = text.split(" ")
    lines: list[str] = []
    current = ""
    for word in words:
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    lines.append(current)
    return lines


def render_demo(rows: Sequence[DemoRow]) -> str:
    """Render the demo rows as a plain-text table."""
    header = ("case", "type", "mkt", "events", "state", "return status", "effects")
    widths = (5, 18, 3, 40, 20, 17, 34)
    out = []

    def line(cells: Sequence[Sequence[str]]) -> None:
        height = max(len(c) for c in cells)
        for i in range(height):
            out.append(
                "  ".join(
                    (c[i] if i < len(c) else "").ljust(w)
                    for c, w in zip(cells, widths, strict=True)
                ).rstrip()
            )

    line([[h] for h in header])
    out.append("  ".join("-" * w for w in widths))
    for row in rows:
        case = row.case
        state = case.state.value + (" *" if row.by_deadline else "")
        line(
            [
                [row.sample.case_id],
                [case.request_type.value],
                [case.region.code],
                _wrap(row.events, widths[3]),
                [state],
                [case.return_status.value],
                _wrap(row.effects, widths[6]),
            ]
        )
        out.append("")
    out.append("* decided by a deadline: the clock acted for a silent party (default policy).")
    out.append("B buyer, S seller, O operator, L logistics, clock = the platform's timer.")
    return "\n".join(out)
