"""The how-to's one command runs: receiver → service → PostgreSQL → the fake TikTok Shop."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from .pg_support import BASE_DSN, needs_postgres

pytestmark = needs_postgres
pytest.importorskip("psycopg", reason="the [postgres] extra is not installed")


def test_the_how_to_command_runs_the_whole_path() -> None:
    assert BASE_DSN
    done = subprocess.run(
        [sys.executable, "-m", "tiktok_aftersales.adapters.host", "--dsn", BASE_DSN],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert sum("HTTP 200" in line for line in lines) == 3
    assert any(line.endswith("in PostgreSQL: requested") for line in lines)
    assert "seller approves: case refund_committed, version 4" in lines
    assert "platform record now RETURN_OR_REFUND_REQUEST_SUCCESS" in lines
    assert "re-fetch: new" in lines  # the first delivery was a trigger: the record opened it
    assert "notification outcomes: conflict, nothing_new" in lines
    assert lines[-2] == "platform calls: 3, decisions applied: 1"


def test_without_a_dsn_the_command_says_what_is_missing() -> None:
    env = {k: v for k, v in os.environ.items() if k != "TIKTOK_AFTERSALES_POSTGRES_DSN"}
    env["PYTHONPATH"] = os.pathsep.join(sys.path)
    done = subprocess.run(
        [sys.executable, "-m", "tiktok_aftersales.adapters.host"],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )
    assert done.returncode == 2 and "TIKTOK_AFTERSALES_POSTGRES_DSN" in done.stderr
