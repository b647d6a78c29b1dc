"""Exercise 10 (focus): after a bookmark is added, the cursor is back in the URL
field, ready for the next one.

    pytest tests/test_exercise_10_focus.py --app=path/to/your/folder

The page is opened in Chromium, against your API (with its CORS, from step 09).
"""

from playwright.sync_api import expect

from page_checks import bookmark_item, field, submit_form

REFERENCE = "exercises/10-focus"


def test_after_an_add_the_url_field_has_the_focus(live_api, open_page):
    page = open_page()
    submit_form(page, "https://example.com/", "Example")
    expect(bookmark_item(page, "Example"), "the new bookmark should show in the list").to_have_count(1)
    expect(field(page, "URL"), "after a bookmark is added, the URL field should be empty").to_have_value("")
    expect(field(page, "URL"), "after a bookmark is added, the cursor should be in the URL field").to_be_focused()
