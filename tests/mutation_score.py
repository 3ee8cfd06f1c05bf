"""Print the mutation score per module from the last ``mutmut run`` (docs/mutation.md).

Usage: ``mutmut run`` then ``python tests/mutation_score.py``. A mutant counts as
killed when a test failed on it (or it timed out, or the type checker refused it);
survivors and mutants no test reaches count against the score. Not a test module.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter, defaultdict

KILLED = {"killed", "timeout", "caught by type check", "segfault"}
LINE = re.compile(r"^\s*(?P<name>[\w.ǁ]+)__mutmut_\d+: (?P<status>.+?)\s*$")


def main() -> int:
    out = subprocess.run(
        ["mutmut", "results", "--all", "true"], capture_output=True, text=True, check=True
    ).stdout
    per: dict[str, Counter[str]] = defaultdict(Counter)
    for line in out.splitlines():
        found = LINE.match(line)
        if not found:
            continue
        module = found["name"].rsplit(".", 1)[0]
        per[module][found["status"]] += 1
    if not per:
        print("no mutants: run `mutmut run` first", file=sys.stderr)
        return 1
    print(f"{'module':45} {'mutants':>7} {'killed':>7} {'survived':>8} {'no test':>7} {'score':>6}")
    for module in sorted(per):
        counts = per[module]
        total = sum(counts.values())
        killed = sum(n for status, n in counts.items() if status in KILLED)
        print(
            f"{module:45} {total:7} {killed:7} {counts['survived']:8} {counts['no tests']:7}"
            f" {100 * killed / total:5.1f}%"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
