"""The package's layers: imports point inwards only, no cycles, no private names across modules."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import tiktok_aftersales

DOCS = Path(__file__).resolve().parent.parent / "docs"
SRC = Path(tiktok_aftersales.__file__).resolve().parent


def _load(name: str):
    spec = importlib.util.spec_from_file_location(name.removesuffix(".py"), DOCS / name)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


layers = _load("_layers.py")


def test_every_import_points_inwards_and_no_module_is_in_a_cycle():
    assert layers.problems(SRC) == []


def test_every_module_belongs_to_a_declared_layer():
    for module in layers.import_graph(SRC):
        assert layers.layer_of(module) in layers.RANK, module


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "tiktok_aftersales"
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


BASE = {
    "__init__.py": "",
    "errors.py": "",
    "domain/__init__.py": "",
    "domain/case.py": "from ..errors import X\n",
    "lifecycle/__init__.py": "",
    "lifecycle/engine.py": "from ..domain.case import Case\n",
}


def test_an_upward_import_is_reported(tmp_path):
    root = _tree(tmp_path, {**BASE, "domain/money.py": "from ..lifecycle.engine import apply\n"})
    assert layers.problems(root) == [
        "tiktok_aftersales.domain.money imports tiktok_aftersales.lifecycle.engine: "
        "upward, from domain to lifecycle"
    ]


def test_a_function_local_import_that_points_upward_is_reported_too(tmp_path):
    text = "def f():\n    from ..lifecycle import engine\n    return engine\n"
    root = _tree(tmp_path, {**BASE, "domain/money.py": text})
    assert any("upward, from domain to lifecycle" in p for p in layers.problems(root))


def test_an_annotation_only_import_is_allowed(tmp_path):
    text = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ..app.ports import Port\n"
    root = _tree(tmp_path, {**BASE, "errors.py": text, "app/__init__.py": "", "app/ports.py": ""})
    assert layers.problems(root) == []


def test_a_cycle_inside_a_layer_and_a_private_import_are_reported(tmp_path):
    root = _tree(
        tmp_path,
        {
            **BASE,
            "domain/a.py": "from .b import _helper\n",
            "domain/b.py": "from .a import thing\n",
        },
    )
    found = layers.problems(root)
    assert (
        "tiktok_aftersales.domain.a imports private _helper from tiktok_aftersales.domain.b"
        in found
    )
    assert "import cycle: tiktok_aftersales.domain.a -> tiktok_aftersales.domain.b" in found


def test_the_front_door_stays_small_and_every_name_has_a_docstring():
    names = tiktok_aftersales.__all__
    assert len(names) <= 50
    assert len(set(names)) == len(names)
    for name in names:
        if name == "__version__":
            continue
        value = getattr(tiktok_aftersales, name)
        assert getattr(value, "__doc__", None), name


def test_no_module_is_longer_than_800_lines():
    long = {
        str(p.relative_to(SRC)): n
        for p in SRC.rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > 800
    }
    assert long == {}


def test_every_error_class_lives_in_the_errors_module():
    import ast

    for path in SRC.rglob("*.py"):
        if path.name == "errors.py" and path.parent == SRC:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                bases = {b.id for b in node.bases if isinstance(b, ast.Name)}
                assert not any(b.endswith(("Error", "Exception")) for b in bases), (path, node.name)
