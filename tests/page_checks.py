"""What the browser suites (steps 07-10) look for on a page, found the way a
user finds it: fields by their label, buttons by their text, bookmarks as the
items of a list. Nothing depends on the ids or classes of the reference page,
so a learner's page with other markup passes as long as it behaves the same."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from workshop_checks import create_bookmark, expect_json, expect_status, list_bookmarks

# A title and a description that run code if the page inserts them as HTML.
XSS_TITLE = "<img src=x onerror=alert('title')>"
XSS_DESCRIPTION = "<b>not bold</b><script>alert('description')</script>"


def field(page: Page, label: str):
    """The form field with this label ("URL", "Title", "Description")."""
    return page.get_by_label(re.compile(rf"^\s*{label}\b", re.IGNORECASE))


def submit_button(page: Page):
    """The button that submits the bookmark form."""
    return page.locator(
        "form button[type=submit], form button:not([type]), form input[type=submit]"
    ).first


def bookmark_item(page: Page, text: str):
    """The list item of the bookmark whose text contains `text`."""
    return page.get_by_role("listitem").filter(has_text=text)


def fill_form(page: Page, url: str, title: str, description: str = "") -> None:
    field(page, "URL").fill(url)
    field(page, "Title").fill(title)
    field(page, "Description").fill(description)


def submit_form(page: Page, url: str, title: str, description: str = "") -> None:
    fill_form(page, url, title, description)
    submit_button(page).click()


def error_message(page: Page):
    """Where the page tells the user what went wrong: an element with role="alert"."""
    return page.get_by_role("alert")


def expect_bookmark_shown(page: Page, text: str, why: str) -> None:
    """The bookmark with `text` shows in the list. Fails as soon as the page shows
    an error instead (a CORS block, say), quoting it, rather than after a timeout."""
    item = bookmark_item(page, text)
    error = error_message(page).filter(has_text=re.compile(r"\S"))
    expect(item.or_(error).first, why).to_be_visible()
    if item.count() == 0:
        pytest.fail(f"{why}; the page says instead: {error.first.inner_text()!r}", pytrace=False)


def expect_no_error_shown(page: Page) -> None:
    alerts = error_message(page)
    for index in range(alerts.count()):
        expect(alerts.nth(index), "the page shows an error message").to_be_empty()


def expect_shown_as_text(page: Page) -> None:
    """XSS_TITLE and XSS_DESCRIPTION are on the page as text, and ran nothing."""
    item = bookmark_item(page, XSS_TITLE)
    expect(item, "the title should show literally, as text").to_have_count(1)
    expect(item, "the description should show literally, as text").to_contain_text(XSS_DESCRIPTION)
    assert item.locator("img, script, b").count() == 0, (
        "the page turned a title or description into HTML: set it with textContent, never innerHTML"
    )
    assert not page.dialogs, f"a title or description ran as code: {page.dialogs}"


# --- The contract between the page and the API -------------------------------

_QUOTES = "\"'`"


def _call_text(source: str, start: int) -> str:
    """The text of a call from its "(" at `start` to the matching ")",
    skipping brackets inside strings and template literals."""
    depth, index, quote = 0, start, None
    while index < len(source):
        char = source[index]
        if quote:
            if char == "\\":
                index += 1
            elif char == quote:
                quote = None
        elif char in _QUOTES:
            quote = char
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
            if depth == 0:
                return source[start + 1:index]
        index += 1
    return source[start + 1:]


def fetch_calls(html: str) -> list[tuple[str, str | None, str]]:
    """Every fetch() call in the page's scripts: (method, path or None when unreadable, the call's text).

    The path is read from the first argument when it is written in place, as
    `${API_URL}/bookmarks/${id}` or "http://127.0.0.1:8000/bookmarks":
    the API's address goes, and each ${...} becomes {param}.
    """
    scripts = "\n".join(re.findall(r"<script[^>]*>(.*?)</script>", html, re.DOTALL | re.IGNORECASE))
    # Comments go: a comment that mentions fetch() is not a call.
    scripts = re.sub(r"/\*.*?\*/", "", scripts, flags=re.DOTALL)
    source = re.sub(r"(?m)^\s*//.*$", "", scripts)
    calls = []
    for match in re.finditer(r"\bfetch\s*\(", source):
        text = _call_text(source, match.end() - 1)
        method_match = re.search(r"""method\s*:\s*["'`](\w+)["'`]""", text)
        method = method_match.group(1).upper() if method_match else "GET"
        path = None
        address = re.match(r"""\s*(["'`])(.*?)\1""", text, re.DOTALL)
        if address:
            url = re.sub(r"^(\$\{[^}]*\}|https?://[^/]+)", "", address.group(2))
            url = re.sub(r"\$\{[^}]*\}", "{param}", url).split("?")[0]
            path = url if url.startswith("/") else None
        calls.append((method, path, "fetch(" + " ".join(text.split())[:80] + ")"))
    return calls


def openapi_routes(client) -> list[tuple[str, str, re.Pattern]]:
    """(METHOD, path, path pattern) for every operation in the app's OpenAPI schema."""
    paths = client.get("/openapi.json").json()["paths"]
    return [
        (method.upper(), path, re.compile(re.sub(r"\\\{[^}]*\\\}", "[^/]+", re.escape(path)) + "$"))
        for path, operations in paths.items()
        for method in operations
    ]


def expect_fetch_calls_match_the_api(step_dir: Path, client) -> None:
    """Every fetch() call of the step's index.html (method + path) is a route of its API."""
    page_file = step_dir / "index.html"
    if not page_file.is_file():
        pytest.fail(f"{step_dir} has no index.html", pytrace=False)
    calls = fetch_calls(page_file.read_text(encoding="utf-8"))
    assert calls, "the page makes no fetch() call: it does not talk to the API yet"
    routes = openapi_routes(client)
    for method, path, text in calls:
        assert path is not None, (
            f"cannot read the address of {text}: write it in the call, "
            "like fetch(`${API_URL}/bookmarks/${id}`, ...)"
        )
        path_to_match = path.replace("{param}", "1")
        assert any(method == m and pattern.match(path_to_match) for m, _, pattern in routes), (
            f"{text} sends {method} {path}, but the API has no such route. "
            f"Its routes: {', '.join(m + ' ' + p for m, p, _ in routes)}"
        )


# --- Each operation done through the page, and confirmed through the API ----
# (suites 08, 09 and 10 all run them; `client` reads the API's store)

def _get(client, bookmark_id: int):
    return client.get(f"/bookmarks/{bookmark_id}")


def check_the_list_loads(page: Page, client, open_page) -> None:
    bookmark = create_bookmark(client, title="Listed on load", description="Shown from the API")
    open_page()
    expect_bookmark_shown(page, "Listed on load", "the page should list the bookmarks that GET /bookmarks answers")
    item = bookmark_item(page, "Listed on load")
    expect(item).to_have_count(1)
    expect(item).to_contain_text("Shown from the API")
    expect(
        item.get_by_role("link", name="Listed on load"), "the title should be a link to the bookmark's URL"
    ).to_have_attribute("href", bookmark["url"])
    expect_no_error_shown(page)


def check_create(page: Page, client, open_page) -> None:
    open_page()
    submit_form(page, "https://example.com/created", "Made in the browser", "Sent by the form")
    expect_bookmark_shown(page, "Made in the browser", "a bookmark sent by the form should appear in the list")
    expect(bookmark_item(page, "Made in the browser")).to_have_count(1)
    created = [b for b in list_bookmarks(client) if b["title"] == "Made in the browser"]
    assert created, "the page shows the bookmark, but the API does not have it: send it with POST /bookmarks"
    assert (created[0]["url"], created[0]["description"]) == ("https://example.com/created", "Sent by the form")
    expect_no_error_shown(page)


def check_edit(page: Page, client, open_page) -> None:
    bookmark = create_bookmark(client, title="Before the edit")
    open_page()
    expect_bookmark_shown(page, "Before the edit", "the page should list the bookmarks")
    bookmark_item(page, "Before the edit").get_by_role("button", name="Edit").click()
    expect(field(page, "Title"), "Edit should fill the form with the bookmark").to_have_value("Before the edit")
    field(page, "Title").fill("After the edit")
    submit_button(page).click()
    expect_bookmark_shown(page, "After the edit", "the list should show the new title")
    expect(bookmark_item(page, "Before the edit"), "the old title should be gone").to_have_count(0)
    response = _get(client, bookmark["id"])
    expect_status(response, 200)
    assert expect_json(response)["title"] == "After the edit", (
        "the page shows the new title, but the API still has the old one: send it with PUT /bookmarks/{id}"
    )
    expect_no_error_shown(page)


def check_delete(page: Page, client, open_page) -> None:
    bookmark = create_bookmark(client, title="To be deleted")
    open_page()
    expect_bookmark_shown(page, "To be deleted", "the page should list the bookmarks")
    bookmark_item(page, "To be deleted").get_by_role("button", name="Delete").click()
    expect(bookmark_item(page, "To be deleted"), "a deleted bookmark should leave the list").to_have_count(0)
    assert _get(client, bookmark["id"]).status_code == 404, (
        "the page no longer shows the bookmark, but the API still has it: send DELETE /bookmarks/{id}"
    )
    expect_no_error_shown(page)


def check_xss(page: Page, client, open_page) -> None:
    create_bookmark(client, title=XSS_TITLE, description=XSS_DESCRIPTION)
    open_page()
    expect_bookmark_shown(page, "not bold", "the page should list the bookmarks")
    expect_shown_as_text(page)
