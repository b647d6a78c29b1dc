"""Exercise 08 (count): the heading of the list says how many bookmarks there are.

    pytest tests/test_exercise_08_count.py --app=path/to/your/folder

The page is opened in Chromium. As in step 08's own suite, the test adds the
CORS headers around the API itself (step 09 is where the API learns to).
"""

import re

import pytest
from playwright.sync_api import expect

from workshop_checks import create_bookmark

REFERENCE = "exercises/08-count"


@pytest.fixture
def api(live_api, page_server):
    return live_api.restart(cors=[page_server.origin])


def count_heading(page, number: int):
    return page.get_by_role("heading", name=re.compile(rf"Your bookmarks \({number}\)"))


def test_the_heading_counts_the_bookmarks(api, open_page):
    page = open_page()
    expect(count_heading(page, 2), "the list's heading should say 'Your bookmarks (2)'").to_be_visible()


def test_the_count_is_the_apis(api, open_page):
    create_bookmark(api.client)
    page = open_page()
    expect(count_heading(page, 3), "with 3 bookmarks in the API, the heading should say (3)").to_be_visible()
