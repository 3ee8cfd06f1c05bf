"""Command-line commands about the declaration: ``explain`` and ``diagram``.

``explain VALUE`` asks every vocabulary
([`explain_value`][tiktok_aftersales.codes.explain.explain_value]) what an outside value means,
then, for each canonical state it can mean, shows every tool's label, the events allowed next with
who fires them, and the deadline that applies under a policy. ``diagram TYPE`` prints or writes
a diagram drawn by [`tiktok_aftersales.diagrams`][tiktok_aftersales.diagrams].

This is command-line code: it reads and writes files when asked to.
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import enum
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..codes import VOCABULARIES, Canonical, Meaning, UnknownCode, Vocabulary, explain_value
from ..deadlines.policy import WINDOW_ACTORS, Policy, named_policy
from ..diagrams import FORMATS, arbitration_notes, diagram, edges
from ..domain.vocabulary import Region, RequestType, State
from ..lifecycle import LIFECYCLES
from ._main import command
from ._options import HelpFormatter, epilog, policy_option, region_option

__all__ = ["explain_lines", "suggestions"]


# --- finding what a value means -------------------------------------------------------------


def _by_member_name(raw: str) -> list[Meaning]:
    """Meanings of ``raw`` read as an enum member name (legacy ``CANCEL_SUCCESS`` is 51)."""
    name = raw.strip().upper().replace(" ", "_")
    out: list[Meaning] = []
    for vocab in VOCABULARIES:
        member = vocab.codes.__members__.get(name)
        if member is not None:
            for meaning in explain_value(member.value, vocab.name):
                out.append(Meaning(vocab.name, vocab.title, member, raw, meaning.candidates))
    return out


def _canonical_meanings(raw: str) -> list[Meaning]:
    """Meanings of ``raw`` read as a canonical state (``rejected``, ``refund_only/rejected``)."""
    text = raw.strip().lower()
    kind_text, _, state_text = text.rpartition("/")
    try:
        state = State(state_text)
    except ValueError:
        return []
    keys = [
        Canonical(kind, state)
        for kind, lc in LIFECYCLES.items()
        if state in lc.case_states and kind_text in ("", kind.value)
    ]
    if not keys:
        return []
    return [Meaning("canonical", "tiktok-aftersales canonical state", state, None, frozenset(keys))]


def meanings(raw: str) -> list[Meaning]:
    """Every meaning of ``raw``: vocabulary values and aliases, enum names, canonical states.

    Raises:
        UnknownCode: Nothing knows ``raw``.

    """
    found: list[Meaning] = []
    with contextlib.suppress(UnknownCode):
        found.extend(explain_value(raw))
    seen = {(m.vocabulary, m.value) for m in found}
    for m in (*_by_member_name(raw), *_canonical_meanings(raw)):
        if (m.vocabulary, m.value) not in seen:
            seen.add((m.vocabulary, m.value))
            found.append(m)
    if not found:
        raise UnknownCode("value", raw, "any", (v.name for v in VOCABULARIES))
    return found


def _spellings() -> dict[str, str]:
    """Every spelling ``explain`` understands (upper case) -> how to show it."""
    out: dict[str, str] = {}
    for vocab in VOCABULARIES:
        for code in vocab.codes:
            out.setdefault(str(code.value).upper(), str(code.value))
            out.setdefault(code.name.upper(), code.name)
        for alias in vocab.aliases:
            out.setdefault(alias.upper(), alias)
    for state in State:
        out.setdefault(state.value.upper(), state.value)
    return out


def suggestions(raw: str, n: int = 5) -> list[str]:
    """Known values that look like ``raw`` (for an unknown value's error message)."""
    spellings = _spellings()
    close = difflib.get_close_matches(raw.strip().upper(), list(spellings), n=n, cutoff=0.6)
    if not close:
        needle = raw.strip().upper()
        close = [s for s in spellings if needle and needle in s][:n]
    return [spellings[c] for c in close]


# --- describing a canonical state -----------------------------------------------------------


def _show(value: Any) -> str:
    if isinstance(value, enum.IntEnum):
        return f"{int(value)} ({value.name})"
    if isinstance(value, enum.Enum):
        return str(value.value)
    return str(value)


def _values_for(vocab: Vocabulary[Any, Any], match: Any) -> list[Any]:
    return [value for value, keys in vocab.reverse.items() if any(match(k) for k in keys)]


def _labels(key: Canonical) -> list[tuple[str, str]]:
    """Every tool's value for a canonical state (and for its request type)."""
    out: list[tuple[str, str]] = []
    for vocab in VOCABULARIES:

        def match(k: Any, vocab_name: str = vocab.name) -> bool:
            if isinstance(k, Canonical):
                return k == key
            if isinstance(k, RequestType):
                return k is key.request_type
            if isinstance(k, tuple) and vocab_name != "decision":
                return bool(k) and k[0] is key.request_type  # (type, opening event)
            return False

        values = _values_for(vocab, match)
        if values:
            out.append((vocab.name, " | ".join(_show(v) for v in values)))
    return out


def _decision(key: Canonical, event: str) -> str:
    decision = next(v for v in VOCABULARIES if v.name == "decision")
    values = _values_for(decision, lambda k: k == (key.request_type, event))
    return f"  [platform decision {', '.join(_show(v) for v in values)}]" if values else ""


def _next_events(key: Canonical) -> list[str]:
    return [
        f"{e.event}{f' [{e.guard}]' if e.guard else ''} by {e.who} -> {e.dest.value}"
        f"{_decision(key, e.event)}"
        for e in edges(key.request_type)
        if e.source is key.state
    ]


def _deadlines(key: Canonical, policy: Policy, where: Region | None) -> list[str]:
    lc = LIFECYCLES[key.request_type]
    rows = []
    for t in lc.timeouts_from(key.state):
        assert t.timeout is not None
        rule = policy.rule(where, key.request_type, t.timeout)  # type: ignore[arg-type]
        starts = (
            "from entering the state"
            if rule.starts_after is None
            else f"from the last {rule.starts_after}"
        )
        rows.append(
            f"{t.timeout.value}: the {WINDOW_ACTORS[t.timeout].value} has {rule.duration} "
            f"{starts}; then the clock fires {t.event} -> {t.dest_from(key.state).value}"
            f"  (source: {rule.source})"
        )
    return rows


def explain_lines(raw: str, policy: Policy, where: Region | None = None) -> list[str]:
    """What ``explain`` prints for ``raw``, as lines.

    Raises:
        UnknownCode: Nothing knows ``raw``.

    """
    lines: list[str] = []
    states: list[Canonical] = []
    for m in meanings(raw):
        spelled = f" (written {m.alias!r})" if m.alias else ""
        lines.append(f"{_show(m.value)}{spelled}: {m.vocabulary} - {m.title}")
        keys = sorted(m.candidates, key=str)
        if not keys:
            lines.append("  means no canonical state (no case shows it)")
        elif all(isinstance(k, Canonical) for k in keys):
            lines.append(f"  means {', '.join(str(k) for k in keys)}")
            states.extend(k for k in keys if k not in states)
        else:
            for k in keys:
                if isinstance(k, tuple):
                    lines.append(f"  means {k[0].value}: event {k[1]}")
                else:
                    lines.append(f"  means {_show(k)}")
    where_text = "any region" if where is None else f"{where.code} ({where.name})"
    for key in states:
        lines.append("")
        lines.append(f"== {key}")
        lines.append("  shown as:")
        lines.extend(f"    {name}: {value}" for name, value in _labels(key))
        lines.append("  events allowed next:")
        lines.extend(f"    {row}" for row in _next_events(key) or ["none (terminal state)"])
        timed = _deadlines(key, policy, where)
        lines.append(f"  deadline (policy {policy.name}, {where_text}):")
        if timed:
            lines.extend(f"    {row}" for row in timed)
            if any("the seller has" in row for row in timed):
                lines.append(
                    "    a seller deadline the platform sends (seller_next_action_response) wins"
                )
        elif key.state in LIFECYCLES[key.request_type].terminal:
            lines.append("    none: terminal state")
        else:
            lines.append("    none: no clock runs here")
        note = arbitration_notes(key.request_type).get(key.state)
        if note:
            lines.append(f"  {note}")
    return lines


# --- the commands ---------------------------------------------------------------------------


def _explain_args(parser: argparse.ArgumentParser) -> None:
    parser.formatter_class = HelpFormatter
    parser.epilog = epilog(
        (
            "tiktok-aftersales explain AWAITING_BUYER_SHIP",
            "tiktok-aftersales explain 51",
            'tiktok-aftersales explain "Aftersale Buyer Shipped" --region ID',
            "tiktok-aftersales explain refund_only/requested --policy channel_manager",
        ),
        (
            (0, "explained"),
            (1, "no vocabulary knows the value (close matches are suggested)"),
            (2, "usage: bad arguments, unknown --region or --policy"),
        ),
    )
    parser.add_argument(
        "value",
        metavar="VALUE",
        help="a platform status (AWAITING_BUYER_SHIP), legacy code (51, CANCEL_SUCCESS), "
        'grid tab ("Aftersale Buyer Shipped"), tool label, or canonical state',
    )
    parser.add_argument(
        "--region",
        type=region_option,
        metavar="R",
        help="region code whose deadlines to show (default: the any-region rules)",
    )
    parser.add_argument(
        "--policy",
        type=policy_option,
        default="default",
        metavar="P",
        help="built-in policy name (default, channel_manager), NAME,WINDOW=DURATION... "
        "or a policy JSON file",
    )


@command("explain", "say what a platform status, legacy code, tab or label means")(_explain_args)
def _explain(args: argparse.Namespace) -> int:
    try:
        lines = explain_lines(args.value, args.policy, args.region)
    except UnknownCode:
        close = suggestions(args.value)
        hint = f" Did you mean: {', '.join(close)}?" if close else ""
        print(
            f"error: {args.value!r} is not a value any vocabulary knows.{hint}\n"
            f"Vocabularies asked: {', '.join(v.name for v in VOCABULARIES)}.",
            file=sys.stderr,
        )
        return 1
    print("\n".join(lines))
    return 0


def _types() -> Iterable[str]:
    return [t.value for t in RequestType]


def _diagram_args(parser: argparse.ArgumentParser) -> None:
    parser.formatter_class = HelpFormatter
    parser.epilog = epilog(
        (
            "tiktok-aftersales diagram refund_only > refund_only.mmd",
            "tiktok-aftersales diagram return_and_refund --format dot -o rr.dot",
            "tiktok-aftersales diagram exchange --format svg -o exchange.svg  # needs Graphviz",
            "tiktok-aftersales diagram refund_only --region TH  # with TH window lengths",
        ),
        (
            (0, "drawn"),
            (1, "the file could not be written, or svg without Graphviz"),
            (2, "usage: bad arguments, unknown TYPE, --region or --policy"),
        ),
    )
    parser.add_argument("type", metavar="TYPE", choices=_types(), help=", ".join(_types()))
    parser.add_argument("--format", choices=FORMATS, default="mermaid", help="mermaid, dot or svg")
    parser.add_argument("--output", "-o", metavar="FILE", help="write here instead of stdout")
    parser.add_argument(
        "--policy",
        type=policy_option,
        metavar="P",
        help="show each deadline's length under this policy (as explain --policy)",
    )
    parser.add_argument(
        "--region",
        type=region_option,
        metavar="R",
        help="show the window lengths of this region (policy: --policy, or default)",
    )


@command("diagram", "draw a request type's lifecycle (mermaid, dot or svg)")(_diagram_args)
def _diagram(args: argparse.Namespace) -> int:
    policy, where = args.policy, args.region
    if where is not None and policy is None:
        policy = named_policy("default")
    text = diagram(args.type, args.format, policy=policy, region=where)
    if args.output:
        try:
            Path(args.output).write_text(text, encoding="utf-8")
        except OSError as error:
            print(f"error: cannot write {args.output}: {error.strerror}", file=sys.stderr)
            return 1
        print(f"wrote {args.output} ({args.format}, {args.type})", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0
