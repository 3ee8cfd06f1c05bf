"""What every command shares: region and policy options, help layout, problem reports.

One function reads ``--region`` and one reads ``--policy`` for every command,
so an unknown value gets the same message whichever command was asked.
"""

from __future__ import annotations

import argparse
import json
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

__all__ = [
    "MAX_PROBLEMS",
    "HelpFormatter",
    "epilog",
    "input_hint",
    "policy_option",
    "region_option",
    "report_problems",
]

MAX_PROBLEMS = 20
"""How many problems a command lists before it only counts the rest."""


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Keeps the epilog's layout and adds ``(default: X)`` to options that have one."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        default = action.default
        if (
            "default:" in text
            or default is None
            or default is False
            or default is argparse.SUPPRESS
            or not action.option_strings
        ):
            return text
        return text + " (default: %(default)s)"


def epilog(examples: Sequence[str], exit_codes: Sequence[tuple[int, str]]) -> str:
    """The end of a command's help: examples, then what each exit code means."""
    lines = ["examples:", *(f"  {e}" for e in examples), "", "exit status:"]
    for code, meaning in exit_codes:
        lines += textwrap.wrap(
            meaning, width=78, initial_indent=f"  {code}  ", subsequent_indent=" " * 5
        )
    return "\n".join(lines)


def region_option(text: str) -> Any:
    """``--region``: a known region code (any case), as a ``Region``.

    Raises:
        argparse.ArgumentTypeError: The code is not a known region; the message lists them.

    """
    from ..domain.vocabulary import REGIONS, region
    from ..errors import InvalidValue

    try:
        return region(text.strip().upper())
    except InvalidValue:
        known = ", ".join(REGIONS)
        raise argparse.ArgumentTypeError(
            f"unknown region {text!r}; known regions: {known}"
        ) from None


def policy_option(text: str) -> Any:
    """``--policy``: a built-in policy name, a spec with changed windows, or a JSON file.

    A spec is ``NAME,WINDOW=DURATION[@REGION[/TYPE]],...`` (``default,seller_response=24h@GB``).

    Raises:
        argparse.ArgumentTypeError: No policy by that name, a bad spec or an unreadable file;
            the message lists the built-in names.

    """
    from ..deadlines.policy import POLICIES, Policy, named_policy
    from ..errors import InvalidValue

    known = ", ".join(sorted(POLICIES))
    if text.endswith(".json"):
        try:
            return Policy.from_dict(json.loads(Path(text).read_text(encoding="utf-8")))
        except (OSError, ValueError) as exc:
            raise argparse.ArgumentTypeError(f"cannot read policy file {text}: {exc}") from None
        except InvalidValue as exc:
            raise argparse.ArgumentTypeError(f"policy file {text}: {exc}") from None
    if "," not in text and "=" not in text:
        try:
            return named_policy(text)
        except InvalidValue:
            raise argparse.ArgumentTypeError(
                f"unknown policy {text!r}; built-in policies: {known} "
                "(or NAME,WINDOW=DURATION[@REGION[/TYPE]], or a policy JSON file)"
            ) from None
    from ..analysis import policy_from_spec

    try:
        return policy_from_spec(text)
    except InvalidValue as exc:
        raise argparse.ArgumentTypeError(
            f"bad policy {text!r}: {exc} (built-in policies: {known})"
        ) from None


def input_hint(lines: Sequence[str], expected: str) -> str | None:
    """A likely cause when many lines of a JSON Lines input were refused, or ``None``.

    Args:
        lines: The input's lines.
        expected: What one line should be (``"one event or case"``).

    """
    filled = [line.strip() for line in lines if line.strip()]
    if not filled:
        return None
    first = filled[0]
    if first in ("{", "[") or (len(filled) > 1 and filled[-1] in ("}", "]", "},", "],")):
        shape = "an array" if first.startswith("[") else "one object"
        fix = "jq -c '.[]' FILE" if first.startswith("[") else "jq -c . FILE"
        return (
            f"hint: this looks like pretty-printed JSON ({shape} spread over many lines); "
            f"the input is JSON Lines: {expected} per line, each on a single line. "
            f"Convert it with: {fix} > FILE.jsonl"
        )
    if len(filled) == 1 and first.startswith("["):
        return (
            "hint: this is one JSON array on one line; the input is JSON Lines: "
            f"{expected} per line. Convert it with: jq -c '.[]' FILE > FILE.jsonl"
        )
    return None


def report_problems(
    stream: TextIO, source: str, problems: Sequence[object], *, hint: str | None = None
) -> None:
    """Write the first problems (at most `MAX_PROBLEMS`), a count, and a hint."""
    for problem in problems[:MAX_PROBLEMS]:
        stream.write(f"{source}: {problem}\n")
    left = len(problems) - MAX_PROBLEMS
    if left > 0:
        stream.write(f"{source}: ... and {left:,} more problem(s) not shown\n")
    if hint:
        stream.write(hint + "\n")
