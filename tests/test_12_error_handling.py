"""Step 12: errors across both halves.

The API: an error the code did not expect becomes a JSON 500 with a general
message, no internals, and still the CORS headers; a 422 does not send the
input back. The page: the server's message shown in words, a clear message
when the API cannot be reached, and the page usable again after every error,
with no uncaught JavaScript error. (Showing that the page waits, and where the
focus goes, are step 13's: tests/test_13_loading_and_focus.py.)

To make the app fail the test has the app host put a route in front of the
app's own POST /bookmarks that raises an exception, the way a bug would; the
step's code is not changed.
"""


import pytest
from playwright.sync_api import expect

from page_checks import (
    NOT_A_WEB_LINK,
    bookmark_item,
    check_list_add_edit_delete,
    expect_bookmark_shown,
    expect_calls_match_the_api,
    expect_error_in_words,
    expect_no_error_shown,
    expect_not_busy,
    expect_page_shows_the_api,
    field,
    fill_form,
    open_with_three,
    send,
    submit_button,
    submit_form,
    user_action,
    watch,
)
from workshop_checks import NEW_BOOKMARK, create_bookmark, expect_json, expect_status, expect_validation_error

# What the failing route raises: none of it may reach the client.
SECRET = "database password hunter2 in /srv/bookmarks/db.py"


def break_create(app) -> None:
    """POST /bookmarks raises an unexpected exception, until mend_create(app)."""
    app.break_route("POST", "/bookmarks", SECRET)


def mend_create(app) -> None:
    app.mend()


def open_with_a_bookmark(live_api, open_page, page):
    """Open the page once a bookmark of the test's is listed (fails at once on a page
    that cannot load the list)."""
    watch(page)
    create_bookmark(live_api.client, title="Already here")
    open_page()
    expect_bookmark_shown(page, "Already here", "the page should list the bookmarks")
    return page


def expect_the_page_still_works(page, client, title: str) -> None:
    """After an error the page can still add a bookmark, and shows no error then."""
    with user_action(page, client, "sending the form again after the error"):
        submit_form(page, "https://example.com/after-the-error", title)
        expect(bookmark_item(page, title), "after an error, the page should still add a bookmark").to_have_count(1)
        expect_page_shows_the_api(page, client, "after the error, once a bookmark is added")
        expect_no_error_shown(page, "a success that follows an error")
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


@pytest.mark.one_app  # each case: its own refused request, its own answer
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

# What the browser itself says when no answer came: the user should read words instead.
RAW_NETWORK_ERRORS = ("Failed to fetch", "NetworkError", "Load failed", "TypeError", "net::")


def test_a_validation_error_shows_the_servers_message(live_api, page, open_page):
    sent = {"url": NOT_A_WEB_LINK, "title": "Not a web link", "description": "Kept after the error"}
    expected = expect_json(live_api.client.post("/bookmarks", json=sent))["detail"][0]["msg"]
    open_with_a_bookmark(live_api, open_page, page)
    with user_action(page, live_api.client, f"sending the form with the URL {NOT_A_WEB_LINK}"):
        fill_form(page, **sent)
        send(page, ("POST",), submit_button(page).click, "submitting the form", ok=False)
        expect_error_in_words(page, "the page should show the 422's message", expected)
        for label, value in (("URL", sent["url"]), ("Title", sent["title"]), ("Description", sent["description"])):
            kept = "after a failed save, the form should keep what the user typed"
            expect(field(page, label), kept).to_have_value(value)
        expect_not_busy(page, "an error")
        expect_page_shows_the_api(page, live_api.client, "after a failed save")
    expect_the_page_still_works(page, live_api.client, "Fixed after a 422")


def test_a_bookmark_deleted_behind_the_pages_back_shows_not_found(live_api, page, open_page):
    made = open_with_three(page, live_api.client, open_page)
    gone = made[1]
    expect_status(live_api.client.delete(f"/bookmarks/{gone['id']}"), 200)  # someone else deletes it
    expected = expect_json(live_api.client.get(f"/bookmarks/{gone['id']}"))["detail"]  # what the API says now
    with user_action(page, live_api.client, f"clicking Delete on {gone['title']!r}, already deleted in the API"):
        delete = bookmark_item(page, gone["title"]).get_by_role("button", name="Delete")
        send(page, ("DELETE",), delete.click, f"Delete on {gone['title']!r}", ok=False)
        expect_error_in_words(page, "the page should show the 404's message", expected)
        expect_not_busy(page, "an error")
        expect_page_shows_the_api(page, live_api.client, "after a failed delete, the list should be loaded again")
    expect_the_page_still_works(page, live_api.client, "Added after a 404")


def test_a_server_error_shows_a_message_without_internals(live_api, page, open_page):
    open_with_a_bookmark(live_api, open_page, page)
    break_create(live_api)
    with user_action(page, live_api.client, "sending the form while POST /bookmarks fails"):
        fill_form(page, "https://example.com/fails", "Fails on the server")
        answer = send(page, ("POST",), submit_button(page).click, "submitting the form", ok=False)
        assert answer is not None and answer.status == 500, (
            f"POST /bookmarks should answer 500 while it fails; got {answer.status if answer else 'no answer'}"
        )
        body = answer.json() if "json" in answer.headers.get("content-type", "") else {}
        assert isinstance(body.get("detail"), str), (
            f'the 500 should be JSON like {{"detail": "Something went wrong"}}, got {answer.text()!r}'
        )
        text = expect_error_in_words(page, "the page should show the 500's message, word for word", body["detail"])
        assert "hunter2" not in text, f"the page shows the exception's internals: {text!r}"
        expect(field(page, "Title"), "after a failed save, the form should keep what the user typed").to_have_value(
            "Fails on the server"
        )
        expect_not_busy(page, "an error")
    mend_create(live_api)
    expect_the_page_still_works(page, live_api.client, "Added after a 500")


def test_a_stopped_api_shows_a_clear_message(live_api, page, open_page):
    open_with_a_bookmark(live_api, open_page, page)
    expect_calls_match_the_api(page, live_api.client)  # reads the routes while the API still answers
    live_api.stop()
    with user_action(page, live_api.client, "sending the form while the API is stopped"):
        fill_form(page, "https://example.com/nobody-home", "Nobody answers")
        send(page, ("POST",), submit_button(page).click, "submitting the form", ok=False)
        text = expect_error_in_words(page, "the page should say that the API cannot be reached")
        for raw in RAW_NETWORK_ERRORS:
            assert raw not in text, (
                f"the page shows the browser's own error {text!r}: tell the user in words that the API "
                "cannot be reached (the details go to the Console)"
            )
        expect(field(page, "Title"), "after a failed save, the form should keep what the user typed").to_have_value(
            "Nobody answers"
        )
        expect_not_busy(page, "an error")
    live_api.start()  # back on the same port
    expect_the_page_still_works(page, live_api.client, "Added when the API is back")


# --- Everything from step 11 still works --------------------------------------

@pytest.mark.points(4)
def test_the_page_still_lists_adds_edits_and_deletes(live_api, page, open_page):
    """Steps 08-11 on one page load: one check (a mistake there fails it alone), not four page loads.
    A refused bookmark has its own test above (the 422's message, in words)."""
    check_list_add_edit_delete(page, live_api.client, open_page, refused_first=False)
    assert not page.errors, f"the page threw an uncaught JavaScript error: {page.errors}"
