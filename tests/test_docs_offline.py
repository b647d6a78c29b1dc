"""The docs site works offline: a classroom with bad wifi still has all of it.

The site is built once (``mkdocs build --strict``, as CI does) into a temporary folder,
served on a free port of 127.0.0.1, and loaded in Chromium with every request to
another host aborted and recorded. Then:

* no page asks for anything on another host (no CDN font, script or style);
* the mermaid diagrams are drawn (into an SVG) by the copy of mermaid served with the
  site: Material would fetch it from unpkg.com if that copy did not load;
* search finds pages, served over HTTP and opened straight from the folder (file://),
  which is what the offline plugin and its local iframe-worker shim are for;
* the diagrams stay legible: their text is at least 12 px on a laptop (1280 px wide) and
  on a phone (390 px), where a wide diagram scrolls sideways instead of shrinking.
"""

import os
import subprocess
import sys
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlparse

import pytest

REPO = Path(__file__).resolve().parent.parent

# About 20 s (a full site build and every page in Chromium): not in the everyday
# `pytest` run; CI runs it with `pytest -m built_site`.
pytestmark = pytest.mark.built_site

# Material draws a diagram into a *closed* shadow root, out of the test's reach. Opened
# before any script of the page runs, it can be looked into; nothing else changes.
OPEN_SHADOW_ROOTS = """
const attachShadow = Element.prototype.attachShadow;
Element.prototype.attachShadow = function (options) {
  return attachShadow.call(this, { ...options, mode: "open" });
};
"""


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Path:
    """The site, built once per test session."""
    folder = tmp_path_factory.mktemp("site")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "--site-dir", str(folder)],
        cwd=REPO,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert result.returncode == 0, f"mkdocs build --strict failed:\n{result.stdout}\n{result.stderr}"
    return folder


@pytest.fixture(scope="session")
def site_url(site):
    """The built site, served on a free port of 127.0.0.1 (never 8000, 8001 or 5500)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(QuietHandler, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def offline_page(page, site_url):
    """A browser page that may reach the site's own server and files, and nothing else.
    page.external lists every request to another host (all of them aborted)."""
    own = urlparse(site_url).netloc
    page.external = []

    def only_the_site(route):
        url = urlparse(route.request.url)
        if url.scheme in ("file", "data", "blob") or url.netloc == own:
            route.continue_()
        else:
            page.external.append(route.request.url)
            route.abort()

    page.route("**/*", only_the_site)
    page.add_init_script(OPEN_SHADOW_ROOTS)
    return page


def site_pages(site: Path) -> list[str]:
    return sorted(
        str(path.relative_to(site)).replace(os.sep, "/")
        for path in site.rglob("*.html")
        if path.name != "404.html" and "javascripts" not in path.parts
    )


def test_the_built_pages_name_no_remote_script_style_or_font(site):
    """Read in the files themselves: every script, style sheet, font and image is the site's own."""
    import re

    remote = re.compile(
        r"""<(?:script|img|iframe)\b[^>]*\bsrc=["']?(?:https?:)?//"""
        r"""|<link\b[^>]*\brel=["']?(?:stylesheet|preconnect|preload|modulepreload|icon)[^>]*\bhref=["']?(?:https?:)?//"""
        r"""|<link\b[^>]*\bhref=["']?(?:https?:)?//[^>]*\brel=["']?(?:stylesheet|preconnect|preload|modulepreload|icon)""",
        re.IGNORECASE,
    )
    found = {}
    for name in site_pages(site):
        hits = remote.findall((site / name).read_text(encoding="utf-8"))
        if hits:
            found[name] = hits
    assert not found, f"pages that load something from the internet: {found}"


def has_diagram(site: Path, name: str) -> bool:
    return 'class="mermaid"' in (site / name).read_text(encoding="utf-8")


def test_no_page_asks_another_host(offline_page, site, site_url):
    """The pages with a diagram are checked by the next test, once their diagrams are drawn."""
    pages = site_pages(site)
    assert "setup.html" in pages and "steps/04-create-bookmark.html" in pages
    pages = [name for name in pages if not has_diagram(site, name)]
    asked = {}
    for name in pages:
        offline_page.external.clear()
        # "load": every style, script, font and image of the page has been asked for.
        offline_page.goto(f"{site_url}/{name}", wait_until="load")
        if offline_page.external:
            asked[name] = list(offline_page.external)
    assert not asked, f"pages that need the internet (requests to other hosts): {asked}"


def test_mermaid_diagrams_render_from_the_local_copy(offline_page, site, site_url):
    pages = [name for name in site_pages(site) if has_diagram(site, name)]
    assert "http.html" in pages, "the HTTP reference should hold a diagram (a request and its answer)"
    for name in pages:
        offline_page.goto(f"{site_url}/{name}")
        diagrams = (site / name).read_text(encoding="utf-8").count('class="mermaid"')
        # Material swaps each <pre class="mermaid"> for a <div class="mermaid"> once drawn.
        offline_page.wait_for_function("document.querySelectorAll('pre.mermaid').length === 0", timeout=15_000)
        assert offline_page.locator("div.mermaid").count() == diagrams, f"{name}: not every diagram was drawn"
        assert offline_page.locator("div.mermaid svg").count() >= diagrams
        # A diagram mermaid could not read is drawn too, as an error picture.
        assert offline_page.locator("div.mermaid svg[aria-roledescription='error']").count() == 0, (
            f"{name}: mermaid could not read a diagram"
        )
        assert offline_page.external == [], f"{name} asked other hosts: {offline_page.external}"


# The smallest text of each diagram, in CSS pixels as drawn: the font size of every label
# times the scale the SVG is drawn at (its width on screen over its own width).
SMALLEST_DIAGRAM_TEXT = """
() => [...document.querySelectorAll("div.mermaid")].map((diagram) => {
  const svg = diagram.shadowRoot.querySelector("svg");
  const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
  const labels = [...diagram.shadowRoot.querySelectorAll("text, foreignObject *")]
    .filter((label) => label.textContent.trim());
  return Math.min(...labels.map((label) => parseFloat(getComputedStyle(label).fontSize) * scale));
})
"""


@pytest.mark.parametrize("width", [1280, 390])
def test_diagram_text_is_at_least_12_px(offline_page, site, site_url, width):
    offline_page.set_viewport_size({"width": width, "height": 900})
    small = {}
    for name in [name for name in site_pages(site) if has_diagram(site, name)]:
        offline_page.goto(f"{site_url}/{name}")
        offline_page.wait_for_function("document.querySelectorAll('pre.mermaid').length === 0", timeout=15_000)
        sizes = offline_page.evaluate(SMALLEST_DIAGRAM_TEXT)
        if min(sizes) < 12:
            small[name] = [round(size, 1) for size in sizes]
    assert not small, (
        f"diagrams whose text is under 12 px at {width} px (each diagram's smallest text): {small}. "
        "Give the diagram `useMaxWidth: false` (see docs/steps/09-cors.md) and fewer words per arrow"
    )


def search(page, words: str) -> list[str]:
    """Type into the site's search box; answer the titles of the results."""
    page.keyboard.press("/")  # Material's shortcut: focus the search box
    # Typed key by key: Material searches as keys are released, not on fill().
    page.locator("input.md-search__input").press_sequentially(words, delay=10)
    results = page.locator(".md-search-result__item")
    results.first.wait_for(timeout=15_000)
    return results.all_inner_texts()


def test_search_finds_pages_on_the_served_site(offline_page, site_url):
    offline_page.goto(f"{site_url}/index.html")
    found = search(offline_page, "idempotent")
    assert any("HTTP reference" in text or "Methods" in text for text in found), found
    assert offline_page.external == []


def test_search_works_from_the_folder_itself(offline_page, site):
    """Opened as files, as after unzipping the site on a laptop with no server at all."""
    offline_page.goto((site / "index.html").as_uri())
    found = search(offline_page, "uvicorn")
    assert found, "no search result when the site is opened from the file system"
    assert offline_page.external == []
