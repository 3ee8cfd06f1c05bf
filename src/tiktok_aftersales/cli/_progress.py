"""Progress of long commands on stderr: count, rate and time left.

On a terminal the line is redrawn in place (at most ten times a second); in a
pipe or a log file a full line is written every few seconds, so a long run is
never silent. ``--quiet`` turns it off. Once a line was shown, the last one
says how many were done, in how long, at what rate; in a pipe, a run over
before the first line is due prints nothing.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TextIO

__all__ = ["PIPE_EVERY", "ProgressLine", "duration_text"]

PIPE_EVERY = 5.0
"""Seconds between progress lines when stderr is not a terminal."""

TERMINAL_EVERY = 0.1
"""Seconds between redraws on a terminal."""


def duration_text(seconds: float) -> str:
    """``"4 s"``, ``"3 min 05 s"``, ``"1 h 02 min"``: a short readable duration."""
    whole = max(0, round(seconds))
    if whole < 60:
        return f"{whole} s"
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


class ProgressLine:
    """A ``progress(done, total)`` callback that reports on a stream.

    Args:
        label: What is being done (``"replaying"``).
        unit: What is counted (``"cases"``).
        stream: Where to write (stderr).
        terminal: Redraw one line in place; otherwise write a line every ``every`` seconds.
        every: Seconds between lines when not on a terminal.
        clock: Seconds from some fixed point (``time.monotonic``).

    """

    def __init__(
        self,
        label: str,
        unit: str,
        stream: TextIO,
        *,
        terminal: bool,
        every: float = PIPE_EVERY,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.label = label
        self.unit = unit
        self.stream = stream
        self.terminal = terminal
        self.every = TERMINAL_EVERY if terminal else every
        self.clock = clock
        self.started = clock()
        self.last_shown: float | None = None
        self.width = 0
        self.finished = False

    def status(self, done: int, total: int, now: float) -> str:
        """The progress text at ``now``: count, share, rate and time left."""
        elapsed = now - self.started
        rate = done / elapsed if elapsed > 0 else 0.0
        share = f" ({100 * done / total:.0f}%)" if total else ""
        text = f"{self.label} {done:,}/{total:,} {self.unit}{share}"
        if rate > 0:
            left = (total - done) / rate
            text += f", {rate:,.0f} {self.unit}/s, ETA {duration_text(left)}"
        return text

    def summary(self, done: int, now: float) -> str:
        """The closing line: how many, in how long, at what rate."""
        elapsed = now - self.started
        rate = f" ({done / elapsed:,.0f} {self.unit}/s)" if elapsed > 0 else ""
        return f"{self.label}: {done:,} {self.unit} in {duration_text(elapsed)}{rate}"

    def __call__(self, done: int, total: int) -> None:
        """Report that ``done`` of ``total`` are done."""
        if self.finished:
            return
        now = self.clock()
        if done >= total:
            self.finished = True
            if self.terminal or self.last_shown is not None:  # a short piped run stays silent
                self._write(self.summary(done, now), final=True)
            return
        if self.last_shown is not None and now - self.last_shown < self.every:
            return
        if self.last_shown is None and not self.terminal and now - self.started < self.every:
            return  # in a pipe, a short run prints only its closing line
        self.last_shown = now
        self._write(self.status(done, total, now), final=False)

    def _write(self, text: str, *, final: bool) -> None:
        if self.terminal:
            pad = " " * max(0, self.width - len(text))
            self.width = len(text)
            self.stream.write("\r" + text + pad + ("\n" if final else ""))
        else:
            self.stream.write(text + "\n")
        self.stream.flush()
