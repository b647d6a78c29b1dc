"""Step 07: index.html, a form with labelled fields and a list, styled by its own CSS.

The page is served the way a learner serves it (a static server on another
port than the API), and looked at in a real browser.
"""

import re
from urllib.parse import urlsplit

from playwright.sync_api import expect

from page_checks import field, submit_button


def test_the_form_has_a_labelled_field_for_each_bookmark_field(live_api, open_page):
    page = open_page()
    for label in ("URL", "Title", "Description"):
        expect(field(page, label), f"no field labelled '{label}': give every field a <label for=...>").to_be_editable()


def test_the_url_field_accepts_only_urls(live_api, open_page):
    page = open_page()
    url = field(page, "URL")
    url.fill("not a link")
    assert not url.evaluate("input => input.checkValidity()"), (
        "the URL field accepts 'not a link': make it <input type=\"url\">, so the browser checks it"
    )


def test_the_form_has_a_submit_button(live_api, open_page):
    page = open_page()
    expect(submit_button(page), "the form needs a button that submits it").to_be_visible()


def test_the_page_has_a_list_for_the_bookmarks(live_api, open_page):
    page = open_page()
    expect(page.get_by_role("list"), "the page needs a list (<ul>) for the bookmarks").to_have_count(1)


def test_the_page_has_a_title(live_api, open_page):
    page = open_page()
    expect(page, "give the page a <title>: the browser tab shows it").to_have_title(re.compile(r"\S"))


def test_the_page_loads_nothing_from_elsewhere(live_api, open_page, page, page_server):
    """One file: the CSS is in the page, and nothing comes from a CDN."""
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    open_page()
    allowed = {urlsplit(page_server.origin).netloc, "127.0.0.1:8000", "localhost:8000"}  # as the browser sees them
    elsewhere = [url for url in requested if urlsplit(url).netloc not in allowed]
    assert not elsewhere, f"the page loads files from other sites: {elsewhere}"
    assert page.locator("style").count() >= 1, "style the page with a <style> element inside it"
