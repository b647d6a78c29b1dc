"""Step 07: index.html, a form with labelled fields and a list, styled by its own CSS.

The page is served the way a learner serves it (a static server on another
port than the API), and looked at in a real browser. Two page loads: the
form, and the page around it.
"""

import re
from urllib.parse import urlsplit

from playwright.sync_api import expect

from page_checks import field, submit_button


def test_the_form_has_labelled_fields_that_the_browser_checks(live_api, open_page):
    """URL, Title and Description, a submit button, and the browser's own checks."""
    page = open_page()
    for label in ("URL", "Title", "Description"):
        expect(field(page, label), f"no field labelled '{label}': give every field a <label for=...>").to_be_editable()
    expect(submit_button(page), "the form needs a submit button inside the <form>").to_be_visible()

    url = field(page, "URL")
    url.fill("not a link")
    assert url.evaluate("input => input.matches(':invalid')"), (
        "the URL field accepts 'not a link': make it <input type=\"url\">, so the browser checks it"
    )
    for label in ("URL", "Title"):
        field(page, label).fill("")
        assert field(page, label).evaluate("input => input.validity.valueMissing"), (
            f"the form can be sent with an empty {label}: mark the field `required`, "
            "so the browser asks for it before anything is sent"
        )


def test_the_page_has_a_title_a_list_and_its_own_css(live_api, open_page, page):
    """A list (<ul> or <ol>) or a table for the bookmarks, a <title>, its own CSS,
    and nothing loaded from elsewhere (one file, no CDN)."""
    files = []  # what the page loads (its calls to the API, from step 08 on, are not files)
    page.on(
        "request",
        lambda request: files.append(request.url) if request.resource_type not in ("fetch", "xhr") else None,
    )
    open_page()
    lists = page.get_by_role("list").or_(page.get_by_role("table"))
    expect(lists, "the page needs a list (<ul> or <ol>) or a <table> for the bookmarks").not_to_have_count(0)
    expect(page, "give the page a <title>: the browser tab shows it").to_have_title(re.compile(r"\S"))
    assert page.locator("style").count() >= 1, "style the page with a <style> element inside it"
    here = urlsplit(page.url).netloc
    elsewhere = [url for url in files if urlsplit(url).scheme in ("http", "https") and urlsplit(url).netloc != here]
    assert not elsewhere, f"the page loads files from other sites: {elsewhere}; keep everything in index.html"
