"""The package's layers and its import graph, read from the source (for the docs and the tests).

Each module of ``tiktok_aftersales`` belongs to one layer, named by its
subpackage (or its top-level module). A module may import from its own layer
and from layers below it, never from a layer above: the domain knows nothing
of the lifecycle, the lifecycle nothing of the platform, and so on outwards.

:func:`import_graph` reads every ``import`` statement (function-local ones
included, ``if TYPE_CHECKING:`` blocks left out: annotations only) and
:func:`problems` lists every import that breaks a rule: an upward import, a
cycle between modules, a private name taken from another module.
:func:`mermaid` draws the layers and the imports between them.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src" / "tiktok_aftersales"
PACKAGE = "tiktok_aftersales"

LAYERS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("errors", ("errors", "_lazy"), "the one error hierarchy; lazy re-exports for a fast start"),
    ("domain", ("domain",), "vocabulary, money, calendars, the case, effects, shipping holds"),
    ("lifecycle", ("lifecycle",), "THE declaration, events, guards, engine, machines"),
    ("codes", ("codes",), "platform codes, grid tabs, ERP and channel labels"),
    ("deadlines", ("deadlines",), "policies per region and type, the clock"),
    ("platform", ("platform",), "readings of records and webhooks, outbound requests"),
    ("sync", ("sync",), "reconciling platform records with cases"),
    ("app", ("app",), "ports, the service, fakes and the contract kit"),
    ("analysis", ("analysis", "diagrams"), "histories, replay, figures, simulation; diagrams"),
    ("adapters", ("adapters",), "optional extras doing I/O"),
    ("front door", ("__init__",), "the names a host uses every day"),
    ("cli", ("cli", "__main__"), "the command line"),
)
"""Layers from the inside out: (name, top-level modules or subpackages, what it holds)."""

RANK: Mapping[str, int] = {part: i for i, (_, parts, _) in enumerate(LAYERS) for part in parts}


def module_name(path: Path, src: Path = SRC) -> str:
    """The dotted module name of a source file (``tiktok_aftersales.domain.case``)."""
    rel = path.relative_to(src).with_suffix("")
    parts = [PACKAGE, *rel.parts]
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def layer_of(module: str) -> str:
    """The top-level part that names a module's layer (``domain``; ``__init__`` for the package)."""
    parts = module.split(".")
    return "__init__" if len(parts) == 1 else parts[1]


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST, lazy: bool = False) -> Iterable[ast.Import | ast.ImportFrom]:
    """Runtime imports; with ``lazy`` (a package ``__init__``), its ``TYPE_CHECKING`` block too.

    A package ``__init__`` names its lazy re-exports there: they are imported on first use.
    """
    todo = [tree]
    while todo:
        node = todo.pop()
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child) and not lazy:
                todo.extend(child.orelse)
                continue
            if isinstance(child, ast.Import | ast.ImportFrom):
                yield child
            todo.append(child)


def import_graph(
    src: Path = SRC,
) -> dict[str, set[tuple[str, tuple[str, ...]]]]:
    """Module -> {(imported module, names taken from it)}: every runtime import of the package."""
    modules = {module_name(p, src): p for p in sorted(src.rglob("*.py"))}
    graph: dict[str, set[tuple[str, tuple[str, ...]]]] = {m: set() for m in modules}
    for module, path in modules.items():
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in _imports(tree, lazy=path.name == "__init__.py"):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.split(".")[0] == PACKAGE:
                        graph[module].add((alias.name, ()))
                continue
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != PACKAGE:
                continue
            names = tuple(a.name for a in node.names)
            submodules = [n for n in names if f"{target}.{n}" in modules]
            for sub in submodules:  # ``from . import codec`` imports a module
                graph[module].add((f"{target}.{sub}", ()))
            rest = tuple(n for n in names if n not in submodules)
            if rest or not submodules:
                graph[module].add((target, rest))
    return graph


def _cycles(graph: Mapping[str, set[tuple[str, tuple[str, ...]]]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan)."""
    edges = {m: {t for t, _ in targets if t in graph and t != m} for m, targets in graph.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                out.append(sorted(group))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def _is_package_init(module: str, graph: Mapping[str, object], src: Path) -> bool:
    rel = module.split(".")[1:]
    return (src.joinpath(*rel) / "__init__.py").exists() if rel else True


def problems(src: Path = SRC) -> list[str]:
    """Every import that breaks the layering: upward, in a cycle, or of a private name."""
    graph = import_graph(src)
    found: list[str] = []
    for module, targets in sorted(graph.items()):
        mine = layer_of(module)
        for target, names in sorted(targets):
            theirs = layer_of(target)
            if mine not in RANK or theirs not in RANK:
                found.append(f"{module}: layer of {module if mine not in RANK else target} unknown")
                continue
            if RANK[theirs] > RANK[mine]:
                found.append(f"{module} imports {target}: upward, from {mine} to {theirs}")
            private = [n for n in names if n.startswith("_") and not n.startswith("__")]
            if private:
                found.append(f"{module} imports private {', '.join(private)} from {target}")
    for group in _cycles(graph):
        found.append("import cycle: " + " -> ".join(group))
    return found


def layer_edges(src: Path = SRC) -> set[tuple[str, str]]:
    """(importing layer, imported layer) pairs that the code has, between different layers."""
    names = {part: name for name, parts, _ in LAYERS for part in parts}
    out = set()
    for module, targets in import_graph(src).items():
        for target, _ in targets:
            a, b = names.get(layer_of(module)), names.get(layer_of(target))
            if a and b and a != b:
                out.add((a, b))
    return out


def mermaid(src: Path = SRC) -> str:
    """A Mermaid flowchart of the layers, outermost on top, with the imports the code has."""
    ids = {name: name.replace(" ", "_") for name, _, _ in LAYERS}
    lines = ["flowchart TD"]
    for name, _parts, doc in reversed(LAYERS):
        label = f"{name}<br/><small>{doc}</small>"
        lines.append(f'    {ids[name]}["{label}"]')
    rank = {name: i for i, (name, _, _) in enumerate(LAYERS)}
    for a, b in sorted(layer_edges(src), key=lambda e: (-rank[e[0]], -rank[e[1]])):
        lines.append(f"    {ids[a]} --> {ids[b]}")
    return "\n".join(lines) + "\n"
