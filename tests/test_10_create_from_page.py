"""Step 10: the page's form sends a new bookmark with POST, through fetch().

In Chromium, against the step's own API (CORS since step 09): first a bookmark
the API refuses (422), which the page must report in words in its
role="alert" element while the form keeps what the user typed; then a good
one, which must be in the API and on the page, next to the others, unchanged.
The scenario is page_checks.check_create, shared with steps 11 and 12.
"""

from page_checks import check_create


def test_the_form_creates_a_bookmark(live_api, page, open_page):
    check_create(page, live_api.client, open_page)
