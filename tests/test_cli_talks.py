"""The command line as a person meets it: on a terminal (a pty) and in a pipe.

Progress goes to stderr with a rate and a time left, redrawn on a terminal and a
line every few seconds in a pipe, and not at all with ``--quiet``; empty input
is an error; problems are listed up to 20 with a count and a hint; an unknown
region or policy gets one message whichever command is asked; every command's
help shows examples, defaults and exit codes.
"""

from __future__ import annotations

import io
import json
import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tiktok_aftersales.cli import COMMANDS, build_parser, main
from tiktok_aftersales.cli._options import MAX_PROBLEMS
from tiktok_aftersales.cli._progress import ProgressLine, duration_text

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "examples" / "data" / "histories.jsonl"
CLI = [sys.executable, "-m", "tiktok_aftersales"]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def in_a_pipe(*argv: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *argv], input=stdin, capture_output=True, text=True, check=False, cwd=ROOT
    )


def on_a_terminal(*argv: str) -> tuple[int, str, str]:
    """Run with stderr on a pseudo-terminal; return (exit code, stdout, what the pty got)."""
    leader, follower = pty.openpty()
    try:
        proc = subprocess.Popen(
            [*CLI, *argv], stdout=subprocess.PIPE, stderr=follower, stdin=subprocess.DEVNULL,
            cwd=ROOT,
        )  # fmt: skip
        os.close(follower)
        out = proc.stdout.read() if proc.stdout else b""
        code = proc.wait(timeout=300)
        seen = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the pty is closed once the child has gone
                break
            if not chunk:
                break
            seen += chunk
    finally:
        os.close(leader)
    return code, out.decode(), seen.decode()


# --- progress ----------------------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_in_a_pipe_progress_is_a_line_every_few_seconds_with_rate_and_eta() -> None:
    clock, out = Clock(), io.StringIO()
    progress = ProgressLine("replaying", "cases", out, terminal=False, every=5, clock=clock)
    for second in range(1, 21):
        clock.now = 100 + second
        progress(second * 1000, 20_000)
    lines = out.getvalue().splitlines()
    assert lines == [
        "replaying 5,000/20,000 cases (25%), 1,000 cases/s, ETA 15 s",
        "replaying 10,000/20,000 cases (50%), 1,000 cases/s, ETA 10 s",
        "replaying 15,000/20,000 cases (75%), 1,000 cases/s, ETA 5 s",
        "replaying: 20,000 cases in 20 s (1,000 cases/s)",
    ]
    assert "\r" not in out.getvalue()


def test_in_a_pipe_a_run_shorter_than_the_interval_prints_nothing() -> None:
    clock, out = Clock(), io.StringIO()
    progress = ProgressLine("replaying", "cases", out, terminal=False, every=5, clock=clock)
    clock.now += 1
    progress(10, 20)
    progress(20, 20)
    assert out.getvalue() == ""


def test_on_a_terminal_one_line_is_redrawn_and_closed_with_a_summary() -> None:
    clock, out = Clock(), io.StringIO()
    progress = ProgressLine("simulating", "cases", out, terminal=True, clock=clock)
    for second in (1, 2, 3):
        clock.now = 100 + second * 60
        progress(second * 600, 1800)
    text = out.getvalue()
    assert text.count("\r") == 3 and text.count("\n") == 1
    assert "\rsimulating 600/1,800 cases (33%), 10 cases/s, ETA 2 min 00 s" in text
    assert re.search(r"\rsimulating: 1,800 cases in 3 min 00 s \(10 cases/s\) *\n$", text)


def test_durations_read_well() -> None:
    shown = [duration_text(s) for s in (0, 4.4, 65, 3725)]
    assert shown == ["0 s", "4 s", "1 min 05 s", "1 h 02 min"]


def test_a_piped_run_writes_progress_lines_to_stderr_only() -> None:
    done = in_a_pipe("simulate", "--cases", "1000", "--progress-every", "0", "--format", "json")
    assert done.returncode == 0
    json.loads(done.stdout)  # stdout is the data alone
    lines = done.stderr.splitlines()
    assert len(lines) >= 3 and "\r" not in done.stderr
    assert all("cases/s, ETA" in line for line in lines[:-1])
    assert lines[-1].startswith("simulating: 1,000 cases in ")


def test_quiet_silences_progress_in_a_pipe_and_on_a_terminal() -> None:
    done = in_a_pipe("simulate", "--cases", "600", "--progress-every", "0", "--quiet")
    assert (done.returncode, done.stderr) == (0, "")
    code, out, seen = on_a_terminal("simulate", "--cases", "600", "--quiet")
    assert (code, seen) == (0, "")
    assert "auto-approvals" in out


def test_on_a_terminal_progress_is_redrawn_in_place_and_ends_with_a_summary() -> None:
    code, out, seen = on_a_terminal("replay", str(SAMPLE))
    assert code == 0 and "outcomes" in out
    assert "\r" in seen
    assert "replaying: 40 cases in " in seen and "cases/s" in seen


# --- input problems ----------------------------------------------------------------------------


@pytest.mark.parametrize("content", ["", "\n\n  \n"], ids=["empty", "blank lines"])
def test_an_empty_input_is_an_error(tmp_path: Path, capsys, content: str) -> None:
    path = tmp_path / "cases.jsonl"
    path.write_text(content, encoding="utf-8")
    code, out, err = run(capsys, "replay", str(path))
    assert (code, out) == (1, "")
    assert f"error: {path} is empty: no cases to replay" in err


def test_an_empty_stdin_is_an_error_in_a_pipe() -> None:
    done = in_a_pipe("replay", "-", stdin="")
    assert done.returncode == 1
    assert "error: stdin is empty" in done.stderr


def test_pretty_printed_json_gives_a_bounded_report_with_a_hint(tmp_path: Path) -> None:
    text = SAMPLE.read_text(encoding="utf-8")
    records = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    path = tmp_path / "pretty.json"
    path.write_text(json.dumps(records, indent=2), encoding="utf-8")
    done = in_a_pipe("replay", str(path), "--quiet")
    assert done.returncode == 1
    lines = done.stderr.splitlines()
    listed = [line for line in lines if line.startswith(f"{path}: line ")]
    assert len(listed) == MAX_PROBLEMS
    total = int(lines[-1].split(": ")[1].split(" ")[0].replace(",", ""))
    assert total > 100
    assert f"{path}: ... and {total - MAX_PROBLEMS:,} more problem(s) not shown" in lines
    hint = next(line for line in lines if line.startswith("hint: "))
    assert "pretty-printed JSON" in hint and "JSON Lines" in hint and "jq -c '.[]'" in hint
    assert len(lines) <= MAX_PROBLEMS + 3


def test_a_few_bad_lines_are_all_listed_without_a_hint(tmp_path: Path, capsys) -> None:
    good = SAMPLE.read_text(encoding="utf-8").splitlines()
    path = tmp_path / "cases.jsonl"
    path.write_text("\n".join([*good, "not json", "{"]) + "\n", encoding="utf-8")
    code, _, err = run(capsys, "replay", str(path))
    assert code == 1
    assert err.count(f"{path}: line ") == 2
    assert "more problem(s)" not in err and "hint:" not in err


# --- one message for an unknown region or policy -------------------------------------------


def _message(err: str, option: str) -> str:
    line = err.strip().splitlines()[-1]
    return line.split(f"argument {option}: ", 1)[1]


@pytest.mark.parametrize("option", ["--region", "--policy"])
def test_an_unknown_region_or_policy_gets_one_message_everywhere(
    capsys, tmp_path: Path, option: str
) -> None:
    value = "ZZ" if option == "--region" else "lenient"
    sample = str(SAMPLE)
    commands = {
        "--region": [["explain", "51"], ["diagram", "refund_only"], ["replay", sample],
                     ["simulate"]],
        "--policy": [["explain", "51"], ["diagram", "refund_only"], ["simulate"]],
    }[option]  # fmt: skip
    messages = set()
    for argv in commands:
        code, out, err = run(capsys, *argv, option, value)
        assert (code, out) == (2, ""), argv
        messages.add(_message(err, option))
    assert len(messages) == 1, messages
    (message,) = messages
    if option == "--region":
        assert message.startswith("unknown region 'ZZ'; known regions: US, GB, ")
    else:
        assert message.startswith("unknown policy 'lenient'; built-in policies: ")
        assert "channel_manager, default" in message


def test_the_vs_policy_of_simulate_gets_the_same_message(capsys) -> None:
    code, _, err = run(capsys, "simulate", "--vs", "lenient")
    assert code == 2 and "argument --vs: unknown policy 'lenient'; built-in" in err


def test_a_region_is_read_in_any_case(capsys) -> None:
    code, out, _ = run(capsys, "explain", "51", "--region", "gb")
    assert code == 0 and "GB" in out


# --- help ----------------------------------------------------------------------------------


def _help(*argv: str) -> str:
    done = in_a_pipe(*argv, "--help")
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize("name", ["", "demo", "explain", "diagram", "replay", "simulate"])
def test_every_help_shows_examples_defaults_and_exit_codes(name: str) -> None:
    build_parser()
    text = _help(*([name] if name else []))
    assert "\nexamples:\n  " in text
    assert "\nexit status:\n  0  " in text and "\n  2  usage" in text
    parser = build_parser()
    if name:
        sub = next(a for a in parser._actions if a.dest == "command")
        parser = sub.choices[name]
    for action in parser._actions:
        if action.option_strings and action.default not in (None, False, "==SUPPRESS=="):
            assert f"(default: {action.default})" in " ".join(text.split()), (
                name,
                action.option_strings,
            )


def test_every_registered_command_is_covered_by_the_help_test() -> None:
    build_parser()
    assert set(COMMANDS) == {"demo", "explain", "diagram", "replay", "simulate"}


def test_version_answers_without_loading_the_commands() -> None:
    probe = (
        "import sys\n"
        "from tiktok_aftersales.cli import main\n"
        "code = main(['--version'])\n"
        "loaded = [m for m in ('tiktok_aftersales.cli.analysis', 'tiktok_aftersales.cli.explain')"
        " if m in sys.modules]\n"
        "print(code, loaded)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    version_line, result = done.stdout.splitlines()
    assert version_line.startswith("tiktok-aftersales ")
    assert result == "0 []"
