"""Command-line commands for analysts: ``replay`` and ``simulate``.

This module does the I/O the pure `tiktok_aftersales.analysis` leaves
out: it reads files, prints tables and shows progress on a terminal.

Exit codes: 0 ok; 1 the data had bad lines (what loaded is still printed,
the bad lines go to stderr); 2 usage (bad arguments, unreadable file,
unknown policy or region).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO

from ..errors import InvalidValue
from ._main import command
from ._options import HelpFormatter, epilog, input_hint, policy_option, region_option
from ._options import report_problems as _report
from ._progress import PIPE_EVERY, ProgressLine

__all__: list[str] = []

FORMATS = ("table", "json", "csv")
TABLES = (
    "summary",
    "outcomes",
    "timeouts",
    "exposure",
    "seller_deadlines",
    "time_in_state",
    "tabs",
)
USAGE = 2
DATA_ERRORS = 1


def _instant(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 instant: {text!r}") from None
    if value.utcoffset() is None:
        raise argparse.ArgumentTypeError(f"give a UTC offset: {text!r} (e.g. 2025-03-01T00:00Z)")
    return value


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be zero or more: {value}")
    return value


# --- output ----------------------------------------------------------------------------------


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:.4g}" if abs(value) < 1 else f"{value:.2f}".rstrip("0").rstrip(".")
    return str(value)


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def _render(title: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    cells = [[_cell(v) for v in row] for row in rows]
    heads = [c.replace("_", " ") if c.isidentifier() else c for c in columns]
    widths = [max([len(h), *(len(r[i]) for r in cells)]) for i, h in enumerate(heads)]
    numeric = [
        all(r[i].replace(".", "", 1).replace("-", "", 1).isdigit() for r in cells if r[i])
        and any(r[i] for r in cells)
        for i in range(len(heads))
    ]

    def line(values: Sequence[str]) -> str:
        parts = [
            v.rjust(w) if num else v.ljust(w)
            for v, w, num in zip(values, widths, numeric, strict=True)
        ]
        return "  ".join(parts).rstrip()

    out = [title, line(heads), "  ".join("-" * w for w in widths)]
    out += [line(r) for r in cells] or ["(none)"]
    return "\n".join(out)


Section = tuple[str, tuple[str, ...], list[tuple[Any, ...]]]


def _sections(fig: Any, which: str) -> list[Section]:
    out: list[Section] = []
    if which in ("all", "summary"):
        out.append(("summary", ("metric", "value"), list(fig.summary.items())))
    for table in fig.tables():
        if which in ("all", table.name):
            rows = [tuple(getattr(r, c) for c in table.columns) for r in table.rows]
            out.append((table.name, table.columns, rows))
    return out


def _emit(
    out: TextIO,
    fmt: str,
    sections: list[tuple[str, tuple[str, ...], list[tuple[Any, ...]]]],
    extra: dict[str, Any] | None = None,
) -> None:
    if fmt == "json":
        doc: dict[str, Any] = dict(extra or {})
        for name, columns, rows in sections:
            if name == "summary" and columns == ("metric", "value"):
                doc[name] = {k: _json_value(v) for k, v in rows}
            else:
                doc[name] = [
                    {c: _json_value(v) for c, v in zip(columns, r, strict=True)} for r in rows
                ]
        out.write(json.dumps(doc, ensure_ascii=False, indent=2) + "\n")
        return
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        name, columns, rows = sections[0]
        writer.writerow(columns)
        writer.writerows([_cell(v) for v in r] for r in rows)
        out.write(buffer.getvalue())
        return
    out.write("\n\n".join(_render(n.replace("_", " "), c, r) for n, c, r in sections) + "\n")


def _progress(label: str, unit: str, args: argparse.Namespace) -> ProgressLine | None:
    """Progress on stderr (redrawn on a terminal, a line every few seconds otherwise)."""
    if args.quiet:
        return None
    stream = sys.stderr
    return ProgressLine(label, unit, stream, terminal=stream.isatty(), every=args.progress_every)


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be zero or more: {text}")
    return value


def _progress_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--quiet", "-q", action="store_true", help="no progress on stderr (problems still are)"
    )
    parser.add_argument(
        "--progress-every",
        type=_seconds,
        default=PIPE_EVERY,
        metavar="S",
        help="seconds between progress lines when stderr is not a terminal",
    )


# --- replay ------------------------------------------------------------------------------------


REPLAY_EXIT = (
    (0, "replayed, no problems"),
    (
        1,
        "the input had problems: bad lines (the first 20 go to stderr, with a count), "
        "or no data at all; what loaded is still printed",
    ),
    (2, "usage: bad arguments, unreadable file, unknown --region"),
)


def _replay_arguments(parser: argparse.ArgumentParser) -> None:
    parser.formatter_class = HelpFormatter
    parser.epilog = epilog(
        (
            "tiktok-aftersales replay cases.jsonl",
            "tiktok-aftersales replay cases.jsonl --table outcomes --format csv > outcomes.csv",
            "tiktok-aftersales replay dump.jsonl --input platform --region GB --quiet",
            "zcat big.jsonl.gz | tiktok-aftersales replay - --format json > figures.json",
        ),
        REPLAY_EXIT,
    )
    parser.add_argument(
        "file",
        metavar="FILE.jsonl",
        help="JSON Lines of events or whole cases (see the analysis docs); '-' reads stdin",
    )
    parser.add_argument("--format", choices=FORMATS, default="table", help="output format")
    parser.add_argument(
        "--table",
        choices=(*TABLES, "all"),
        default=None,
        help="which figure to print (default: all; csv prints one table, summary by default)",
    )
    parser.add_argument(
        "--input",
        choices=("events", "platform"),
        default="events",
        help="events: the library's JSON Lines; platform: one platform record, "
        "page or webhook per line",
    )
    parser.add_argument(
        "--region",
        type=region_option,
        default="US",
        metavar="R",
        help="the shop's region for --input platform",
    )
    parser.add_argument(
        "--at",
        action="append",
        type=_instant,
        metavar="INSTANT",
        help="count grid tabs at this ISO 8601 instant (repeatable; default: six evenly spaced)",
    )
    _progress_arguments(parser)


def _read_lines(name: str) -> list[str]:
    if name == "-":
        return sys.stdin.read().splitlines()
    try:
        return Path(name).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidValue("file", name, f"cannot read {name}: {exc}") from None


@command("replay", "replay case histories from a JSON Lines file and print the figures")(
    _replay_arguments
)
def _replay(args: argparse.Namespace) -> int:
    from .. import analysis

    try:
        lines = _read_lines(args.file)
    except InvalidValue as exc:
        print(f"error: {exc}", file=sys.stderr)
        return USAGE
    source = "stdin" if args.file == "-" else args.file
    if not any(line.strip() for line in lines):
        print(
            f"error: {source} is empty: no cases to replay "
            "(expected JSON Lines: one event or case per line)",
            file=sys.stderr,
        )
        return DATA_ERRORS
    reading = _progress("reading", "lines", args)
    counted = _counting(lines, reading)
    if args.input == "platform":
        loaded = analysis.load_platform_dump(counted, region=args.region)
        expected = "one platform record, page or webhook"
    else:
        loaded = analysis.load_jsonl(counted)
        expected = "one event or case"
    result = analysis.replay(loaded.histories, progress=_progress("replaying", "cases", args))
    fig = analysis.figures(result.cases, instants=args.at)
    which = args.table or ("summary" if args.format == "csv" else "all")
    errors = [*loaded.errors, *result.errors]
    extra = {
        "file": args.file,
        "lines": loaded.lines,
        "cases": fig.cases,
        "errors": [str(e) for e in errors],
    }
    _emit(sys.stdout, args.format, _sections(fig, which), extra)
    if errors:
        hint = input_hint(lines, expected) if len(errors) > 1 or not fig.cases else None
        _report(sys.stderr, source, errors, hint=hint)
        print(
            f"{source}: {len(errors):,} problem(s); {fig.cases:,} case(s) replayed",
            file=sys.stderr,
        )
        return DATA_ERRORS
    if not fig.cases:
        print(f"error: {source} holds no cases", file=sys.stderr)
        return DATA_ERRORS
    return 0


def _counting(lines: list[str], progress: ProgressLine | None) -> Iterable[str]:
    """``lines``, reporting to ``progress`` as they are read."""
    if progress is None:
        yield from lines
        return
    total = len(lines)
    for i, line in enumerate(lines, 1):
        yield line
        if i % 1000 == 0 or i == total:
            progress(i, total)


# --- simulate ----------------------------------------------------------------------------------


SIMULATE_EXIT = (
    (0, "simulated"),
    (2, "usage: bad arguments, unknown --policy, --vs or --region"),
)


def _simulate_arguments(parser: argparse.ArgumentParser) -> None:
    parser.formatter_class = HelpFormatter
    parser.epilog = epilog(
        (
            "tiktok-aftersales simulate",
            "tiktok-aftersales simulate --cases 20000 --policy default --vs channel_manager",
            "tiktok-aftersales simulate --vs default,seller_response=24h@GB --region GB",
            "tiktok-aftersales simulate --table outcomes --format csv --quiet > outcomes.csv",
        ),
        SIMULATE_EXIT,
    )
    parser.add_argument("--cases", type=_count, default=1000, metavar="N", help="population size")
    parser.add_argument("--seed", type=int, default=1, metavar="S", help="random seed")
    parser.add_argument(
        "--policy",
        type=policy_option,
        default="default",
        metavar="A",
        help="a policy name (default, channel_manager), NAME,WINDOW=DURATION[@REGION[/TYPE]]... "
        "(e.g. default,seller_response=24h@GB), or a policy JSON file",
    )
    parser.add_argument(
        "--vs", type=policy_option, default=None, metavar="B", help="a second policy, as --policy"
    )
    parser.add_argument(
        "--region",
        type=region_option,
        default=None,
        metavar="R",
        help="only cases of this region (e.g. GB; default: every region)",
    )
    parser.add_argument("--format", choices=FORMATS, default="table", help="output format")
    parser.add_argument(
        "--table",
        choices=("comparison", *TABLES[1:]),
        default="comparison",
        help="what to print: the side-by-side comparison or one figure per policy",
    )
    _progress_arguments(parser)


@command("simulate", "simulate a synthetic population under one policy, or two side by side")(
    _simulate_arguments
)
def _simulate(args: argparse.Namespace) -> int:
    from .. import analysis

    first, second = args.policy, args.vs
    try:
        pop = analysis.population(args.seed, args.cases, region=args.region)
    except InvalidValue as exc:
        print(f"error: {exc}", file=sys.stderr)
        return USAGE
    progress = _progress("simulating", "cases", args)
    result = analysis.simulate(pop, first, second, progress=progress)
    names = (first.name, second.name if second is not None else None)
    extra = {"cases": args.cases, "seed": args.seed, "policy": names[0], "vs": names[1]}
    if args.table == "comparison":
        if second is None:
            columns: tuple[str, ...] = ("metric", names[0])
            rows: list[tuple[Any, ...]] = [(r.metric, r.a) for r in result.rows]
        else:
            columns = ("metric", names[0], names[1] or "", "change")
            rows = [(r.metric, r.a, r.b, r.change) for r in result.rows]
        if args.format == "json":
            extra["comparison"] = [
                {"metric": r.metric, "a": _json_value(r.a), "b": _json_value(r.b),
                 "change": _json_value(r.change)}
                for r in result.rows
            ]  # fmt: skip
            _emit(sys.stdout, "json", [], extra)
        else:
            _emit(sys.stdout, args.format, [("comparison", columns, rows)])
        return 0
    sections = []
    for label, fig in ((names[0], result.a), (names[1], result.b)):
        if fig is None:
            continue
        for name, columns, rows in _sections(fig, args.table):
            sections.append((f"{name} under {label}", columns, rows))
    if args.format == "csv":  # one table: both policies stacked, with a policy column
        stacked: list[tuple[Any, ...]] = []
        for label, fig in ((names[0], result.a), (names[1], result.b)):
            if fig is not None:
                _, columns, rows = _sections(fig, args.table)[0]
                stacked += [(label, *r) for r in rows]
        _emit(sys.stdout, "csv", [(args.table, ("policy", *columns), stacked)])
    elif args.format == "json":
        extra.update({n: [dict(zip(c, r, strict=True)) for r in rs] for n, c, rs in sections})
        _emit(sys.stdout, "json", [], {k: _walk(v) for k, v in extra.items()})
    else:
        _emit(sys.stdout, "table", sections)
    return 0


def _walk(value: Any) -> Any:
    if isinstance(value, list):
        return [_walk(x) for x in value]
    if isinstance(value, dict):
        return {k: _walk(v) for k, v in value.items()}
    return _json_value(value)
