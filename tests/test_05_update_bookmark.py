"""Step 05: PUT replaces a whole bookmark, PATCH changes only the fields sent; both 404 on an unknown id."""

import pytest

from api_model import STEP_OPERATIONS, check_against_model
from workshop_checks import (
    NEW_BOOKMARK,
    ONE_BOOKMARK,
    create_bookmark,
    expect_json,
    expect_not_found,
    expect_status,
    expect_success,
    expect_validation_error,
    list_bookmarks,
    openapi_operation,
    unknown_id,
)

REPLACEMENT = {"url": "https://example.com/replaced", "title": "Replaced"}


def read_back(client, bookmark_id: int) -> dict:
    response = client.get(f"/bookmarks/{bookmark_id}")
    expect_success(response)
    return expect_json(response)


def test_put_replaces_the_whole_bookmark(client):
    created = create_bookmark(client, description="This description goes away")
    response = client.put(f"/bookmarks/{created['id']}", json=REPLACEMENT)
    expect_status(response, 200)
    replaced = expect_json(response)
    assert replaced["id"] == created["id"], "PUT must keep the bookmark's id"
    assert replaced["url"] == REPLACEMENT["url"] and replaced["title"] == REPLACEMENT["title"]
    assert not replaced.get("description"), (
        "PUT replaces the whole bookmark: a description left out of the body is gone, not kept"
    )
    assert read_back(client, created["id"]) == replaced, "GET should answer the replaced bookmark"


@pytest.mark.points(2)  # the step's main promise
def test_put_on_an_unknown_id_answers_404_and_creates_nothing(client):
    missing = unknown_id(client)
    count_before = len(list_bookmarks(client))
    expect_not_found(client.put(f"/bookmarks/{missing}", json=REPLACEMENT))
    expect_status(client.get(f"/bookmarks/{missing}"), 404)
    assert len(list_bookmarks(client)) == count_before, "PUT on an unknown id must not create a bookmark"


def test_put_keeps_the_id_from_the_path(client):
    created = create_bookmark(client)
    response = client.put(f"/bookmarks/{created['id']}", json={**REPLACEMENT, "id": created["id"] + 500})
    if 200 <= response.status_code < 300:
        assert expect_json(response)["id"] == created["id"], "the id comes from the path, not from the body"
    else:
        expect_status(response, 422)


@pytest.mark.one_app  # each case: its own refused request, its own answer
@pytest.mark.parametrize("field", ["url", "title"])
def test_put_needs_every_required_field(client, field):
    created = create_bookmark(client)
    sent = {key: value for key, value in NEW_BOOKMARK.items() if key != field}
    expect_validation_error(client.put(f"/bookmarks/{created['id']}", json=sent), field)


def test_put_checks_the_url_like_post(client):
    created = create_bookmark(client)
    response = client.put(f"/bookmarks/{created['id']}", json={**REPLACEMENT, "url": "javascript:alert(1)"})
    expect_validation_error(response, "url")
    assert read_back(client, created["id"]) == created, "a rejected PUT must leave the bookmark as it was"


def test_patch_changes_only_the_fields_sent(client):
    created = create_bookmark(client)
    response = client.patch(f"/bookmarks/{created['id']}", json={"title": "Only the title changes"})
    expect_status(response, 200)
    patched = expect_json(response)
    assert patched == {**created, "title": "Only the title changes"}, (
        f"PATCH should change the title and keep every other field; got {patched!r}"
    )
    assert read_back(client, created["id"]) == patched, "GET should answer the patched bookmark"


def test_patch_with_an_empty_body_changes_nothing(client):
    created = create_bookmark(client)
    response = client.patch(f"/bookmarks/{created['id']}", json={})
    expect_success(response)
    assert expect_json(response) == created, "PATCH with {} should leave the bookmark as it was"


def test_patch_on_an_unknown_id_answers_404(client):
    expect_not_found(client.patch(f"/bookmarks/{unknown_id(client)}", json={"title": "Nobody"}))


@pytest.mark.one_app  # each case: its own refused request, its own answer
@pytest.mark.parametrize(
    "field, value",
    [
        ("url", "javascript:alert(1)"),
        ("title", ""),
        ("title", "   "),  # only spaces: empty, as in POST
        ("title", "t" * 10_000),
        ("description", "d" * 100_000),
    ],
)
def test_patch_checks_the_fields_it_is_sent(client, field, value):
    created = create_bookmark(client)
    expect_validation_error(client.patch(f"/bookmarks/{created['id']}", json={field: value}), field)
    assert read_back(client, created["id"]) == created, "a rejected PATCH must leave the bookmark as it was"


@pytest.mark.one_app  # each case: its own refused request, its own answer
@pytest.mark.parametrize("field", ["url", "title"])
def test_patch_refuses_null_for_url_and_title(client, field):
    # A bookmark has no "no url" or "no title": null is refused, as POST refuses it.
    # Leave a field out to keep it.
    created = create_bookmark(client)
    expect_validation_error(client.patch(f"/bookmarks/{created['id']}", json={field: None}), field)
    assert read_back(client, created["id"]) == created, "a rejected PATCH must leave the bookmark as it was"


def test_patch_with_a_null_description_refuses_it_or_empties_it(client):
    created = create_bookmark(client, description="Some words")
    response = client.patch(f"/bookmarks/{created['id']}", json={"description": None})
    if response.status_code == 422:
        assert read_back(client, created["id"]) == created, "a rejected PATCH must leave the bookmark as it was"
        return
    expect_success(response)
    assert not expect_json(response).get("description"), (
        'PATCH {"description": null} kept the description: refuse null with 422 (as POST does), '
        "or take it to mean an empty description; never ignore it"
    )


def test_patch_ignores_an_id_in_the_body(client):
    created = create_bookmark(client)
    response = client.patch(f"/bookmarks/{created['id']}", json={"title": "Same id", "id": created["id"] + 500})
    if response.status_code == 422:
        return  # refusing a body with an id is fine too
    expect_success(response)
    assert expect_json(response)["id"] == created["id"], "the id comes from the path, not from the body"
    expect_not_found(client.get(f"/bookmarks/{created['id'] + 500}"))


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_an_edited_bookmark_keeps_its_place_in_the_list(client, method):
    first = create_bookmark(client, title="First")
    create_bookmark(client, title="Second")
    before = [bookmark["id"] for bookmark in list_bookmarks(client)]
    body = REPLACEMENT if method == "PUT" else {"title": "First, edited"}
    expect_success(getattr(client, method.lower())(f"/bookmarks/{first['id']}", json=body))
    after = [bookmark["id"] for bookmark in list_bookmarks(client)]
    assert after == before, (
        f"after {method} /bookmarks/{first['id']} the list's ids are in the order {after}, before they were "
        f"{before}: an edit keeps the bookmark where it was (store it under the same key, do not delete and add it)"
    )


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_openapi_lists_put_and_patch(client, method):
    openapi_operation(client, method, ONE_BOOKMARK)


def test_a_series_of_requests_gets_the_answers_the_page_promises(client):
    """Series of requests, the same on every run, each answer compared with the rules
    in the page's box (see tests/api_model.py). A failure names the shortest series it
    found, e.g. "after POST A (id 3), POST B (id 4): then GET /bookmarks lists bookmark 4
    at place 3, expected bookmark 3 there"."""
    check_against_model(client, STEP_OPERATIONS["05"])
