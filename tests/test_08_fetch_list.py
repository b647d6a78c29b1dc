"""Step 08: the page's JavaScript asks the API for the list with fetch() and
shows it.

Served from another origin, as the learner serves it, the browser blocks the
call: the step's API has no CORS headers yet, and the page says it could not
load. That is the lesson of this step, and step 09's fix.

That the fetch code itself is right is shown with the barrier taken out of
the picture: the test has the app host wrap the step's app in Starlette's
CORSMiddleware (the step's code is not changed), and then the list must load
and show exactly what the API holds, as text (page_checks has the scenario,
shared with 09 to 12).
"""

import pytest
from playwright.sync_api import expect

from page_checks import check_the_list_loads, error_message


def test_cross_origin_the_browser_blocks_the_api(live_api, open_page, page, page_server):
    """What the learner sees at the end of step 08: a CORS error in the Console."""
    allowed = live_api.client.get("/bookmarks", headers={"Origin": page_server.origin})
    if allowed.headers.get("access-control-allow-origin"):
        pytest.skip("this app already lets the page in (CORS, step 09): the block of step 08 is behind it")
    with page.expect_console_message(lambda message: "blocked by CORS policy" in message.text):
        open_page()
    expect(error_message(page), "the page should tell the user that the bookmarks could not load").not_to_be_empty()


@pytest.fixture
def api(live_api, page_server):
    """The step's API, with the CORS headers added around it by the test."""
    return live_api.restart(cors=[page_server.origin])


def test_the_page_lists_the_bookmarks_on_load(api, page, open_page):
    check_the_list_loads(page, api.client, open_page)
