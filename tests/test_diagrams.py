"""Diagrams are drawn from the lifecycle declaration and show every declared transition."""

from __future__ import annotations

import re
import shutil
import sys

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tiktok_aftersales.deadlines.policy import DEFAULT_POLICY, POLICIES
from tiktok_aftersales.diagrams import (
    DiagramUnavailable,
    arbitration_notes,
    diagram,
    dot_diagram,
    edges,
    mermaid_diagram,
    svg_diagram,
)
from tiktok_aftersales.domain.vocabulary import REGIONS, Actor, RequestType, State, Window
from tiktok_aftersales.errors import InvalidValue
from tiktok_aftersales.lifecycle import LIFECYCLES, Predicate, Transition

TYPES = list(RequestType)

# A Mermaid stateDiagram-v2 transition: "a --> b : label" where the label has no ';'
# (which would end the statement) and no further ':'.
MERMAID_EDGE = re.compile(r"^    (\[\*\]|[a-z_]+) --> (\[\*\]|[a-z_]+)(?: : ([^;:\n]+))?$")


def _mermaid_edges(text: str) -> list[tuple[str, str, str | None]]:
    out = []
    for line in text.splitlines():
        m = MERMAID_EDGE.match(line)
        if m:
            out.append((m.group(1), m.group(2), m.group(3)))
    return out


@pytest.mark.parametrize("kind", TYPES)
def test_every_declared_transition_from_every_source_is_an_edge(kind):
    lc = LIFECYCLES[kind]
    drawn = [(e.source, e.dest, e.event, e.guard) for e in edges(kind)]
    declared = [
        (s, t.dest_from(s), t.event, t.guard.name if t.guard else None)
        for t in lc.transitions
        for s in sorted(t.sources, key=lc.states.index)
    ]
    assert drawn == declared


@pytest.mark.parametrize("kind", TYPES)
def test_mermaid_text_has_one_line_per_edge_and_marks_start_and_terminal_states(kind):
    lc = LIFECYCLES[kind]
    text = mermaid_diagram(kind)
    assert text.startswith("stateDiagram-v2\n")
    lines = _mermaid_edges(text)
    labelled = [x for x in lines if x[2] is not None]
    assert len(labelled) == len(edges(kind))
    openings = {label.split(" ")[0] for src, _dest, label in labelled if src == "[*]"}
    assert openings == set(lc.openings)
    ends = {src for src, dest, label in lines if dest == "[*]" and label is None}
    assert ends == {s.value for s in lc.terminal}
    for state in lc.terminal:
        assert re.search(rf"^    class .*\b{state.value}\b.* terminal$", text, re.M)


@pytest.mark.parametrize("kind", TYPES)
def test_timed_edges_show_the_window_and_not_the_clock_as_an_actor(kind):
    for edge in edges(kind):
        if edge.window is not None:
            assert f"clock after {edge.window.value}" in edge.label
            assert "system" not in edge.who.split(";")[0].split("/")
        else:
            assert "clock" not in edge.label
            for actor in edge.actors:
                assert actor.value in edge.who


def test_the_seller_response_edge_reads_event_actors_and_window():
    (edge,) = [
        e
        for e in edges(RequestType.RETURN_AND_REFUND)
        if e.event == "approve" and e.guard is None and e.source is State.REQUESTED
    ]
    assert edge.label == "approve (seller/operator; clock after seller_response)"
    assert edge.dest is State.AWAITING_BUYER_SHIPMENT


def test_a_guard_is_shown_in_brackets():
    labels = {e.label for e in edges(RequestType.RETURN_AND_REFUND)}
    assert "approve [buyer_keeps_item] (seller)" in labels


def test_with_a_policy_edges_carry_the_regions_window_length():
    th = {
        e.event: e.duration
        for e in edges(RequestType.REFUND_ONLY, policy=DEFAULT_POLICY, region="TH")
        if e.window is Window.SELLER_RESPONSE
    }
    assert th == {"approve": "1 working day"}
    text = mermaid_diagram(RequestType.REFUND_ONLY, policy=DEFAULT_POLICY, region="TH")
    assert "clock after seller_response = 1 working day" in text
    anywhere = edges(RequestType.REFUND_ONLY, policy=DEFAULT_POLICY)
    assert {e.duration for e in anywhere if e.window is Window.SELLER_RESPONSE} == {"48 h"}


def test_disputes_are_self_loops_and_rulings_are_marked_as_arbitration():
    drawn = edges(RequestType.REFUND_ONLY)
    (dispute,) = [e for e in drawn if e.event == "dispute"]
    assert dispute.source is dispute.dest is State.REJECTED
    assert dispute.arbitration == "opens"
    rulings = {e.event for e in drawn if e.arbitration == "during"}
    assert rulings == {"rule_for_buyer", "rule_for_seller", "close_arbitration"}


@pytest.mark.parametrize("kind", TYPES)
def test_every_disputable_state_carries_a_note_naming_the_operators_events(kind):
    lc = LIFECYCLES[kind]
    disputable = {s for t in lc.transitions if t.event == "dispute" for s in t.sources}
    notes = arbitration_notes(kind)
    assert set(notes) == disputable
    for state, note in notes.items():
        assert "rule_for_buyer" in note and "platform operator" in note
        assert f"note right of {state.value} : " in mermaid_diagram(kind)


@pytest.mark.parametrize("kind", TYPES)
def test_dot_text_declares_every_state_marks_terminals_and_draws_every_edge(kind):
    lc = LIFECYCLES[kind]
    text = dot_diagram(kind)
    assert text.startswith(f"digraph {kind.value} {{") and text.rstrip().endswith("}")
    for state in lc.case_states:
        (node,) = [ln for ln in text.splitlines() if ln.startswith(f"    {state.value} [label=")]
        assert ("peripheries=2" in node) == (state in lc.terminal)
    drawn = [ln for ln in text.splitlines() if " -> " in ln and "__note_" not in ln]
    assert len(drawn) == len(edges(kind))
    assert text.count("__note_") == 2 * len(arbitration_notes(kind))


def test_dot_labels_escape_quotes():
    lc = LIFECYCLES[RequestType.SELLER_REFUND]
    odd = attrs.evolve(
        lc,
        transitions=(
            *lc.transitions,
            Transition(
                event="withdraw",
                sources=frozenset({State.CLOSED}),
                dest=State.REFUNDED,
                actors=frozenset({Actor.BUYER}),
                guard=Predicate('say "hi"', "a guard whose name has quotes", lambda _c, _p: True),
            ),
        ),
    )
    assert 'label="withdraw [say \\"hi\\"] (buyer)"' in dot_diagram(odd)


def test_a_lifecycle_not_yet_declared_can_be_drawn():
    lc = LIFECYCLES[RequestType.SELLER_REFUND]
    smaller = attrs.evolve(lc, transitions=lc.transitions[:2])
    assert len(_mermaid_edges(mermaid_diagram(smaller))) < len(_mermaid_edges(mermaid_diagram(lc)))


@given(
    kind=st.sampled_from(TYPES),
    region=st.sampled_from([None, *REGIONS]),
    policy=st.sampled_from(list(POLICIES.values())),
)
def test_every_type_draws_under_every_policy_and_region_with_a_length_on_each_timed_edge(
    kind, region, policy
):
    drawn = edges(kind, policy=policy, region=region)
    for edge in drawn:
        assert (edge.duration is None) == (edge.window is None)
        if edge.window is not None:
            expected = str(policy.duration(region, kind, edge.window)) if region else None
            if expected is not None:
                assert edge.duration == expected
    assert len(_mermaid_edges(mermaid_diagram(kind, policy=policy, region=region))) == len(
        drawn
    ) + len(LIFECYCLES[kind].terminal)


def test_an_unknown_type_is_refused_naming_the_field():
    with pytest.raises(InvalidValue) as info:
        mermaid_diagram("refund_everything")
    assert info.value.field == "request_type"
    assert info.value.value == "refund_everything"


def test_an_unknown_format_is_refused_naming_the_field():
    with pytest.raises(InvalidValue) as info:
        diagram("refund_only", "png")
    assert info.value.field == "format"


def test_diagram_dispatches_on_the_format():
    assert diagram("exchange") == mermaid_diagram("exchange")
    assert diagram("exchange", "dot") == dot_diagram("exchange")


def test_svg_without_the_graphviz_package_says_which_extra_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "graphviz", None)
    with pytest.raises(DiagramUnavailable) as info:
        svg_diagram("refund_only")
    assert info.value.missing == "graphviz"
    assert "tiktok-aftersales[graphviz]" in str(info.value)


@pytest.mark.skipif(
    shutil.which("dot") is not None,
    reason="tests the message without dot; the dot program is installed",
)
def test_svg_without_the_dot_program_says_to_install_graphviz():
    pytest.importorskip("graphviz", reason="needs the [graphviz] extra")
    with pytest.raises(DiagramUnavailable) as info:
        svg_diagram("refund_only")
    assert info.value.missing == "dot"


@pytest.mark.skipif(
    shutil.which("dot") is None,
    reason="needs the [graphviz] extra and the dot program (apt-get install graphviz)",
)
def test_svg_is_rendered_when_graphviz_is_installed():
    pytest.importorskip("graphviz", reason="needs the [graphviz] extra")
    svg = svg_diagram("refund_only")
    assert "<svg" in svg and "refund_committed" in svg
