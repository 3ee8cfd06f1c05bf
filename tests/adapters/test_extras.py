"""Each adapter names the extra that installs what it is missing."""

from __future__ import annotations

import subprocess
import sys

import pytest

CASES = [
    ("tiktok_aftersales.adapters.tiktok.client", "httpx", "tiktok"),
    ("tiktok_aftersales.adapters.web", "starlette", "web"),
    ("tiktok_aftersales.adapters.fake_tiktok", "starlette", "web"),
    ("tiktok_aftersales.adapters.postgres", "psycopg", "postgres"),
]


@pytest.mark.parametrize(("module", "dependency", "extra"), CASES)
def test_a_missing_dependency_is_a_missing_extra_error(
    module: str, dependency: str, extra: str
) -> None:
    script = (
        f"import sys; sys.modules[{dependency!r}] = None\n"
        "from tiktok_aftersales.errors import MissingExtra\n"
        "try:\n"
        f"    import {module}\n"
        "except MissingExtra as error:\n"
        "    print(error.extra, error)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.startswith(f"{extra} ")
    assert f"tiktok-aftersales[{extra}]" in done.stdout


def test_signing_and_the_core_need_no_extra() -> None:
    script = (
        "import sys; sys.modules['httpx'] = None\n"
        "from tiktok_aftersales.adapters.tiktok import ClientCore, sign\n"
        "print('ok')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "ok"
