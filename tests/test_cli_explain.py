"""``explain`` and ``diagram`` from the shell: meanings, labels, next events, deadlines."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tiktok_aftersales.cli import main
from tiktok_aftersales.cli.explain import explain_lines, meanings, suggestions
from tiktok_aftersales.codes import (
    ALL_CANONICAL,
    RETURN_STATUS,
    VOCABULARIES,
    Canonical,
    UnknownCode,
)
from tiktok_aftersales.deadlines.policy import DEFAULT_POLICY
from tiktok_aftersales.diagrams import dot_diagram, mermaid_diagram
from tiktok_aftersales.domain.vocabulary import RequestType, State


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_a_platform_status_shows_both_canonical_states_labels_next_events_and_deadline(capsys):
    code, out, _ = run(capsys, "explain", "AWAITING_BUYER_SHIP")
    assert code == 0
    assert "== return_and_refund/awaiting_buyer_shipment" in out
    assert "== return_and_refund/return_label_issued" in out
    assert "channel_label: Waiting for Buyer to Ship" in out
    assert "grid_tab: Aftersale Returning" in out
    assert "ship_back by buyer/system/logistics -> return_in_transit" in out
    assert "close by clock after buyer_ship_back -> closed" in out
    assert "buyer_ship_back: the buyer has 5 calendar days" in out


def test_an_alias_is_explained_as_the_value_it_spells(capsys):
    code, out, _ = run(capsys, "explain", "RETURN_OR_REFUND__REQUEST_CANCELLED")
    assert code == 0
    assert "RETURN_OR_REFUND_REQUEST_CANCEL (written 'RETURN_OR_REFUND__REQUEST_CANCELLED')" in out
    assert "== refund_only/withdrawn" in out


def test_a_legacy_code_reads_the_same_by_number_and_by_name(capsys):
    _, by_number, _ = run(capsys, "explain", "51")
    _, by_name, _ = run(capsys, "explain", "CANCEL_SUCCESS")
    assert "51 (CANCEL_SUCCESS): reverse_status_value" in by_number
    body = by_number.split("\n", 1)[1]
    assert body == by_name.split("\n", 1)[1]
    for kind in ("refund_only", "return_and_refund", "buyer_cancellation"):
        assert f"== {kind}/withdrawn" in body


def test_a_grid_tab_and_a_tool_label_are_understood(capsys):
    code, out, _ = run(capsys, "explain", "Aftersale Buyer Shipped")
    assert code == 0
    assert "grid_tab" in out and "== return_and_refund/return_in_transit" in out
    assert "confirm_receipt by seller/operator; clock after seller_receipt" in out
    code, out, _ = run(capsys, "explain", "Waiting for Buyer to Ship")
    assert code == 0 and "channel_label" in out


def test_the_region_and_policy_options_change_the_deadline(capsys):
    pending = RETURN_STATUS.show(Canonical(RequestType.REFUND_ONLY, State.REQUESTED))
    assert pending is not None
    _, anywhere, _ = run(capsys, "explain", pending.value)
    _, thai, _ = run(capsys, "explain", pending.value, "--region", "TH")
    _, channel, _ = run(capsys, "explain", pending.value, "--policy", "channel_manager")
    section = anywhere.split("== refund_only/requested")[1]
    assert "seller_response: the seller has 48 h" in section
    assert "policy default, TH (Thailand)" in thai
    assert (
        "seller_response: the seller has 1 working day" in thai.split("== refund_only/requested")[1]
    )
    assert "seller_response: the seller has 24 h" in channel.split("== refund_only/requested")[1]


def test_a_policy_json_file_is_accepted(capsys, tmp_path):
    mine = DEFAULT_POLICY.with_window(window="buyer_ship_back", duration="9d").renamed("mine")
    path = tmp_path / "mine.json"
    path.write_text(json.dumps(mine.to_dict()))
    code, out, _ = run(capsys, "explain", "AWAITING_BUYER_SHIP", "--policy", str(path))
    assert code == 0
    assert "policy mine" in out and "the buyer has 9 calendar days" in out


def test_a_decision_code_means_an_event_and_next_events_name_their_decisions(capsys):
    _, out, _ = run(capsys, "explain", "APPROVE_REFUND")
    assert "means refund_only: event approve" in out
    _, out, _ = run(capsys, "explain", "refund_only/requested")
    assert "[platform decision APPROVE_REFUND]" in out


def test_a_canonical_state_is_explained_too(capsys):
    code, out, _ = run(capsys, "explain", "receipt_rejected")
    assert code == 0
    assert "== return_and_refund/receipt_rejected" in out
    assert (
        "Once disputed, only the platform operator" in out
        and "dispute by buyer; opens arbitration" in out
    )


def test_a_terminal_state_has_no_next_events_and_no_deadline(capsys):
    _, out, _ = run(capsys, "explain", "refund_only/refunded")
    assert "none (terminal state)" in out and "none: terminal state" in out


def test_an_unknown_value_exits_1_with_close_matches(capsys):
    code, out, err = run(capsys, "explain", "AWAITNG_BUYER_SHIP")
    assert code == 1 and out == ""
    assert "'AWAITNG_BUYER_SHIP' is not a value any vocabulary knows" in err
    assert "Did you mean: AWAITING_BUYER_SHIP" in err


def test_suggestions_fall_back_to_substrings():
    assert any("Shipped" in s or "SHIPPED" in s for s in suggestions("shipped"))
    assert suggestions("zzzzzz") == []


def test_an_unknown_region_or_policy_exits_1_naming_it(capsys):
    code, _, err = run(capsys, "explain", "51", "--region", "XX")
    assert code == 2 and "region" in err and "XX" in err
    code, _, err = run(capsys, "explain", "51", "--policy", "lenient")
    assert code == 2 and "policy" in err and "channel_manager" in err


@pytest.mark.parametrize("vocab", VOCABULARIES, ids=lambda v: v.name)
def test_every_value_of_every_vocabulary_can_be_explained(vocab):
    for code in vocab.codes:
        lines = explain_lines(str(code.value), DEFAULT_POLICY)
        assert any(vocab.name in line for line in lines)
        assert explain_lines(code.name, DEFAULT_POLICY)


@pytest.mark.parametrize("name", ["explain", "diagram"])
def test_help_on_each_command(capsys, name):
    assert main([name, "--help"]) == 0
    out = capsys.readouterr().out
    assert f"tiktok-aftersales {name}" in out


def test_diagram_prints_mermaid_by_default(capsys):
    code, out, _ = run(capsys, "diagram", "refund_only")
    assert code == 0 and out == mermaid_diagram("refund_only")


def test_diagram_writes_dot_to_a_file(capsys, tmp_path):
    target = tmp_path / "exchange.dot"
    code, out, err = run(capsys, "diagram", "exchange", "--format", "dot", "--output", str(target))
    assert code == 0 and out == ""
    assert target.read_text() == dot_diagram("exchange")
    assert str(target) in err


def test_diagram_with_a_region_shows_that_regions_lengths(capsys):
    _, out, _ = run(capsys, "diagram", "refund_only", "--region", "TH")
    assert "seller_response = 1 working day" in out


def test_diagram_to_an_unwritable_file_exits_1(capsys, tmp_path):
    code, _, err = run(capsys, "diagram", "exchange", "-o", str(tmp_path / "no" / "such.mmd"))
    assert code == 1 and "cannot write" in err


def test_diagram_svg_without_graphviz_exits_1_with_a_hint(capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "graphviz", None)
    code, _, err = run(capsys, "diagram", "exchange", "--format", "svg")
    assert code == 1 and "graphviz" in err


def test_diagram_of_an_unknown_type_is_a_usage_error(capsys):
    assert main(["diagram", "refund_everything"]) == 2
    assert "invalid choice" in capsys.readouterr().err


def test_python_dash_m_runs_explain():
    done = subprocess.run(
        [sys.executable, "-m", "tiktok_aftersales", "explain", "51"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "CANCEL_SUCCESS" in done.stdout


@given(st.text(max_size=40))
def test_any_text_is_either_explained_or_refused_as_unknown(raw):
    try:
        lines = explain_lines(raw, DEFAULT_POLICY)
    except UnknownCode as error:
        assert error.field == "value" and error.value == raw
    else:
        assert lines


@given(st.sampled_from(ALL_CANONICAL))
def test_every_canonical_state_explains_itself_with_its_own_section(key):
    lines = explain_lines(str(key), DEFAULT_POLICY)
    assert f"== {key}" in lines
    assert [m.candidates for m in meanings(str(key))][-1] == frozenset({key})
