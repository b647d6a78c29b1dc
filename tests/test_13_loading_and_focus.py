"""Step 13: the page while it waits, and after it fails, for every user.

While a request is in flight the submit button is disabled and the page shows
that it waits ("Loading…", aria-busy, a progress bar: any of them); none of it
stays after the answer, a success or an error. After a 422 the field the server
names is marked aria-invalid="true" and has the focus, and the mark goes once a
save succeeds. After an error the focus is not lost to <body>: a keyboard or
screen reader user carries on where they were.

Each check acts as a keyboard user does (Enter on the focused submit button), and
holds the API's answer back (live_api.hold) to look at the page while it waits.
Step 12's checks (the server's message in words) keep applying: its suite runs
on this step too.
"""

from playwright.sync_api import Page, expect

from page_checks import (
    NOT_A_WEB_LINK,
    bookmark_item,
    expect_bookmark_shown,
    expect_busy,
    expect_error_in_words,
    expect_no_error_shown,
    expect_not_busy,
    field,
    fill_form,
    send,
    submit_button,
    user_action,
    watch,
)
from workshop_checks import create_bookmark, expect_json

# Where the failure messages send the learner.
SEE_THE_PAGE = 'See "Waiting and failing, in one place" on the step\'s page'


def open_with_a_bookmark(live_api, open_page, page: Page) -> Page:
    """Open the page once a bookmark of the test's is listed."""
    watch(page)
    create_bookmark(live_api.client, title="Already here")
    open_page()
    expect_bookmark_shown(page, "Already here", "the page should list the bookmarks")
    expect_not_busy(page, "loading the list")
    return page


def send_held(page: Page, live_api, what: str) -> None:
    """Press Enter on the focused submit button with the API's answer held back; check
    that the page shows it waits, then let the answer through. Two frames are drawn
    while waiting: Chromium takes the focus off a button disabled meanwhile at its next
    frame, so a page that loses the focus has lost it by the time the answer comes."""
    live_api.hold()
    try:
        submit_button(page).focus()
        page.keyboard.press("Enter")
        page.evaluate("() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))")
        expect_busy(page, what)
    finally:
        live_api.release()


def focused(page: Page) -> str:
    """The element that has the focus, as "<tag id=...>" ("<body>" when none has)."""
    return page.evaluate(
        """() => { const e = document.activeElement;
                   return e ? `<${e.tagName.toLowerCase()}${e.id ? ` id=${e.id}` : ""}>` : "<body>"; }"""
    )


def expect_focus_not_lost(page: Page, after: str) -> None:
    where = focused(page)
    assert where != "<body>", (
        f"after {after}, the focus fell to <body>: a keyboard or screen reader user starts again from the "
        "top of the page. Disabling the focused submit button takes the focus away: give it back once the "
        f"button is enabled again. {SEE_THE_PAGE}"
    )


def test_the_page_shows_it_is_busy_while_a_request_is_in_flight(live_api, page, open_page):
    open_with_a_bookmark(live_api, open_page, page)
    client = live_api.client
    with user_action(page, client, "sending a good bookmark, its answer held back"):
        fill_form(page, "https://example.com/slow", "A slow answer")
        send_held(page, live_api, "saving a bookmark")
        added = "the bookmark should be added once the answer comes"
        expect(bookmark_item(page, "A slow answer"), added).to_have_count(1)
        expect_not_busy(page, "a successful save")
    live_api.break_route("POST", "/bookmarks", "broken on purpose by the test")
    with user_action(page, client, "sending a bookmark while POST /bookmarks fails (500), its answer held back"):
        fill_form(page, "https://example.com/fails", "Fails on the server")
        send_held(page, live_api, "a save that fails")
        expect_error_in_words(page, "the page should show the 500's message")
        expect_not_busy(page, "an error (in finally, not only after a success)")
        expect_focus_not_lost(page, "a 500 sent with Enter on the submit button")
    live_api.mend()
    assert not page.errors, f"the page threw an uncaught JavaScript error: {page.errors}"


def test_a_422_marks_the_field_it_names_and_moves_the_focus_there(live_api, page, open_page):
    sent = {"url": NOT_A_WEB_LINK, "title": "Not a web link"}
    expected = expect_json(live_api.client.post("/bookmarks", json=sent))["detail"][0]["msg"]
    open_with_a_bookmark(live_api, open_page, page)
    url = field(page, "URL")
    with user_action(page, live_api.client, f"sending the form with the URL {NOT_A_WEB_LINK} (Enter on its button)"):
        fill_form(page, **sent)
        submit_button(page).focus()
        send(page, ("POST",), lambda: page.keyboard.press("Enter"), "Enter on the submit button", ok=False)
        expect_error_in_words(page, "the page should show the 422's message", expected)
        expect_not_busy(page, "a 422")
        expect(url, f'the 422 names the url: mark its field aria-invalid="true". {SEE_THE_PAGE}').to_have_attribute(
            "aria-invalid", "true"
        )
        for other in ("Title", "Description"):
            expect(field(page, other), f"the 422 names the url only, not the {other}").not_to_have_attribute(
                "aria-invalid", "true"
            )
        expect(url, f"after the 422 the cursor should be in the field to fix, not on {focused(page)}").to_be_focused()
    with user_action(page, live_api.client, "correcting the URL and sending the form again"):
        url.fill("https://example.com/corrected")
        page.keyboard.press("Enter")
        expect(bookmark_item(page, "Not a web link"), "the corrected bookmark should be added").to_have_count(1)
        expect(url, "once corrected and saved, the field should no longer be aria-invalid").not_to_have_attribute(
            "aria-invalid", "true"
        )
        expect_no_error_shown(page, "a successful save that follows a 422")
    assert not page.errors, f"the page threw an uncaught JavaScript error: {page.errors}"
