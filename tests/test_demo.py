"""The demo replays every bundled sample and prints a readable table."""

from __future__ import annotations

from tiktok_aftersales import ReturnStatus, State
from tiktok_aftersales.analysis.samples import SAMPLES, build_samples
from tiktok_aftersales.cli import main
from tiktok_aftersales.cli.demo import demo_rows, render_demo


def test_every_sample_builds_through_the_public_api():
    cases = build_samples()
    assert len(cases) == len(SAMPLES) >= 10
    assert len({c.request_type for c in cases}) == 7


def test_demo_shows_outcomes_decided_by_deadlines():
    rows = {r.sample.case_id: r for r in demo_rows()}
    silent_seller = rows["S-006"].case
    assert silent_seller.history[1].event == "approve"
    assert silent_seller.history[1].actor.value == "system"
    assert rows["S-006"].by_deadline
    never_shipped = rows["S-012"].case
    assert never_shipped.state is State.CLOSED
    assert rows["S-002"].case.state is State.CLOSED
    assert rows["S-001"].case.return_status is ReturnStatus.RETURNED


def test_demo_table_lists_type_events_state_return_status_and_effects(capsys):
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    for word in (
        "return_and_refund",
        "request(B)",
        "refunded",
        "Returned",
        "issue_refund",
        "21.60 USD",
    ):
        assert word in out
    assert "decided by a deadline" in out
    assert render_demo(demo_rows()).count("S-0") == len(SAMPLES)


def test_cli_without_a_command_prints_help_and_exits_2(capsys):
    assert main([]) == 2
    assert "demo" in capsys.readouterr().out
