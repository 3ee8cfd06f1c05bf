"""The built docs site as a reader meets it: diagrams drawn offline and readable, a clean API.

The site is built once (``mkdocs build --strict``, the ``[docs]`` extra). The browser tests
open it in a real headless Chromium (the system package ``chromium``, driven through the
``[browser]`` extra), served over HTTP on 127.0.0.1, with every request to another host
refused: what the pages need must come with the site.
"""

from __future__ import annotations

import functools
import html
import http.server
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
MIN_TEXT_PX = 12.0

needs_docs = pytest.mark.skipif(
    importlib.util.find_spec("mkdocs") is None or importlib.util.find_spec("material") is None,
    reason="needs the [docs] extra (mkdocs, mkdocs-material, mkdocstrings)",
)
needs_browser = pytest.mark.skipif(
    CHROMIUM is None or importlib.util.find_spec("playwright") is None,
    reason="needs the system package chromium (apt-get install chromium) "
    "and the [browser] extra (playwright)",
)

RAW_ROLE = re.compile(r":(?:py:)?(?:class|func|data|mod|meth|attr|exc|obj|const):(?:`|<code)")
DIAGRAM = re.compile(r'<div class="mermaid-diagram">(.*?)</div>', re.S)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    return out


def _pages(site: Path) -> list[Path]:
    return sorted(site.rglob("index.html"))


def _diagram_pages(site: Path) -> dict[str, list[str]]:
    """Built page (URL path) -> the Mermaid source of each diagram on it, in order."""
    out: dict[str, list[str]] = {}
    for page in _pages(site):
        found = DIAGRAM.findall(page.read_text(encoding="utf-8"))
        if found:
            url = "/" + page.parent.relative_to(site).as_posix() + "/"
            out[url.replace("//", "/")] = [html.unescape(s) for s in found]
    return out


def _declared_states(source: str) -> set[str]:
    """The states a diagram declares: its ``state NAME`` lines and, when it says which
    request type it was generated from, every state of that type's lifecycle."""
    states = set(re.findall(r"^\s*state (\w+)\s*$", source, re.M))
    kind = re.search(r"%% (\w+): generated from the lifecycle declaration", source)
    if kind:
        from tiktok_aftersales.domain.vocabulary import RequestType
        from tiktok_aftersales.lifecycle import LIFECYCLES

        states |= {s.value for s in LIFECYCLES[RequestType(kind.group(1))].case_states}
    return states


# --- the API reference ---------------------------------------------------------------------


@needs_docs
def test_no_page_of_the_built_site_shows_a_raw_sphinx_role(site: Path) -> None:
    raw: dict[str, list[str]] = {}
    for page in _pages(site):
        text = page.read_text(encoding="utf-8")
        hits = [text[max(m.start() - 40, 0) : m.end() + 40] for m in RAW_ROLE.finditer(text)]
        if hits:
            raw[page.relative_to(site).as_posix()] = hits
    total = sum(len(v) for v in raw.values())
    assert not raw, f"{total} raw role(s) in the built HTML: " + repr(raw)[:3000]


@needs_docs
def test_the_built_pages_load_nothing_from_another_host(site: Path) -> None:
    outside = re.compile(r"""<(?:script|link|img)\b[^>]*\b(?:src|href)=["'](?:https?:)?//""")
    for page in _pages(site):
        text = page.read_text(encoding="utf-8")
        assert not outside.search(text), page.relative_to(site).as_posix()
    assert (site / "assets" / "vendor" / "mermaid" / "mermaid.min.js").stat().st_size > 100_000


@needs_docs
def test_the_site_has_diagram_pages_and_each_diagram_declares_its_states(site: Path) -> None:
    pages = _diagram_pages(site)
    assert "/concepts/request-types/" in pages
    for sources in pages.values():
        for source in sources:
            assert source.lstrip().startswith("stateDiagram") or source.strip()
    assert all(_declared_states(s) for s in pages["/concepts/request-types/"])


# --- in a real browser ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def served(site: Path) -> Iterator[str]:
    """The built site over HTTP on 127.0.0.1, on a port the system picks; stopped after."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            return None

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(site))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """A headless Chromium with a fresh profile; requests to other hosts are refused."""
    if CHROMIUM is None or importlib.util.find_spec("playwright") is None:
        pytest.skip(
            "needs the system package chromium (apt-get install chromium) "
            "and the [browser] extra (playwright)"
        )
    from playwright.sync_api import sync_playwright

    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as driver:
        context = driver.chromium.launch_persistent_context(
            str(profile),
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_FLAGS,
            viewport={"width": 1280, "height": 800},
            device_scale_factor=1,
        )
        context.outside = []  # type: ignore[attr-defined]

        def route(request_route: object) -> None:
            url = request_route.request.url  # type: ignore[attr-defined]
            if url.startswith(("http://127.0.0.1:", "data:", "blob:")):
                request_route.continue_()  # type: ignore[attr-defined]
            else:
                context.outside.append(url)  # type: ignore[attr-defined]
                request_route.abort()  # type: ignore[attr-defined]

        context.route("**/*", route)
        try:
            yield context
        finally:
            context.close()


MEASURE = """() => Array.from(document.querySelectorAll('div.mermaid-diagram')).map((d) => {
  const svg = d.querySelector('svg');
  if (!svg) return {drawn: d.dataset.drawn || null, error: d.title || null};
  const box = svg.getBoundingClientRect();
  const vb = svg.viewBox.baseVal;
  const scale = vb && vb.width ? box.width / vb.width : 1;
  const labelled = Array.from(svg.querySelectorAll(
    'text, tspan, foreignObject span, foreignObject div, foreignObject p'
  )).filter((e) => e.textContent.trim() && e.getClientRects().length);
  const sizes = labelled.map((e) => parseFloat(getComputedStyle(e).fontSize) * scale);
  return {
    drawn: d.dataset.drawn,
    nodes: Array.from(svg.querySelectorAll('g.node')).map((n) => n.textContent.trim()),
    smallest: sizes.length ? Math.min(...sizes) : 0,
    texts: sizes.length,
    width: box.width,
  };
})"""

DRAWN = """() => {
  const all = document.querySelectorAll('div.mermaid-diagram');
  const done = document.querySelectorAll(
    'div.mermaid-diagram[data-drawn=yes], div.mermaid-diagram[data-drawn=failed]');
  return all.length > 0 && all.length === done.length;
}"""


@needs_docs
@needs_browser
def test_every_diagram_page_draws_each_diagram_with_its_states_and_readable_text(
    site: Path, served: str, browser: object
) -> None:
    pages = _diagram_pages(site)
    assert pages
    for url, sources in pages.items():
        page = browser.new_page()  # type: ignore[attr-defined]
        errors: list[str] = []
        page.on("pageerror", lambda error, errors=errors: errors.append(str(error)))
        page.goto(served + url, wait_until="load")
        page.wait_for_function(DRAWN, timeout=60_000)
        drawn = page.evaluate(MEASURE)
        page.close()
        assert not errors, (url, errors)
        assert len(drawn) == len(sources), url
        for i, (source, found) in enumerate(zip(sources, drawn, strict=True), 1):
            where = f"{url} diagram {i}"
            assert found["drawn"] == "yes", (where, found)
            missing = _declared_states(source) - set(found["nodes"])
            assert not missing, f"{where}: states drawn without a node: {sorted(missing)}"
            assert found["texts"] > 0, where
            assert found["smallest"] >= MIN_TEXT_PX, (
                f"{where}: smallest text {found['smallest']:.1f} px < {MIN_TEXT_PX} px"
            )
    assert browser.outside == [], browser.outside  # type: ignore[attr-defined]
