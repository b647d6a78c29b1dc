"""Exercise 13 (announce): after a success, the page says what it did, in an
element with role="status" (a screen reader reads it out): "Bookmark added.",
"Bookmark deleted."; the words go with the next action, and a failure adds none.

    pytest tests/test_exercise_13_announce.py --app=path/to/your/folder

The page is opened in Chromium, against your API (with its CORS, from step 09).
"""

import re

from playwright.sync_api import expect

from page_checks import NOT_A_WEB_LINK, bookmark_item, error_message, submit_form

REFERENCE = "exercises/13-announce"


def said(page, word: str):
    """The role="status" elements that say `word` ("added"), visible."""
    return page.get_by_role("status").filter(has_text=re.compile(rf"\b{word}\b", re.IGNORECASE)).filter(visible=True)


def test_a_success_is_announced_until_the_next_action(live_api, open_page):
    page = open_page()
    submit_form(page, "https://example.com/announced", "Announced")
    expect(bookmark_item(page, "Announced"), "the new bookmark should show in the list").to_have_count(1)
    announced = 'after a bookmark is added, a role="status" element should say "Bookmark added."'
    expect(said(page, "added"), announced).to_have_count(1)

    bookmark_item(page, "Announced").get_by_role("button", name="Delete").click()
    expect(bookmark_item(page, "Announced"), "the deleted bookmark should leave the list").to_have_count(0)
    announced = 'after a delete, a role="status" element should say "Bookmark deleted."'
    expect(said(page, "deleted"), announced).to_have_count(1)
    expect(said(page, "added"), '"Bookmark added." should go with the next action').to_have_count(0)

    submit_form(page, NOT_A_WEB_LINK, "Refused")
    expect(error_message(page).filter(has_text=re.compile(r"\S")).first, "the 422 should be shown").to_be_visible()
    gone = "after a failed save, the last success should no longer be announced"
    expect(said(page, "deleted"), gone).to_have_count(0)
    expect(said(page, "added"), 'a failed save should not say "Bookmark added."').to_have_count(0)
