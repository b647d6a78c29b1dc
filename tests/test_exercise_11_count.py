"""Exercise 11 (count): the heading of the list says how many bookmarks there are,
after every add and delete.

    pytest tests/test_exercise_11_count.py --app=path/to/your/folder

The page is opened in Chromium, against your API (with its CORS, from step 09).
"""

import re

from playwright.sync_api import expect

from page_checks import bookmark_item, submit_form

REFERENCE = "exercises/11-count"


def count_heading(page, number: int):
    return page.get_by_role("heading", name=re.compile(rf"Your bookmarks \({number}\)"))


def test_the_heading_counts_the_bookmarks(live_api, open_page):
    page = open_page()
    expect(count_heading(page, 2), "the list's heading should say 'Your bookmarks (2)'").to_be_visible()


def test_the_count_follows_an_add_and_a_delete(live_api, open_page):
    page = open_page()
    expect(count_heading(page, 2)).to_be_visible()
    submit_form(page, "https://example.com/", "Example")
    expect(count_heading(page, 3), "after adding a bookmark, the heading should say (3)").to_be_visible()
    bookmark_item(page, "Example").get_by_role("button", name="Delete").click()
    expect(count_heading(page, 2), "after deleting it, the heading should say (2) again").to_be_visible()
