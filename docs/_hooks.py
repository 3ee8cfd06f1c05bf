"""Generated blocks of the docs pages: diagrams, tables and command help, from the library.

A page asks for generated text between two markers::

    <!-- generated: mermaid refund_only -->
    ...filled in from the lifecycle declaration...
    <!-- end -->

(the deadlines page uses ``<!-- policy-table:start -->`` ... ``<!-- policy-table:end -->``).

- As a MkDocs hook (``hooks:`` in ``mkdocs.yml``), ``on_page_markdown`` fills
  every block at build time, so the site always shows what the library declares.
- ``tests/test_docs.py`` checks that the committed pages already hold the same
  text, so the Markdown read on its own is current too.
- ``python docs/_hooks.py`` rewrites the committed pages after a change.

Nothing here is typed by hand: every block comes from a library function.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

log = logging.getLogger("mkdocs.hooks.generated")

DOCS = Path(__file__).resolve().parent

_BODY = r"((?:(?!<!-- )[^\n]*\n)*?)"
BLOCK = re.compile(r"(<!-- generated: ([\w-]+)((?: [\w.-]+)*) -->\n)" + _BODY + r"(<!-- end -->)")
RANGE = re.compile(r"(<!-- ([\w-]+):start -->\n)" + _BODY + r"(<!-- \2:end -->)")

OPTIONAL_PAGES = frozenset({"howto/compare-policies.md"})
"""Pages another part of the project writes; the nav skips them until they exist."""


# --- generators ---------------------------------------------------------------------------


def _mermaid(kind: str) -> str:
    from tiktok_aftersales.diagrams import mermaid_diagram

    return "```mermaid\n" + mermaid_diagram(kind) + "```"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _transitions(kind: str) -> str:
    """Every declared transition of a type: from, event, to, who, guard, effects."""
    from tiktok_aftersales.diagrams import edges
    from tiktok_aftersales.lifecycle import LIFECYCLES
    from tiktok_aftersales.domain.vocabulary import RequestType

    lc = LIFECYCLES[RequestType(kind)]
    by_event: dict[tuple[Any, ...], Any] = {}
    for t in lc.transitions:
        for s in t.sources:
            by_event.setdefault((s, t.event, t.dest_from(s), t.guard and t.guard.name), t)
    lines = [
        "| from | event | to | who | guard | effects |",
        "|---|---|---|---|---|---|",
    ]
    for e in edges(lc):
        t = by_event[(e.source, e.event, e.dest, e.guard)]
        effects = ", ".join(f.kind.value + (f" (if {f.when})" if f.when else "") for f in t.effects)
        lines.append(
            f"| {e.source.value} | `{e.event}` | {e.dest.value} | {_cell(e.who)} "
            f"| {e.guard or ''} | {effects} |"
        )
    return "\n".join(lines)


def _request_types() -> str:
    from tiktok_aftersales.lifecycle import LIFECYCLES

    lines = ["| type | what it is | opened by | states | terminal |", "|---|---|---|---|---|"]
    for kind, lc in LIFECYCLES.items():
        openers = ", ".join(f"`{e}`" for e in lc.openings)
        states = ", ".join(s.value for s in lc.case_states)
        ends = ", ".join(s.value for s in lc.case_states if s in lc.terminal)
        lines.append(
            f"| [`{kind.value}`](#{kind.value.replace('_', '-')}) | {_cell(lc.doc)} "
            f"| {openers} | {states} | {ends} |"
        )
    return "\n".join(lines)


def _events() -> str:
    from tiktok_aftersales.lifecycle import EVENTS, LIFECYCLES

    lines = ["| event | what it means | payload fields | used by |", "|---|---|---|---|"]
    for name, spec in EVENTS.items():
        fields = ", ".join(
            f"`{f}`" + ("*" if f in spec.required else "")
            for f in spec.fields
            if f not in ("note", "reason", "comment") or f in spec.required
        )
        users = ", ".join(k.value for k, lc in LIFECYCLES.items() if name in lc.events)
        lines.append(f"| `{name}` | {_cell(spec.doc)} | {fields} | {users} |")
    return "\n".join(lines)


def _predicates() -> str:
    from tiktok_aftersales.lifecycle import PREDICATES

    lines = ["| predicate | holds when | reads the payload |", "|---|---|---|"]
    for name, p in PREDICATES.items():
        lines.append(f"| `{name}` | {_cell(p.doc)} | {'yes' if p.reads_payload else ''} |")
    return "\n".join(lines)


@contextlib.contextmanager
def _columns(width: int) -> Iterator[None]:
    old = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = str(width)
    try:
        yield
    finally:
        if old is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = old


def _cli_help(name: str = "") -> str:
    """``tiktok-aftersales [name] --help``, as the shell prints it (80 columns)."""
    from tiktok_aftersales import cli

    with _columns(80):
        parser = cli.build_parser()
        if name:
            sub = next(a for a in parser._actions if a.dest == "command")
            parser = sub.choices[name]  # type: ignore[index]
        text = parser.format_help()
    return "```text\n" + text.rstrip() + "\n```"


def _vocabulary(name: str) -> str:
    from tiktok_aftersales import codes

    if name == "canonical_table":
        return codes.canonical_table()
    vocab = getattr(codes, name, None)
    if not isinstance(vocab, codes.Vocabulary):
        raise KeyError(name)
    return codes.markdown_table(vocab)


def _deadline_table(name: str) -> str:
    from tiktok_aftersales.deadlines.clock import arbitration_table, timeout_table
    from tiktok_aftersales.deadlines.policy import DEFAULT_POLICY, policy_table, to_markdown

    tables: dict[str, Callable[[], list[Any]]] = {
        "policy-table": lambda: policy_table(DEFAULT_POLICY),
        "timeout-table": timeout_table,
        "arbitration-table": arbitration_table,
    }
    return to_markdown(tables[name]())


def _layers() -> str:
    """The package's layers and the imports between them, read from the source."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("_layers", DOCS / "_layers.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    table = ["| layer | modules | holds |", "|---|---|---|"]
    for name, parts, doc in module.LAYERS:
        table.append(f"| {name} | {', '.join(f'`{p}`' for p in parts)} | {doc} |")
    return "```mermaid\n" + module.mermaid() + "```\n\n" + "\n".join(table)


GENERATORS: dict[str, Callable[..., str]] = {
    "layers": _layers,
    "mermaid": _mermaid,
    "transitions": _transitions,
    "request-types": _request_types,
    "events": _events,
    "predicates": _predicates,
    "cli-help": _cli_help,
}
"""Marker name -> generator; the marker's words after the name are its arguments."""


def generate(name: str, *args: str) -> str | None:
    """The text for one marker, or ``None`` when this hook does not know the marker."""
    if name in GENERATORS:
        return GENERATORS[name](*args)
    if name.endswith("-table"):
        with contextlib.suppress(KeyError):
            return _deadline_table(name)
        return None
    with contextlib.suppress(KeyError):
        return _vocabulary(name) if not args else None
    return None


def refresh(text: str) -> str:
    """``text`` with every block this hook knows regenerated; other blocks kept as they are."""

    def block(m: re.Match[str]) -> str:
        found = generate(m.group(2), *m.group(3).split())
        return m.group(0) if found is None else m.group(1) + found + "\n" + m.group(5)

    def ranged(m: re.Match[str]) -> str:
        found = generate(m.group(2))
        return m.group(0) if found is None else m.group(1) + found + "\n" + m.group(4)

    return RANGE.sub(ranged, BLOCK.sub(block, text))


def blocks(text: str) -> list[tuple[str, tuple[str, ...], str]]:
    """Every generated block of a page: (name, arguments, committed text)."""
    out = [
        (m.group(2), tuple(m.group(3).split()), m.group(4).removesuffix("\n"))
        for m in BLOCK.finditer(text)
    ]
    out += [(m.group(2), (), m.group(3).removesuffix("\n")) for m in RANGE.finditer(text)]
    return out


# --- MkDocs hook entry points --------------------------------------------------------------


def _prune(nav: Any, docs_dir: Path) -> Any:
    if isinstance(nav, list):
        kept = [_prune(item, docs_dir) for item in nav]
        return [item for item in kept if item is not None]
    if isinstance(nav, dict):
        out = {}
        for title, value in nav.items():
            pruned = _prune(value, docs_dir)
            if pruned is not None:
                out[title] = pruned
        return out or None
    if isinstance(nav, str) and nav in OPTIONAL_PAGES and not (docs_dir / nav).exists():
        log.info("nav: %s is not written yet; left out", nav)
        return None
    return nav


def on_config(config: Any) -> Any:
    """Leave optional pages that do not exist yet out of the nav."""
    config["nav"] = _prune(config["nav"], Path(config["docs_dir"]))
    return config


def _literal_brackets(markdown: str) -> str:
    """Keep ``[3P] [I]`` in table cells literal (Markdown would read a reference link).

    Only table rows are touched, and never inside code spans.
    """
    out = []
    for line in markdown.split("\n"):
        if line.startswith("|") and "] [" in line:
            parts = line.split("`")
            parts[::2] = [p.replace("] [", "] \\[") for p in parts[::2]]
            line = "`".join(parts)
        out.append(line)
    return "\n".join(out)


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    """Fill the page's generated blocks from the library."""
    return _literal_brackets(refresh(markdown))


def main(argv: list[str]) -> int:
    """Rewrite the committed pages (all of ``docs/``, or the paths given)."""
    paths = [Path(p) for p in argv] or sorted(DOCS.rglob("*.md"))
    for path in paths:
        text = path.read_text(encoding="utf-8")
        new = refresh(text)
        if new != text:
            path.write_text(new, encoding="utf-8")
            print(f"regenerated {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(DOCS.parent / "src"))
    raise SystemExit(main(sys.argv[1:]))
