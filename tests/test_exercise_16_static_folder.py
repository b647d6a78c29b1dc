"""Exercise 16 (a static folder): the page's CSS in a file of its own, served by the app.

    pytest tests/test_exercise_16_static_folder.py --app=path/to/your/folder

The folder holds your step 16 app with the page's CSS moved into a file in a folder
of its own (static/style.css, say), which the app serves (StaticFiles, mounted after
the routes) and the page links with a relative address. The page from the app loads
it; the API still answers; the app's own files are still not served.
"""

from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest

from workshop_checks import create_bookmark, expect_status, list_bookmarks

REFERENCE = "exercises/16-static-folder"
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


class Stylesheets(HTMLParser):
    """The href of every <link rel="stylesheet"> of a page."""

    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "link" and "stylesheet" in (values.get("rel") or "").lower().split() and values.get("href"):
            self.hrefs.append(values["href"])


def linked_stylesheets(client) -> list[str]:
    response = client.get("/", headers={"Accept": BROWSER_ACCEPT})
    expect_status(response, 200)
    parser = Stylesheets()
    parser.feed(response.text)
    return parser.hrefs


def test_the_page_links_a_stylesheet_the_app_serves(client):
    hrefs = linked_stylesheets(client)
    assert hrefs, (
        'the page the app serves at / links no stylesheet: move the CSS into a file (static/style.css) and '
        'link it in <head> with <link rel="stylesheet" href="/static/style.css">'
    )
    for href in hrefs:
        address = urljoin("http://127.0.0.1:8000/", href)
        assert urlsplit(address).netloc == "127.0.0.1:8000", (
            f"the stylesheet {href!r} is not on the app's own origin: link it with a relative address"
        )
        response = client.get(urlsplit(address).path)
        assert response.status_code == 200, (
            f"the page links {href!r}, and the app answers {response.status_code} for it: mount the folder "
            'with app.mount("/static", StaticFiles(directory=...)) after the routes'
        )
        assert response.headers.get("content-type", "").startswith("text/css"), (
            f"{href!r} answers {response.headers.get('content-type')!r}: the browser uses only text/css as a stylesheet"
        )
        assert "{" in response.text, f"{href!r} holds no CSS rule: move the page's CSS there"


def test_the_api_and_the_app_folder_are_as_in_step_15(learner_app):
    app = learner_app.restart(files={".env": "# not-for-any-browser\n"})
    created = create_bookmark(app.client)
    assert created in list_bookmarks(app.client), "GET /bookmarks no longer lists what POST created"
    for name in (".env", "main.py", "bookmarks.db"):
        content = app.read_file(name)  # never through a link the app may have put there
        for prefix in ("", "/static", "/static/.."):
            response = app.client.get(f"{prefix}/{name}")
            assert not (response.status_code == 200 and content is not None and response.content == content), (
                f"GET {prefix}/{name} answers the app's own file: mount the folder that holds the page's files "
                "only (static/), never the app's folder"
            )


def test_the_page_from_the_app_uses_the_stylesheet(live_api, page, open_page):
    loaded: list[str] = []
    page.on("response", lambda r: loaded.append(r.url) if r.request.resource_type == "stylesheet" and r.ok else None)
    open_page(from_app=True)
    page.wait_for_load_state("load")
    rules = page.evaluate(
        "[...document.styleSheets].filter(s => s.href)"
        ".map(s => { try { return s.cssRules.length } catch { return -1 } })"
    )
    if not loaded or not any(count > 0 for count in rules):
        pytest.fail(
            f"the page opened from the app loaded no stylesheet with rules (loaded: {loaded or 'none'}): link the "
            "CSS file with a relative address, and serve its folder from the app",
            pytrace=False,
        )
