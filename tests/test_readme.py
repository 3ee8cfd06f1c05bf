"""The README's tour runs as written, and prints what it says it prints."""

from __future__ import annotations

import contextlib
import io
import itertools
import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def _expected(block: str) -> list[str]:
    """The comment line right after each print(...) is the output it promises."""
    lines = block.splitlines()
    out = []
    for line, following in itertools.pairwise(lines):
        if line.lstrip().startswith("print(") and following.startswith("# "):
            out.append(following[2:])
    return out


def test_readme_python_blocks_run_and_print_what_the_comments_say():
    text = README.read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert len(blocks) >= 3
    namespace: dict[str, object] = {}
    checked = 0
    for block in blocks:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(block, str(README), "exec"), namespace)
        printed = out.getvalue().splitlines()
        for want in _expected(block):
            if "…" in want:
                assert any(p.startswith(want.split("…")[0]) for p in printed), want
            else:
                assert want in printed, want
            checked += 1
    assert checked >= 6
