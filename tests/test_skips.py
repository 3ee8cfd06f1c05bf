"""Every skip in the suite says what would run the test (an extra, a system package)."""

from __future__ import annotations

import re
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def test_every_importorskip_gives_a_reason_naming_what_to_install():
    for path in sorted(TESTS.glob("*.py")):
        text = path.read_text(encoding="utf-8")
        for call in re.finditer(r"importorskip\((?:[^()]|\([^()]*\))*\)", text):
            assert "reason=" in call.group(0), f"{path.name}: {call.group(0)}"


def test_every_skip_reason_about_a_missing_package_names_its_extra():
    reason = re.compile(r"""reason=(?:\(\s*)?["']([^"']*)["']""")
    for path in sorted(TESTS.glob("*.py")):
        for found in reason.finditer(path.read_text(encoding="utf-8")):
            text = found.group(1)
            if text.startswith("needs"):
                assert re.search(r"\[\w+\]|the \w+ extra|apt-get install", text), (
                    f"{path.name}: skip reason {text!r} names no extra"
                )
