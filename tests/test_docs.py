"""The docs site: every Python example runs, every generated block is current, the nav is whole."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

from tiktok_aftersales.errors import MissingExtra

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PAGES = sorted(p.relative_to(DOCS).as_posix() for p in DOCS.rglob("*.md"))
PYTHON = re.compile(r"^```python\n(.*?)^```", re.S | re.M)


def _load(name: str):
    spec = importlib.util.spec_from_file_location(name.removesuffix(".py"), DOCS / name)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


hooks = _load("_hooks.py")
griffe_doctest = _load("_griffe_doctest.py") if importlib.util.find_spec("griffe") else None


def test_there_are_pages_and_most_have_examples():
    assert {"index.md", "getting-started.md", "concepts/request-types.md"} <= set(PAGES)
    assert len(PAGES_WITH_CODE) >= 8


PAGES_WITH_CODE = [p for p in PAGES if PYTHON.search((DOCS / p).read_text(encoding="utf-8"))]


@pytest.mark.parametrize("page", PAGES_WITH_CODE)
def test_the_python_examples_of_each_page_run_in_order(page, monkeypatch, capsys):
    blocks = PYTHON.findall((DOCS / page).read_text(encoding="utf-8"))
    monkeypatch.chdir(ROOT)  # examples read fixtures by their path in the checkout
    namespace: dict[str, object] = {"__name__": f"docs.{page}"}
    for i, block in enumerate(blocks, 1):
        try:
            exec(compile(block, f"docs/{page} (python block {i})", "exec"), namespace)
        except (ImportError, MissingExtra) as error:
            extra = _extra_for(error)
            if extra is None:
                raise
            pytest.skip(f"needs the [{extra}] extra ({error})")


def _extras() -> dict[str, str]:
    """Top-level module of each optional dependency -> the extra that installs it."""
    import tomllib

    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    found: dict[str, str] = {}
    for extra, requirements in data["project"]["optional-dependencies"].items():
        for requirement in requirements:
            name = re.split(r"[\[<>=!~ ;]", requirement, maxsplit=1)[0].lower()
            if name != "tiktok-aftersales":
                found.setdefault(name.replace("-", "_"), extra)
    return found


def _extra_for(error: BaseException) -> str | None:
    """The extra that would install what ``error`` says is missing, if one does."""
    if isinstance(error, MissingExtra):
        return error.extra
    module = (getattr(error, "name", None) or "").split(".")[0].lower()
    return _extras().get(module)


@pytest.mark.parametrize("page", PAGES)
def test_the_generated_blocks_of_each_page_are_current(page):
    text = (DOCS / page).read_text(encoding="utf-8")
    for name, args, committed in hooks.blocks(text):
        fresh = hooks.generate(name, *args)
        if fresh is not None:
            assert committed == fresh, (
                f"docs/{page}: the block '{' '.join((name, *args))}' is stale; "
                "run `python docs/_hooks.py` to regenerate it"
            )
    assert hooks.refresh(text) == text


def test_every_block_of_the_site_pages_is_known_to_the_generator():
    mine = [p for p in PAGES if p.startswith(("concepts/", "reference/", "howto/"))]
    for page in mine:
        for name, args, _ in hooks.blocks((DOCS / page).read_text(encoding="utf-8")):
            assert hooks.generate(name, *args) is not None, (page, name, args)


def test_every_request_type_has_its_diagram_and_transition_table():
    from tiktok_aftersales.domain.vocabulary import RequestType

    text = (DOCS / "concepts" / "request-types.md").read_text(encoding="utf-8")
    found = {(name, args) for name, args, _ in hooks.blocks(text)}
    for kind in RequestType:
        assert ("mermaid", (kind.value,)) in found
        assert ("transitions", (kind.value,)) in found


def test_the_reference_lists_every_command():
    from tiktok_aftersales import cli

    cli.build_parser()  # imports the command modules
    text = (DOCS / "reference" / "cli.md").read_text(encoding="utf-8")
    for name in cli.COMMANDS:
        assert f"<!-- generated: cli-help {name} -->" in text, f"document {name} in cli.md"


def _nav_pages() -> list[str]:
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    nav = text.split("\nnav:\n", 1)[1]
    return re.findall(r":\s*([\w/.-]+\.md)\s*$", nav, re.M)


def test_every_nav_entry_exists_or_is_optional():
    for page in _nav_pages():
        assert page in PAGES or page in hooks.OPTIONAL_PAGES, page


def test_every_page_is_in_the_nav():
    missing = sorted(set(PAGES) - set(_nav_pages()))
    assert not missing, f"add these pages to the nav in mkdocs.yml: {missing}"


def test_a_missing_optional_page_is_left_out_of_the_nav(tmp_path):
    nav = [
        {"Home": "index.md"},
        {"How-to": [{"Compare": "howto/compare-policies.md"}, {"Poll": "howto/run-the-poll.md"}]},
    ]
    config = hooks.on_config({"nav": nav, "docs_dir": str(tmp_path)})
    assert config["nav"] == [{"Home": "index.md"}, {"How-to": [{"Poll": "howto/run-the-poll.md"}]}]
    (tmp_path / "howto").mkdir()
    (tmp_path / "howto" / "compare-policies.md").write_text("# Compare\n")
    assert hooks.on_config({"nav": nav, "docs_dir": str(tmp_path)})["nav"] == nav


def test_an_empty_block_is_filled_and_refreshing_twice_changes_nothing():
    text = "# T\n\n<!-- generated: mermaid seller_refund -->\n<!-- end -->\n\nafter\n"
    once = hooks.refresh(text)
    assert once.startswith("# T\n\n<!-- generated: mermaid seller_refund -->\n```mermaid\n")
    assert once.endswith("```\n<!-- end -->\n\nafter\n")
    assert hooks.refresh(once) == once


def test_an_unknown_block_is_kept_as_written():
    text = "<!-- generated: aliases -->\n| a |\n<!-- end -->\n"
    assert hooks.refresh(text) == text


def test_the_deadline_tables_are_filled_between_their_range_markers():
    text = "<!-- arbitration-table:start -->\nold\n<!-- arbitration-table:end -->"
    fresh = hooks.refresh(text)
    assert "| request type | rejected |" in fresh and "old" not in fresh


def test_bracketed_notes_in_table_rows_stay_literal_but_code_spans_are_untouched():
    page = "| a | src [3P] [I] |\n`x] [y`\n| `k] [v` | b |"
    assert hooks.on_page_markdown(page, None, None, None) == (
        "| a | src [3P] \\[I] |\n`x] [y`\n| `k] [v` | b |"
    )


@pytest.mark.skipif(griffe_doctest is None, reason="needs the [docs] extra (griffe)")
def test_doctest_lines_of_docstrings_are_fenced_for_the_reference():
    text = "Say it.\n\n    >>> 1 + 1\n    2\n\nAfter.\n\n```python\n>>> kept\n```"
    assert griffe_doctest.fence_doctests(text) == (
        "Say it.\n\n    ```pycon\n    >>> 1 + 1\n    2\n    ```\n\n"
        "After.\n\n```python\n>>> kept\n```"
    )
    assert griffe_doctest.fence_doctests(">>> x") == "```pycon\n>>> x\n```"
