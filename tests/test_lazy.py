"""Importing the package is cheap: each name's module is imported when the name is first read."""

from __future__ import annotations

import importlib
import subprocess
import sys
from types import ModuleType

import pytest

PACKAGES = (
    "tiktok_aftersales",
    "tiktok_aftersales.domain",
    "tiktok_aftersales.lifecycle",
    "tiktok_aftersales.codes",
    "tiktok_aftersales.deadlines",
    "tiktok_aftersales.platform",
    "tiktok_aftersales.sync",
    "tiktok_aftersales.app",
    "tiktok_aftersales.analysis",
)


def _loaded_after(code: str) -> set[str]:
    """The modules a fresh interpreter holds after running ``code``."""
    out = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport sys\nprint('\\n'.join(sys.modules))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return set(out.split())


def test_importing_the_package_loads_none_of_its_layers() -> None:
    loaded = _loaded_after("import tiktok_aftersales")
    assert "transitions" not in loaded
    assert "attrs" not in loaded
    assert "tiktok_aftersales.app.service" not in loaded
    assert "tiktok_aftersales.platform.records" not in loaded
    assert "tiktok_aftersales.platform.webhooks" not in loaded
    assert "tiktok_aftersales.lifecycle" not in loaded


def test_the_pure_engine_loads_without_transitions_or_the_platform() -> None:
    loaded = _loaded_after("from tiktok_aftersales import apply, open_case, AfterSalesCase")
    assert "tiktok_aftersales.lifecycle.engine" in loaded
    assert "transitions" not in loaded
    assert "tiktok_aftersales.lifecycle.machine" not in loaded
    assert "tiktok_aftersales.app.service" not in loaded
    assert not any(name.startswith("tiktok_aftersales.platform") for name in loaded)


def test_version_answers_without_loading_the_commands() -> None:
    loaded = _loaded_after(
        "import contextlib, io\n"
        "from tiktok_aftersales.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()) as out:\n"
        "    assert main(['--version']) == 0\n"
        "assert out.getvalue().startswith('tiktok-aftersales ')"
    )
    assert "tiktok_aftersales.cli.explain" not in loaded
    assert "tiktok_aftersales.lifecycle" not in loaded


@pytest.mark.parametrize("name", PACKAGES)
def test_every_listed_name_resolves_and_is_in_dir(name: str) -> None:
    package = importlib.import_module(name)
    assert set(package.__all__) <= set(dir(package))
    for attr in package.__all__:
        assert getattr(package, attr) is not None or attr.isupper()
    namespace: dict[str, object] = {}
    exec(f"from {name} import *", namespace)
    assert set(package.__all__) <= set(namespace)


def test_a_name_that_is_also_a_submodule_stays_the_exported_value() -> None:
    import tiktok_aftersales.lifecycle.machine  # noqa: F401  (binds the submodule)
    from tiktok_aftersales import lifecycle

    assert callable(lifecycle.machine)
    assert not isinstance(lifecycle.machine, ModuleType)


def test_an_unknown_name_is_an_attribute_error() -> None:
    import tiktok_aftersales

    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = tiktok_aftersales.nope  # type: ignore[attr-defined]
    assert isinstance(tiktok_aftersales.domain, ModuleType)


def test_explain_loads_neither_the_machines_nor_dateutil() -> None:
    loaded = _loaded_after(
        "import contextlib, io\n"
        "from tiktok_aftersales.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    assert main(['explain', 'AWAITING_BUYER_SHIP']) == 0"
    )
    assert "tiktok_aftersales.cli.explain" in loaded
    assert "transitions" not in loaded
    assert "dateutil" not in loaded
