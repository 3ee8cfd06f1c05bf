"""The ``replay`` and ``simulate`` commands: formats, exit codes, progress, help."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tiktok_aftersales.analysis import dump_jsonl, population
from tiktok_aftersales.cli import main

SAMPLE = Path(__file__).parent.parent / "examples" / "data" / "histories.jsonl"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "platform"


@pytest.fixture
def histories(tmp_path: Path) -> Path:
    path = tmp_path / "cases.jsonl"
    path.write_text("\n".join(dump_jsonl(population(3, 12).histories())) + "\n")
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# --- replay -----------------------------------------------------------------------------------


def test_replay_prints_every_figure_as_tables(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "replay", str(SAMPLE))
    assert (code, err) == (0, "")
    for title in ("summary", "outcomes", "timeouts", "exposure", "seller deadlines", "tabs"):
        assert f"\n{title}\n" in f"\n{out}"
    assert "time in state" in out


def test_replay_json_has_summary_tables_and_no_errors(
    capsys: pytest.CaptureFixture[str], histories: Path
) -> None:
    code, out, _ = run(capsys, "replay", str(histories), "--format", "json")
    doc = json.loads(out)
    assert code == 0
    assert (doc["cases"], doc["errors"], doc["summary"]["cases"]) == (12, [], 12)
    assert sum(r["cases"] for r in doc["outcomes"]) == 12
    assert all(isinstance(r["amount"], str) for r in doc["exposure"])  # Decimal as text


def test_replay_csv_prints_one_table(capsys: pytest.CaptureFixture[str], histories: Path) -> None:
    code, out, _ = run(capsys, "replay", str(histories), "--format", "csv")
    rows = list(csv.reader(io.StringIO(out)))
    assert code == 0 and rows[0] == ["metric", "value"] and rows[1] == ["cases", "12"]
    code, out, _ = run(capsys, "replay", str(histories), "--format", "csv", "--table", "outcomes")
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["request_type", "state", "cases", "share"]
    assert sum(int(r[2]) for r in rows[1:]) == 12


def test_replay_with_bad_lines_prints_what_loaded_and_exits_1(
    capsys: pytest.CaptureFixture[str], histories: Path
) -> None:
    lines = histories.read_text().splitlines()
    lines.insert(1, "{broken")
    histories.write_text("\n".join(lines) + "\n")
    code, out, err = run(capsys, "replay", str(histories), "--format", "json")
    assert code == 1
    assert json.loads(out)["cases"] == 12
    assert f"{histories}: line 2: json=" in err
    assert "1 problem(s); 12 case(s) replayed" in err


def test_replay_of_a_missing_file_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "replay", "no/such/file.jsonl")
    assert (code, out) == (2, "")
    assert "cannot read no/such/file.jsonl" in err


def test_replay_reads_stdin(
    capsys: pytest.CaptureFixture[str], histories: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(histories.read_text()))
    code, out, _ = run(capsys, "replay", "-", "--format", "json", "--table", "summary")
    assert code == 0 and json.loads(out)["summary"]["cases"] == 12


def test_replay_counts_tabs_at_given_instants(
    capsys: pytest.CaptureFixture[str], histories: Path
) -> None:
    code, out, _ = run(
        capsys,
        "replay",
        str(histories),
        "--format",
        "json",
        "--table",
        "tabs",
        "--at",
        "2024-01-01T00:00:00+00:00",
        "--at",
        "2030-01-01T00:00Z",
    )
    rows = json.loads(out)["tabs"]
    assert code == 0
    assert {r["at"] for r in rows} == {"2024-01-01T00:00:00+00:00", "2030-01-01T00:00:00+00:00"}
    before, after = (
        sum(r["cases"] for r in rows if r["at"].startswith(year) and r["tab"] != "All")
        for year in ("2024", "2030")
    )
    assert (before, after) == (0, 12)  # every case is in a tab or "outside" the grid


def test_replay_refuses_a_naive_instant(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["replay", str(SAMPLE), "--at", "2025-01-01T00:00"]) == 2
    assert "UTC offset" in capsys.readouterr().err


@pytest.mark.skipif(not FIXTURES.exists(), reason="bundled platform fixtures missing")
def test_replay_of_a_platform_dump(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    page = json.loads((FIXTURES / "returns_search_response.live.json").read_text())
    path = tmp_path / "dump.jsonl"
    path.write_text(json.dumps(page) + "\n")
    code, out, err = run(
        capsys, "replay", str(path), "--input", "platform", "--region", "VN", "--format", "json"
    )
    assert (code, err) == (0, "")
    assert json.loads(out)["cases"] == len(page["data"]["return_orders"])


# --- simulate ---------------------------------------------------------------------------------


def test_simulate_one_policy_prints_one_column(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "simulate", "--cases", "40", "--seed", "2")
    assert (code, err) == (0, "")
    header = out.splitlines()[1].split()
    assert header == ["metric", "default"]
    assert "auto-approvals" in out


def test_simulate_compares_two_policies(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "simulate",
        "--cases",
        "120",
        "--seed",
        "4",
        "--region",
        "GB",
        "--policy",
        "default",
        "--vs",
        "default,seller_response=24h@GB",
        "--format",
        "json",
    )
    doc = json.loads(out)
    assert code == 0
    assert (doc["policy"], doc["vs"]) == ("default", "default,seller_response=24h@GB")
    rows = {r["metric"]: r for r in doc["comparison"]}
    assert rows["cases"] == {"metric": "cases", "a": 120, "b": 120, "change": 0}
    assert rows["auto-approvals"]["b"] >= rows["auto-approvals"]["a"]


def test_simulate_csv_of_one_figure_stacks_both_policies(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(
        capsys,
        "simulate",
        "--cases",
        "30",
        "--vs",
        "channel_manager",
        "--table",
        "outcomes",
        "--format",
        "csv",
    )
    rows = list(csv.reader(io.StringIO(out)))
    assert code == 0 and rows[0] == ["policy", "request_type", "state", "cases", "share"]
    assert {r[0] for r in rows[1:]} == {"default", "channel_manager"}
    assert sum(int(r[3]) for r in rows[1:] if r[0] == "default") == 30


def test_simulate_table_of_one_figure(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "simulate", "--cases", "30", "--table", "exposure", "--vs", "default"
    )
    assert code == 0
    assert "exposure under default" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["--policy", "nope"],
            "unknown policy 'nope'; built-in policies: channel_manager, default",
        ),
        (["--vs", "default,nap=1h"], "window"),
        (["--region", "XX"], "unknown region 'XX'; known regions: US, GB"),
        (["--policy", "missing.json"], "cannot read policy file missing.json"),
    ],
)
def test_simulate_usage_errors_exit_2(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, out, err = run(capsys, "simulate", "--cases", "5", *argv)
    assert (code, out) == (2, "")
    assert message in err


def test_simulate_reads_a_policy_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    from tiktok_aftersales import DEFAULT_POLICY

    path = tmp_path / "fast.json"
    fast = DEFAULT_POLICY.with_window(window="seller_response", duration="12h").renamed("fast")
    path.write_text(json.dumps(fast.to_dict()))
    code, out, _ = run(capsys, "simulate", "--cases", "20", "--vs", str(path))
    assert code == 0 and "fast" in out.splitlines()[1]


def test_negative_case_count_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate", "--cases", "-3"]) == 2


@pytest.mark.parametrize("name", ["replay", "simulate"])
def test_help_on_each_command(capsys: pytest.CaptureFixture[str], name: str) -> None:
    assert main([name, "--help"]) == 0
    assert f"usage: tiktok-aftersales {name}" in capsys.readouterr().out


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_shows_on_a_terminal(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert main(["simulate", "--cases", "20"]) == 0
    shown = terminal.getvalue()
    assert shown.startswith("\rsimulating: 20 cases in ") and shown.endswith(" cases/s)\n")


def test_no_progress_when_piped() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "tiktok_aftersales", "simulate", "--cases", "20"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert "auto-approvals" in done.stdout
