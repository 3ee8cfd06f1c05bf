"""Griffe extension for the API reference: doctest examples in docstrings become code blocks.

Docstrings show examples as ``>>>`` lines; without this, Markdown renders
them as prose (and reads ``['a', 'b']`` as a link). Each run of lines
starting at ``>>>`` up to the next blank line is fenced as ``pycon``.
Loaded by ``mkdocstrings`` through ``extensions:`` in ``mkdocs.yml``.
"""

from __future__ import annotations

from typing import Any

import griffe


def fence_doctests(text: str) -> str:
    """Wrap every ``>>>`` run (up to a blank line) of ``text`` in a ``pycon`` fence."""
    out: list[str] = []
    fenced = False
    in_doctest = False
    indent = ""
    for line in text.splitlines():
        stripped = line.strip()
        if in_doctest and not stripped:
            out.append(f"{indent}```")
            in_doctest = False
        if stripped.startswith("```"):
            fenced = not fenced
        elif not fenced and not in_doctest and stripped.startswith(">>>"):
            indent = line[: len(line) - len(line.lstrip())]
            out.append(f"{indent}```pycon")
            in_doctest = True
        out.append(line)
    if in_doctest:
        out.append(f"{indent}```")
    return "\n".join(out)


class DoctestFences(griffe.Extension):
    """Fence the doctest examples of every docstring griffe loads."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        """Rewrite the object's docstring, if it has doctest lines."""
        if obj.docstring is not None and ">>>" in obj.docstring.value:
            obj.docstring.value = fence_doctests(obj.docstring.value)
