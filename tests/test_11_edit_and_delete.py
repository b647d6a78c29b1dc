"""Step 11: every bookmark on the page gets an Edit and a Delete button.

In Chromium, against the step's own API: Edit on the middle one of three
bookmarks fills the form with it, and saving a new title sends PUT (or PATCH)
and changes that bookmark only, every other field kept; Delete on the middle
one deletes that one and no other. After each action the page must show what
the API holds (page_checks.check_edit and check_delete, shared with step 12).
"""

from page_checks import check_delete, check_edit


def test_the_page_edits_a_bookmark(live_api, page, open_page):
    check_edit(page, live_api.client, open_page)


def test_the_page_deletes_a_bookmark(live_api, page, open_page):
    check_delete(page, live_api.client, open_page)
