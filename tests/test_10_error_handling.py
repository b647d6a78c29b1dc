"""Step 10: errors across both halves.

The API: an error the code did not expect becomes a JSON 500 with a general
message, no internals, and still the CORS headers. The page: a loading state
while a request is in flight (the submit button disabled), the server's
message shown in words, a clear message when the API cannot be reached, and
the page usable again after every error, with no uncaught JavaScript error.

To make the app fail the test has the app host put a route in front of the
app's own POST /bookmarks that raises an exception, the way a bug would; the
step's code is not changed.
"""

import pytest
from playwright.sync_api import expect

from page_checks import (
    bookmark_item,
    check_create,
    check_delete,
    check_edit,
    check_the_list_loads,
    check_xss,
    error_message,
    expect_fetch_calls_match_the_api,
    expect_bookmark_shown,
    expect_no_error_shown,
    field,
    submit_button,
    submit_form,
)
from workshop_checks import NEW_BOOKMARK, create_bookmark, expect_json, expect_status, expect_validation_error

# What the failing route raises: none of it may reach the client.
SECRET = "database password hunter2 in /srv/bookmarks/db.py"


def break_create(app) -> None:
    """POST /bookmarks raises an unexpected exception, until mend_create(app)."""
    app.break_route("POST", "/bookmarks", SECRET)


def mend_create(app) -> None:
    app.mend()


def open_with_a_bookmark(live_api, open_page):
    """Open the page once a bookmark of the test's is listed (fails at once on a page
    that cannot load the list)."""
    create_bookmark(live_api.client, title="Already here")
    page = open_page()
    expect_bookmark_shown(page, "Already here", "the page should list the bookmarks")
    return page


def expect_the_page_still_works(page, title: str) -> None:
    """After an error the page can still add a bookmark, and shows no error then."""
    submit_form(page, "https://example.com/after-the-error", title)
    expect(bookmark_item(page, title), "after an error, the page should still add a bookmark").to_have_count(1)
    expect_no_error_shown(page)
    assert not page.errors, f"the page threw an uncaught JavaScript error: {page.errors}"


# --- The API -----------------------------------------------------------------

def test_an_unexpected_error_is_a_json_500_without_internals(learner_app):
    origin = "http://127.0.0.1:5500"
    client = learner_app.restart(env={"ALLOWED_ORIGINS": origin}).client
    break_create(learner_app)
    response = client.post("/bookmarks", json=NEW_BOOKMARK, headers={"Origin": origin})
    assert response.status_code == 500, f"a failing route should answer 500, got {response.status_code}"
    body = expect_json(response)
    assert isinstance(body.get("detail"), str) and body["detail"], (
        f'a 500 should be JSON with a message, like {{"detail": "Something went wrong"}}; got {response.text!r}'
    )
    assert "hunter2" not in response.text and "RuntimeError" not in response.text, (
        f"the 500 shows the exception to the client: {response.text!r}. Log it, send a general message"
    )
    assert response.headers.get("access-control-allow-origin") == origin, (
        "the 500 has no Access-Control-Allow-Origin: the browser will report a CORS error instead of "
        "the real failure. Catch the exception in a middleware added before CORSMiddleware"
    )


# What the 422's message should say where to look.
SEE_THE_PAGE = 'See "A 422 that does not send the input back" on the step\'s page'


def expect_a_422_naming(response, field: str, sent: str) -> None:
    """A 422 with FastAPI's list of problems, one of them about `field`."""
    assert response.status_code == 422, (
        f"{sent}: expected 422, got {response.status_code}: {response.text[:300]!r}. A 422 that sends each "
        f"wrong value back ('input'), as FastAPI's own does, cannot write this one in JSON: it becomes a 500. "
        f"{SEE_THE_PAGE}"
    )
    expect_validation_error(response, field)


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity"])
def test_a_title_that_is_nan_or_infinity_is_a_422_not_a_500(client, number):
    # JSON has no NaN nor Infinity, but Python's JSON parser reads them: a client can send them.
    body = f'{{"url": "https://example.com/", "title": {number}}}'
    response = client.post("/bookmarks", content=body, headers={"Content-Type": "application/json"})
    expect_a_422_naming(response, "title", f"a title of {number}")


def test_a_title_with_a_lone_surrogate_is_a_422_not_a_500(client):
    # "\ud800" is half of a UTF-16 pair: valid JSON text, but no character at all.
    body = '{"url": "https://example.com/", "title": "Broken \\ud800 text"}'
    response = client.post("/bookmarks", content=body, headers={"Content-Type": "application/json"})
    expect_a_422_naming(response, "title", 'a title with "\\ud800"')


def test_a_422_does_not_send_a_large_input_back(client):
    response = client.post("/bookmarks", json={**NEW_BOOKMARK, "title": "x" * 1_000_000})
    expect_a_422_naming(response, "title", "a title of 1 MB")
    assert len(response.content) < 10_000, (
        f"the 422 for a title of 1 MB is {len(response.content):,} bytes long: it sends the title back. "
        f"Leave out (or cut short) each problem's 'input': the client already has what it sent. {SEE_THE_PAGE}"
    )


# --- The page, when things go wrong --------------------------------------------

def test_a_validation_error_shows_the_servers_message(live_api, page, open_page):
    sent = {"url": "javascript:alert(1)", "title": "Not a web link", "description": ""}
    expected = expect_json(live_api.client.post("/bookmarks", json=sent))["detail"][0]["msg"]
    open_with_a_bookmark(live_api, open_page)
    submit_form(page, sent["url"], sent["title"])
    shown = error_message(page)
    expect(shown, "the page should show the 422's message in words").to_contain_text(expected)
    expect(shown).not_to_contain_text("[object Object]")
    expect(field(page, "Title"), "the form should keep what the user typed").to_have_value(sent["title"])
    expect_the_page_still_works(page, "Fixed after a 422")


def test_a_bookmark_deleted_behind_the_pages_back_shows_not_found(live_api, page, open_page):
    gone = create_bookmark(live_api.client, title="Deleted elsewhere")
    open_page()
    expect_bookmark_shown(page, "Deleted elsewhere", "the page should list the bookmarks")
    item = bookmark_item(page, "Deleted elsewhere")
    expect_status(live_api.client.delete(f"/bookmarks/{gone['id']}"), 200)  # someone else deletes it
    expected = expect_json(live_api.client.get(f"/bookmarks/{gone['id']}"))["detail"]  # what the API says now
    item.get_by_role("button", name="Delete").click()
    expect(error_message(page), "the page should show the 404's message").to_contain_text(expected)
    expect_the_page_still_works(page, "Added after a 404")


def test_a_server_error_shows_a_message_without_internals(live_api, page, open_page):
    open_with_a_bookmark(live_api, open_page)
    break_create(live_api)
    expected = expect_json(live_api.client.post("/bookmarks", json=NEW_BOOKMARK))
    submit_form(page, "https://example.com/fails", "Fails on the server")
    shown = error_message(page)
    expect(shown, "the page should show the 500's message, not a CORS error").to_contain_text(expected["detail"])
    expect(shown).not_to_contain_text("hunter2")
    mend_create(live_api)
    expect_the_page_still_works(page, "Added after a 500")


def test_a_stopped_api_shows_a_clear_message(live_api, page, open_page):
    open_with_a_bookmark(live_api, open_page)
    live_api.stop()
    submit_form(page, "https://example.com/nobody-home", "Nobody answers")
    shown = error_message(page)
    expect(shown, "the page should say that the API cannot be reached").not_to_be_empty()
    for raw in ("[object Object]", "undefined", "TypeError"):
        expect(shown, "tell the user in words that the API cannot be reached").not_to_contain_text(raw)
    live_api.start()  # back on the same port
    expect_the_page_still_works(page, "Added when the API is back")


def test_the_page_shows_it_is_busy_while_a_request_is_in_flight(live_api, page, open_page):
    open_with_a_bookmark(live_api, open_page)
    live_api.hold()  # the API takes every request, and answers only when released
    submit_form(page, "https://example.com/slow", "A slow answer")
    expect(submit_button(page), "disable the submit button while the request is in flight").to_be_disabled()
    expect(page.locator("[aria-busy=true]"), 'mark the list aria-busy="true" while loading').not_to_have_count(0)
    live_api.release()
    expect(bookmark_item(page, "A slow answer")).to_have_count(1)
    expect(submit_button(page), "enable the submit button again when the answer is there").to_be_enabled()
    expect(page.locator("[aria-busy=true]"), "nothing should stay busy after the answer").to_have_count(0)


# --- Everything from step 09 still works ----------------------------------------

def test_the_page_lists_the_bookmarks_on_load(live_api, page, open_page):
    check_the_list_loads(page, live_api.client, open_page)
    assert not page.errors, f"the page threw an uncaught JavaScript error: {page.errors}"


def test_the_page_creates_a_bookmark(live_api, page, open_page):
    check_create(page, live_api.client, open_page)


def test_the_page_edits_a_bookmark(live_api, page, open_page):
    check_edit(page, live_api.client, open_page)


def test_the_page_deletes_a_bookmark(live_api, page, open_page):
    check_delete(page, live_api.client, open_page)


def test_titles_and_descriptions_show_as_text(live_api, page, open_page):
    check_xss(page, live_api.client, open_page)


def test_every_fetch_call_matches_a_route_of_the_api(step_dir, client):
    expect_fetch_calls_match_the_api(step_dir, client)
