"""Exercise 12 (favourite): mark a bookmark as a favourite from the page, with PATCH.

    pytest tests/test_exercise_12_favorite.py --app=path/to/your/folder

The folder holds your main.py (with the `favorite` field) and your index.html
(with a "Favourite" toggle button on each bookmark). The page runs in Chromium
against your API.
"""

import re

from playwright.sync_api import expect

from page_checks import bookmark_item, field, submit_button

REFERENCE = "exercises/12-favorite"
FAVORITE = re.compile(r"favou?rite", re.IGNORECASE)


def favorite_button(page, title: str):
    return bookmark_item(page, title).get_by_role("button", name=FAVORITE)


def test_each_bookmark_has_a_favourite_toggle(live_api, open_page):
    page = open_page()
    button = favorite_button(page, "FastAPI")
    expect(button, "each bookmark needs a button named 'Favourite'").to_have_count(1)
    expect(button, "give the button aria-pressed=\"false\" while the bookmark is not a favourite").to_have_attribute(
        "aria-pressed", "false"
    )


def test_a_click_marks_it_and_the_api_keeps_it(live_api, open_page):
    page = open_page()
    with page.expect_request(lambda request: request.method == "PATCH") as sent:
        favorite_button(page, "FastAPI").click()
    assert sent.value.post_data_json == {"favorite": True}, (
        f'the click should send PATCH with the body {{"favorite": true}}, it sent {sent.value.post_data!r}'
    )
    expect(favorite_button(page, "FastAPI")).to_have_attribute("aria-pressed", "true")
    page.reload()  # what the page shows now comes from the API
    still = "after a reload the bookmark should still be a favourite"
    expect(favorite_button(page, "FastAPI"), still).to_have_attribute("aria-pressed", "true")
    favorite_button(page, "FastAPI").click()
    unmarked = "a second click should unmark it"
    expect(favorite_button(page, "FastAPI"), unmarked).to_have_attribute("aria-pressed", "false")


def test_editing_a_favourite_keeps_its_star(live_api, open_page):
    page = open_page()
    favorite_button(page, "FastAPI").click()
    expect(favorite_button(page, "FastAPI")).to_have_attribute("aria-pressed", "true")
    bookmark_item(page, "FastAPI").get_by_role("button", name="Edit").click()
    expect(field(page, "Title")).to_have_value("FastAPI")
    field(page, "Title").fill("FastAPI docs")
    submit_button(page).click()
    expect(
        favorite_button(page, "FastAPI docs"),
        "after an edit the bookmark lost its star: a PUT replaces every field, send the edit with PATCH",
    ).to_have_attribute("aria-pressed", "true")
