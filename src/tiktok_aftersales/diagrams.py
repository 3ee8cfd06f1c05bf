"""State diagrams of the request types, drawn from the lifecycle declaration.

Every diagram is derived from [`LIFECYCLES`][tiktok_aftersales.lifecycle.table.LIFECYCLES]
(never drawn by hand), so it cannot drift from the rules the engine applies:

- [`mermaid_diagram`][tiktok_aftersales.diagrams.mermaid_diagram]: Mermaid ``stateDiagram-v2`` text;
  needs nothing installed (MkDocs Material, GitHub and most notebooks render it);
- [`dot_diagram`][tiktok_aftersales.diagrams.dot_diagram]: Graphviz ``dot`` text; needs nothing
  installed either;
- [`svg_diagram`][tiktok_aftersales.diagrams.svg_diagram]: an SVG picture, rendered by the Graphviz
  ``dot`` program through the optional ``graphviz`` extra
  (``pip install "tiktok-aftersales[graphviz]"`` plus the system package).

Each edge is one declared transition from one source state, labelled with
the event, the guard that must hold (``[buyer_keeps_item]``), who may fire it,
and the deadline window after which the clock fires it::

    approve (seller/operator; clock after seller_response)

Terminal states are marked (``[*]`` in Mermaid, a double border in dot), and
a state a rejection can be disputed from carries a note saying who ends the
arbitration.
"""

from __future__ import annotations

from typing import Literal

import attrs

from .deadlines.policy import Policy
from .domain.vocabulary import Actor, Arbitration, Region, RequestType, State, Window, member
from .errors import DiagramUnavailable, InvalidValue
from .lifecycle import LIFECYCLES, Lifecycle, Transition

__all__ = [
    "FORMATS",
    "DiagramFormat",
    "DiagramUnavailable",
    "Edge",
    "arbitration_notes",
    "diagram",
    "dot_diagram",
    "edges",
    "mermaid_diagram",
    "svg_diagram",
]

DiagramFormat = Literal["mermaid", "dot", "svg"]
"""The formats [`diagram`][tiktok_aftersales.diagrams.diagram] draws."""

FORMATS: tuple[DiagramFormat, ...] = ("mermaid", "dot", "svg")
"""Every diagram format, in the order the command line lists them."""


@attrs.frozen
class Edge:
    """One declared transition from one source state, ready to draw.

    Attributes:
        source: The state it leaves (``State.NEW`` for an opening event).
        dest: The state it enters (the source itself for a dispute, which
            only changes the arbitration sub-state).
        event: The event that fires it.
        actors: Who may fire it, in [`Actor`][tiktok_aftersales.domain.vocabulary.Actor] order.
        guard: The predicate that must hold, if any.
        window: The deadline window after which the clock fires it, if any.
        duration: The window's length under the policy asked for, if one was.
        arbitration: ``"opens"`` when it starts an arbitration,
            ``"during"`` when only an arbitration in progress admits it,
            else ``None``.

    """

    source: State
    dest: State
    event: str
    actors: tuple[Actor, ...]
    guard: str | None = None
    window: Window | None = None
    duration: str | None = None
    arbitration: Literal["opens", "during"] | None = None

    @property
    def who(self) -> str:
        """Who fires it, in words: ``"seller/operator; clock after seller_response"``.

        When a window is set the clock (``Actor.SYSTEM``) is shown as the
        window, not as a separate actor.
        """
        people = [a.value for a in self.actors if not (self.window and a is Actor.SYSTEM)]
        parts = ["/".join(people)] if people else []
        if self.window is not None:
            clock = f"clock after {self.window.value}"
            if self.duration is not None:
                clock += f" = {self.duration}"
            parts.append(clock)
        if self.arbitration == "opens":
            parts.append("opens arbitration")
        elif self.arbitration == "during":
            parts.append("in arbitration")
        return "; ".join(parts)

    @property
    def label(self) -> str:
        """The edge's label: event, guard and who, e.g. ``approve [buyer_keeps_item] (seller)``."""
        guard = f" [{self.guard}]" if self.guard else ""
        return f"{self.event}{guard} ({self.who})"


def _lifecycle(request_type: RequestType | str | Lifecycle) -> Lifecycle:
    if isinstance(request_type, Lifecycle):
        return request_type
    return LIFECYCLES[member(RequestType, request_type, "request_type")]


def _arbitration(t: Transition) -> Literal["opens", "during"] | None:
    if t.arbitration_to is Arbitration.IN_PROGRESS:
        return "opens"
    if t.arbitration_from == frozenset({Arbitration.IN_PROGRESS}):
        return "during"
    return None


def edges(
    request_type: RequestType | str | Lifecycle,
    *,
    policy: Policy | None = None,
    region: Region | str | None = None,
) -> tuple[Edge, ...]:
    """Every edge of a request type's diagram, in declaration order.

    Args:
        request_type: The type (or a `Lifecycle`
            that is not declared yet).
        policy: When given, each timed edge carries its window's length.
        region: The region whose lengths to show (``None``: the policy's
            rules for any region).

    Raises:
        InvalidValue: The type or region is unknown.

    """
    lc = _lifecycle(request_type)
    out = []
    for t in lc.transitions:
        duration = None
        if policy is not None and t.timeout is not None:
            duration = str(policy.duration(region, lc.request_type, t.timeout))  # type: ignore[arg-type]
        actors = tuple(a for a in Actor if a in t.actors)
        for source in sorted(t.sources, key=lc.states.index):
            out.append(
                Edge(
                    source=source,
                    dest=t.dest_from(source),
                    event=t.event,
                    actors=actors,
                    guard=None if t.guard is None else t.guard.name,
                    window=t.timeout,
                    duration=duration,
                    arbitration=_arbitration(t),
                )
            )
    return tuple(out)


def arbitration_notes(request_type: RequestType | str | Lifecycle) -> dict[State, str]:
    """A note for each state a rejection can be disputed from: who ends the arbitration."""
    lc = _lifecycle(request_type)
    notes: dict[State, str] = {}
    for state in lc.states:
        during = [t for t in lc.from_state(state) if _arbitration(t) == "during"]
        if not any(_arbitration(t) == "opens" for t in lc.from_state(state)) or not during:
            continue
        ends = ", ".join(
            f"{t.event} to {t.dest_from(state).value}" for t in during if t.dest is not None
        )
        notes[state] = (
            f"Once disputed, only the platform operator moves the case ({ends}). "
            "No clock runs and seller actions are refused."
        )
    return notes


def _policy_lines(policy: Policy | None, region: Region | str | None) -> str:
    if policy is None:
        return ""
    where = "any region" if region is None else str(region)
    return f"deadlines: policy {policy.name}, {where}"


def _mermaid_text(text: str) -> str:
    """Text safe after ``:`` in Mermaid (``;`` ends a statement, ``:`` starts a label)."""
    return text.replace(";", ",").replace(":", " ").replace("#", "no.")


def mermaid_diagram(
    request_type: RequestType | str | Lifecycle,
    *,
    policy: Policy | None = None,
    region: Region | str | None = None,
) -> str:
    """Mermaid ``stateDiagram-v2`` text of a request type.

    ``[*] -->`` marks the opening events and ``--> [*]`` the terminal
    states (also styled with the ``terminal`` class); disputable states
    carry a note on arbitration.

    >>> print(mermaid_diagram("seller_refund").splitlines()[0])
    stateDiagram-v2

    Raises:
        InvalidValue: The type or region is unknown.

    """
    lc = _lifecycle(request_type)
    lines = ["stateDiagram-v2"]
    heading = _policy_lines(policy, region)
    lines.append(f"    %% {lc.request_type.value}: generated from the lifecycle declaration")
    if heading:
        lines.append(f"    %% {heading}")
    for state in lc.case_states:
        lines.append(f"    state {state.value}")
    for edge in edges(lc, policy=policy, region=region):
        src = "[*]" if edge.source is State.NEW else edge.source.value
        lines.append(f"    {src} --> {edge.dest.value} : {_mermaid_text(edge.label)}")
    for state in lc.case_states:
        if state in lc.terminal:
            lines.append(f"    {state.value} --> [*]")
    for state, note in arbitration_notes(lc).items():
        lines.append(f"    note right of {state.value} : {_mermaid_text(note)}")
    terminal = ",".join(s.value for s in lc.case_states if s in lc.terminal)
    if terminal:
        lines.append("    classDef terminal font-weight:bold,stroke-width:3px")
        lines.append(f"    class {terminal} terminal")
    return "\n".join(lines) + "\n"


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _wrapped(text: str, width: int = 40) -> str:
    """Break a note into lines for dot (escaped newlines in a quoted label)."""
    words, out, line = text.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            out.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    out.append(line)
    return "\\n".join(_quoted(x)[1:-1] for x in out)


def dot_diagram(
    request_type: RequestType | str | Lifecycle,
    *,
    policy: Policy | None = None,
    region: Region | str | None = None,
) -> str:
    """Graphviz ``dot`` text of a request type (no Graphviz needed to produce it).

    Terminal states have a double border; the opening events leave a small
    start point; disputable states are linked to a note on arbitration.

    Raises:
        InvalidValue: The type or region is unknown.

    """
    lc = _lifecycle(request_type)
    name = lc.request_type.value
    lines = [
        f"digraph {name} {{",
        f"    // {name}: generated from the lifecycle declaration",
        "    rankdir=LR;",
        f"    label={_quoted(name + (' — ' + _policy_lines(policy, region) if policy else ''))};",
        "    labelloc=t;",
        '    node [shape=box, style=rounded, fontname="Helvetica"];',
        '    edge [fontname="Helvetica", fontsize=10];',
        "    __start__ [shape=point, width=0.15];",
    ]
    for state in lc.case_states:
        extra = ', peripheries=2, style="rounded,bold"' if state in lc.terminal else ""
        lines.append(f"    {state.value} [label={_quoted(state.value)}{extra}];")
    for edge in edges(lc, policy=policy, region=region):
        src = "__start__" if edge.source is State.NEW else edge.source.value
        style = ", style=dashed" if edge.arbitration else ""
        lines.append(f"    {src} -> {edge.dest.value} [label={_quoted(edge.label)}{style}];")
    for i, (state, note) in enumerate(arbitration_notes(lc).items()):
        node = f"__note_{i}__"
        lines.append(
            f'    {node} [shape=note, style=filled, fillcolor="#fff8dc", '
            f'label="{_wrapped(note)}", fontsize=10];'
        )
        lines.append(f"    {state.value} -> {node} [style=dotted, arrowhead=none];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def svg_diagram(
    request_type: RequestType | str | Lifecycle,
    *,
    policy: Policy | None = None,
    region: Region | str | None = None,
) -> str:
    """An SVG picture of a request type, rendered by Graphviz.

    This is the one function of the library that runs an outside program
    (Graphviz ``dot``, through the ``graphviz`` package); everything else
    here is pure text.

    Raises:
        DiagramUnavailable: The ``graphviz`` package (the ``graphviz``
            extra) or the ``dot`` program is not installed.
        InvalidValue: The type or region is unknown.

    """
    source = dot_diagram(request_type, policy=policy, region=region)
    try:
        import graphviz  # type: ignore[import-untyped,import-not-found,unused-ignore]
    except ImportError:
        raise DiagramUnavailable(
            "graphviz", 'pip install "tiktok-aftersales[graphviz]" (and the Graphviz program)'
        ) from None
    try:
        svg: bytes = graphviz.Source(source).pipe(format="svg")
    except graphviz.ExecutableNotFound:
        raise DiagramUnavailable(
            "dot",
            "install Graphviz (apt install graphviz, brew install graphviz), "
            "or use --format dot or mermaid",
        ) from None
    return svg.decode("utf-8")


def diagram(
    request_type: RequestType | str | Lifecycle,
    format: DiagramFormat | str = "mermaid",
    *,
    policy: Policy | None = None,
    region: Region | str | None = None,
) -> str:
    """Draw a request type in ``format`` (``"mermaid"``, ``"dot"`` or ``"svg"``).

    Raises:
        InvalidValue: The type, format or region is unknown.
        DiagramUnavailable: ``"svg"`` without Graphviz.

    """
    draw = {"mermaid": mermaid_diagram, "dot": dot_diagram, "svg": svg_diagram}.get(str(format))
    if draw is None:
        raise InvalidValue("format", format, f"one of {', '.join(FORMATS)}")
    return draw(request_type, policy=policy, region=region)
