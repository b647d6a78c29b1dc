"""What the browser suites (steps 07-13) look for on a page, found the way a
user finds it: fields by their label, buttons by their name, bookmarks as the
items of a list or the rows of a table. Nothing depends on the ids or classes
of the reference page, so a learner's page with other markup passes as long as
it behaves the same.

The conventions a page must follow are the ones in the "What the checks
expect" box of each step's docs page (docs/steps/07..13): keep the two in step.

The scenarios below do what a user does (add, edit one field, delete one in
the middle, save something invalid) and compare the page, after each action,
with what the API holds (`client` reads the API's store). They also record the
requests the page really sends, and check each against the API's routes.
"""

import re
from contextlib import contextmanager
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from workshop_checks import create_bookmark, list_bookmarks

# A title and a description that run code if the page inserts them as HTML.
XSS_TITLE = "<img src=x onerror=alert('title')>"
XSS_DESCRIPTION = "<b>not bold</b><script>alert('description')</script>"

# A link the browser's type="url" accepts and the API refuses (422).
NOT_A_WEB_LINK = "javascript:alert(1)"

# Three bookmarks to act on: none of the titles is part of another, or of the samples'.
THREE = [
    {"url": "https://example.com/alpha", "title": "Alpha notes", "description": "First of three"},
    {"url": "https://example.com/beta", "title": "Beta notes", "description": "Second of three"},
    {"url": "https://example.com/gamma", "title": "Gamma notes", "description": "Third of three"},
]


# --- Finding things on the page ----------------------------------------------

def field(page: Page, label: str):
    """The form field with this label ("URL", "Title", "Description")."""
    return page.get_by_label(re.compile(rf"^\s*{label}\b", re.IGNORECASE))


def submit_button(page: Page):
    """The button that submits the bookmark form."""
    return page.locator(
        "form button[type=submit], form button:not([type]), form input[type=submit]"
    ).first


def _items(page: Page):
    """Every list item and every table row of the page."""
    return page.get_by_role("listitem").or_(page.get_by_role("row"))


def bookmark_item(page: Page, text: str):
    """The list item (or table row) of the bookmark whose text contains `text`."""
    return _items(page).filter(has_text=text)


def bookmark_entries(page: Page):
    """The bookmarks the page shows: the list items, and the table rows with a data
    cell (<td>: a header row holds only <th>)."""
    return page.get_by_role("listitem").or_(page.get_by_role("row").filter(has=page.get_by_role("cell")))


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


# --- What the page sends -------------------------------------------------------

class ApiCalls:
    """The requests the page's script sends (fetch or XMLHttpRequest), with their
    answers: what a learner sees in the Network tab of the developer tools."""

    def __init__(self, page: Page):
        self.calls = []
        self._by_request = {}
        page.on("request", self._sent)
        page.on("response", self._answered)
        page.on("requestfailed", self._failed)

    def _sent(self, request):
        if request.resource_type in ("fetch", "xhr") and request.method != "OPTIONS":
            call = {"method": request.method, "path": urlsplit(request.url).path or "/", "answer": "no answer yet"}
            self._by_request[request] = call
            self.calls.append(call)

    def _answered(self, response):
        call = self._by_request.get(response.request)
        if call is not None:
            call["answer"] = str(response.status)

    def _failed(self, request):
        call = self._by_request.get(request)
        if call is not None:
            call["answer"] = f"no answer ({request.failure})"

    def since(self, start: int) -> str:
        """The calls from number `start` on, as "POST /bookmarks -> 422, GET /bookmarks -> 200"."""
        shown = [f"{c['method']} {c['path']} -> {c['answer']}" for c in self.calls[start:]]
        return ", ".join(shown) or "no request to the API"


def openapi_routes(client) -> list[tuple[str, str, re.Pattern]]:
    """(METHOD, path, path pattern) for every operation in the app's OpenAPI schema."""
    paths = client.get("/openapi.json").json()["paths"]
    return [
        (method.upper(), path, re.compile(re.sub(r"\\\{[^}]*\\\}", "[^/]+", re.escape(path)) + "$"))
        for path, operations in paths.items()
        for method in operations
    ]


def expect_calls_match_the_api(page: Page, client) -> None:
    """Every request the page sent so far (method + path) is a route of the API."""
    if not hasattr(page, "api_routes"):
        page.api_routes = openapi_routes(client)
    routes = page.api_routes
    for call in page.api_calls.calls:
        method, path = call["method"], call["path"]
        assert any(method == m and pattern.match(path) for m, _, pattern in routes), (
            f"the page sent {method} {path}, but the API has no such route (it answered {call['answer']}). "
            f"Its routes: {', '.join(m + ' ' + p for m, p, _ in routes)}. "
            "Check the method and the address of that fetch() call"
        )


def watch(page: Page) -> ApiCalls:
    """Start recording what the page sends (before it opens)."""
    if not hasattr(page, "api_calls"):
        page.api_calls = ApiCalls(page)
    return page.api_calls


def send(page: Page, methods: tuple[str, ...], action, what: str, ok: bool = True):
    """Do `action` (a click), which must send one of `methods` to the API; wait
    for the API's answer and return it (None when none came). With `ok`, the
    answer must be a success (2xx)."""
    def wanted(request):
        return request.resource_type in ("fetch", "xhr") and request.method in methods
    try:
        with page.expect_request(wanted) as sent:
            action()
    except PlaywrightTimeoutError:
        pytest.fail(f"{what} sent no {' or '.join(methods)} request to the API", pytrace=False)
    request = sent.value
    response = request.response()
    if ok and (response is None or not response.ok):
        answer = f"{response.status} {response.text()[:200]}" if response else f"nothing ({request.failure})"
        path = urlsplit(request.url).path
        pytest.fail(f"{what} sent {request.method} {path}, and the API answered {answer}", pytrace=False)
    return response


@contextmanager
def user_action(page: Page, client, what: str):
    """One thing the user does. When a check inside fails, the message adds what
    the page sent meanwhile; after it, every request must be a route of the API."""
    calls = watch(page)
    start = len(calls.calls)
    failure = None
    try:
        yield
    except AssertionError as error:
        failure = str(error)
    expect_calls_match_the_api(page, client)  # a wrong address explains the rest
    if failure is not None:
        message = f"{failure}\n(after {what}, the page sent: {calls.since(start)})"
        raise pytest.fail.Exception(message, pytrace=False) from None  # not "during handling of..."


# --- What the page shows ---------------------------------------------------------

def _is_raw(text: str) -> bool:
    """JSON, or an object shown as it is, rather than words."""
    return "[object Object]" in text or '{"' in text or '"detail"' in text or "undefined" in text


def expect_bookmark_shown(page: Page, text: str, why: str) -> None:
    """The bookmark with `text` shows in the list. Fails as soon as the page shows
    an error instead (a CORS block, say), quoting it, rather than after a timeout."""
    item = bookmark_item(page, text)
    error = error_message(page).filter(has_text=re.compile(r"\S"))
    expect(item.or_(error).first, why).to_be_visible()
    if item.count() == 0:
        pytest.fail(f"{why}; the page says instead: {error.first.inner_text()!r}", pytrace=False)


def expect_no_error_shown(page: Page, after: str = "a success") -> None:
    alerts = error_message(page)
    for index in range(alerts.count()):
        expect(alerts.nth(index), f'after {after}, the role="alert" element should be empty').to_have_text(
            re.compile(r"^\s*$")
        )


def expect_error_in_words(page: Page, why: str, expected: str | None = None) -> str:
    """The alert says something (`expected`, when given), in words; returns what it says."""
    alert = error_message(page).filter(has_text=re.compile(r"\S"))
    expect(alert.first, f'{why}, in an element with role="alert"').to_be_visible()
    if expected is not None:
        expect(alert.first, why).to_contain_text(expected)
    text = alert.first.inner_text()
    assert not _is_raw(text), f'{why}, in words; the page shows {text!r}'
    return text


# The words a page may show while it waits for the API ("Loading…", "Saving…", "Please wait").
WAITING_WORDS = re.compile(r"\b(loading|saving|sending|please wait)\b", re.IGNORECASE)


def waiting_words(page: Page):
    """The visible waiting words, outside the error message: "Error saving the bookmark"
    says what went wrong, not that the page still waits."""
    outside_the_alert = page.locator(':not([role="alert"]):not([role="alert"] *)')
    return page.get_by_text(WAITING_WORDS).filter(visible=True).and_(outside_the_alert)


def busy_signs(page: Page):
    """Whatever shows that the page waits: the words, visible; an element marked
    aria-busy="true"; a progress bar (<progress> or role="progressbar"), visible."""
    words = waiting_words(page)
    progress = page.get_by_role("progressbar").filter(visible=True)
    return words.or_(page.locator("[aria-busy=true]")).or_(progress)


def expect_busy(page: Page, during: str) -> None:
    """While a request is in flight: the submit button disabled, and a sign that the page waits."""
    expect(submit_button(page), f"while {during} is in flight, disable the submit button").to_be_disabled()
    expect(
        busy_signs(page),
        f'while {during} is in flight, show that the page waits: the word "Loading…" on the page '
        '(role="status"), or aria-busy="true" on what is about to change',
    ).not_to_have_count(0)


def expect_not_busy(page: Page, after: str) -> None:
    """Nothing stays busy: the submit button works again, no aria-busy, no "Loading"."""
    expect(submit_button(page), f"after {after}, enable the submit button again").to_be_enabled()
    expect(page.locator("[aria-busy=true]"), f'after {after}, nothing should stay aria-busy="true"').to_have_count(0)
    expect(waiting_words(page), f'after {after}, "Loading…" should be gone').to_have_count(0)
    expect(
        page.get_by_role("progressbar").filter(visible=True), f"after {after}, the progress bar should be gone"
    ).to_have_count(0)


def expect_page_shows_the_api(page: Page, client, why: str) -> None:
    """The page shows exactly the API's bookmarks: each once, with its description,
    and nothing else (bookmarks are the list items or table rows with a Delete button).
    Called once the page shows the action's effect: it waits for the number, then reads."""
    held = list_bookmarks(client)
    entries = bookmark_entries(page)
    try:
        expect(entries).to_have_count(len(held))
    except AssertionError:
        pass
    texts = [" ".join(text.split()) for text in entries.all_inner_texts()]
    wrong = len(texts) != len(held) or any(
        sum(bookmark["title"] in text for text in texts) != 1
        or bookmark["description"] not in next(text for text in texts if bookmark["title"] in text)
        for bookmark in held
    )
    if wrong:
        pytest.fail(
            f"{why}: the API holds {len(held)} bookmarks {[b['title'] for b in held]}, "
            f"but the page shows {len(texts)}: {[text[:40] for text in texts]} (a bookmark is a list item "
            "or table row with its title and its description)",
            pytrace=False,
        )


def expect_shown_as_text(page: Page) -> None:
    """XSS_TITLE and XSS_DESCRIPTION are on the page as text, and ran nothing."""
    item = bookmark_item(page, XSS_TITLE)
    expect(item, "the title should show literally, as text").to_have_count(1)
    expect(item, "the description should show literally, as text").to_contain_text(XSS_DESCRIPTION)
    assert item.locator("img, script, b").count() == 0, (
        "the page turned a title or description into HTML: set it with textContent, never innerHTML"
    )
    assert not page.dialogs, f"a title or description ran as code: {page.dialogs}"


def _by_title(client) -> dict:
    return {bookmark["title"]: bookmark for bookmark in list_bookmarks(client)}


def open_with_three(page: Page, client, open_page) -> list[dict]:
    watch(page)
    made = [create_bookmark(client, **bookmark) for bookmark in THREE]
    open_page()
    with user_action(page, client, "opening the page"):
        expect_bookmark_shown(
            page, THREE[-1]["title"], "the page should list the bookmarks that GET /bookmarks answers"
        )
    return made


# --- The scenarios (suites 08 to 12 run them) ----------------------------

def check_the_list_loads(page: Page, client, open_page) -> None:
    """On load, the page shows exactly the API's bookmarks, titles as links, text as text."""
    watch(page)
    bookmark = create_bookmark(client, title="Listed on load", description="Shown from the API")
    create_bookmark(client, title=XSS_TITLE, description=XSS_DESCRIPTION)
    open_page()
    _check_the_list(page, client, bookmark)


def _check_the_list(page: Page, client, bookmark: dict) -> None:
    with user_action(page, client, "opening the page"):
        title = bookmark["title"]
        expect_bookmark_shown(page, title, "the page should list the bookmarks that GET /bookmarks answers")
        expect_page_shows_the_api(page, client, "on load")
        expect(
            bookmark_item(page, title).get_by_role("link", name=title),
            "the title should be a link to the bookmark's URL",
        ).to_have_attribute("href", bookmark["url"])
        expect_shown_as_text(page)
        expect_no_error_shown(page, "loading the list")


def check_create(page: Page, client, open_page, refused_first: bool = True) -> None:
    """A failed save keeps the input and says why; a good one adds exactly that bookmark."""
    made = open_with_three(page, client, open_page)
    if refused_first:
        _check_a_refused_bookmark(page, client)
    _check_an_added_bookmark(page, client, made)


def _check_an_added_bookmark(page: Page, client, made: list[dict]) -> None:
    with user_action(page, client, "sending the form with a good bookmark"):
        fill_form(page, "https://example.com/created", "Made in the browser", "Sent by the form")
        send(page, ("POST",), submit_button(page).click, "submitting the form")
        expect(
            bookmark_item(page, "Made in the browser"), "a bookmark sent by the form should appear on the page"
        ).to_have_count(1)
        created = _by_title(client).get("Made in the browser")
        assert created, "the page shows the bookmark, but the API does not have it: send it with POST /bookmarks"
        assert (created["url"], created["description"]) == ("https://example.com/created", "Sent by the form"), (
            f"the form sent URL {created['url']!r} and description {created['description']!r}, "
            "expected what the user typed: 'https://example.com/created', 'Sent by the form'"
        )
        held = _by_title(client)
        for bookmark in made:
            assert held.get(bookmark["title"]) == bookmark, f"adding a bookmark changed {bookmark['title']!r}"
        expect_page_shows_the_api(page, client, "after adding a bookmark")
        expect_no_error_shown(page, "a successful save")


def _check_a_refused_bookmark(page: Page, client) -> None:
    """A bookmark the API refuses (422): the page says so in words and keeps the input."""
    with user_action(page, client, f"sending the form with the URL {NOT_A_WEB_LINK}"):
        fill_form(page, NOT_A_WEB_LINK, "Not a web link", "Refused by the API")
        send(page, ("POST",), submit_button(page).click, "submitting the form", ok=False)
        expect_error_in_words(page, "when the API refuses a bookmark (422), the page should say so")
        expect(field(page, "Title"), "after a failed save, the form should keep what the user typed").to_have_value(
            "Not a web link"
        )
        expect(
            field(page, "Description"), "after a failed save, the form should keep what the user typed"
        ).to_have_value("Refused by the API")
        assert "Not a web link" not in _by_title(client), "the API took a bookmark it should refuse"
        expect_page_shows_the_api(page, client, "after a failed save")


def check_edit(page: Page, client, open_page) -> None:
    """Edit on the middle bookmark fills the form with it; changing only its title
    keeps its URL and description, and leaves the other bookmarks alone."""
    _check_an_edit(page, client, open_with_three(page, client, open_page))


def _check_an_edit(page: Page, client, made: list[dict]) -> dict:
    """Answers the edited bookmark, as the API holds it now."""
    middle = made[1]
    with user_action(page, client, f"clicking Edit on {middle['title']!r}"):
        bookmark_item(page, middle["title"]).get_by_role("button", name="Edit").click()
        why = f"Edit on {middle['title']!r} should fill the form with that bookmark"
        expect(field(page, "Title"), why).to_have_value(middle["title"])
        expect(field(page, "URL"), why).to_have_value(middle["url"])
        expect(field(page, "Description"), why).to_have_value(middle["description"])
    with user_action(page, client, "changing only the title and saving"):
        field(page, "Title").fill("Beta renamed")
        send(page, ("PUT", "PATCH"), submit_button(page).click, "saving the edit")
        expect(bookmark_item(page, "Beta renamed"), "the list should show the new title").to_have_count(1)
        held = {bookmark["id"]: bookmark for bookmark in list_bookmarks(client)}
        edited = held.get(middle["id"])
        assert edited is not None, f"after the edit, the API no longer has bookmark {middle['id']}"
        assert edited["title"] == "Beta renamed", (
            f"the page shows the new title, but the API has {edited['title']!r}: send it with PUT /bookmarks/{{id}}"
        )
        for name in ("url", "description"):
            assert edited[name] == middle[name], (
                f"only the title was changed, but the bookmark's {name} became {edited[name]!r} "
                f"(it was {middle[name]!r}): send every field of the form"
            )
        for other in (made[0], made[2]):
            assert held.get(other["id"]) == other, f"editing {middle['title']!r} changed {other['title']!r}"
        expect_page_shows_the_api(page, client, "after the edit")
        expect_no_error_shown(page, "a successful edit")
    return edited


def check_delete(page: Page, client, open_page) -> None:
    """Delete on the middle one of three deletes that one, and the page follows."""
    made = open_with_three(page, client, open_page)
    _check_a_delete(page, client, made[1], (made[0], made[2]))


def _check_a_delete(page: Page, client, middle: dict, others: tuple[dict, ...]) -> None:
    with user_action(page, client, f"clicking Delete on {middle['title']!r}"):
        delete = bookmark_item(page, middle["title"]).get_by_role("button", name="Delete")
        send(page, ("DELETE",), delete.click, f"Delete on {middle['title']!r}")
        held = _by_title(client)
        for other in others:
            assert other["title"] in held, (
                f"Delete on {middle['title']!r} deleted {other['title']!r} from the API: "
                "each button should act on its own bookmark"
            )
        assert middle["title"] not in held, f"Delete on {middle['title']!r} left it in the API"
        expect(bookmark_item(page, middle["title"]), "a deleted bookmark should leave the list").to_have_count(0)
        expect_page_shows_the_api(page, client, "after the delete")
        expect_no_error_shown(page, "a successful delete")


def check_list_add_edit_delete(page: Page, client, open_page, refused_first: bool = True) -> None:
    """Everything the page of step 11 does, on one page load (the checks of check_the_list_loads,
    check_create, check_edit and check_delete, one after the other): for a later step whose
    lesson is elsewhere, this is one check, not four page loads."""
    create_bookmark(client, title=XSS_TITLE, description=XSS_DESCRIPTION)
    made = open_with_three(page, client, open_page)
    _check_the_list(page, client, made[0])
    if refused_first:
        _check_a_refused_bookmark(page, client)
    _check_an_added_bookmark(page, client, made)
    edited = _check_an_edit(page, client, made)
    _check_a_delete(page, client, edited, (made[0], made[2]))
