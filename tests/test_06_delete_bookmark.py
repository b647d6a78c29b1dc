"""Step 06: DELETE /bookmarks/{id} answers 200 with a message; the bookmark is gone, its id never reused."""

import pytest

from api_model import STEP_OPERATIONS, check_against_model
from workshop_checks import (
    ONE_BOOKMARK,
    create_bookmark,
    expect_json,
    expect_not_found,
    expect_status,
    expect_success,
    list_bookmarks,
    openapi_operation,
    unknown_id,
)


def test_delete_answers_200_with_a_json_message(client):
    created = create_bookmark(client)
    response = client.delete(f"/bookmarks/{created['id']}")
    expect_status(response, 200)
    body = expect_json(response)
    assert isinstance(body, dict) and isinstance(body.get("message"), str) and body["message"], (
        f'DELETE should confirm with a JSON message such as {{"message": "Bookmark deleted"}}, got: {body!r}'
    )


@pytest.mark.points(2)  # the step's main promise
def test_a_deleted_bookmark_is_gone(client):
    created = create_bookmark(client)
    expect_success(client.delete(f"/bookmarks/{created['id']}"))
    expect_not_found(client.get(f"/bookmarks/{created['id']}"))
    assert created["id"] not in [b["id"] for b in list_bookmarks(client)], "the deleted bookmark is still listed"


def test_delete_leaves_the_other_bookmarks_alone(client):
    removed = create_bookmark(client, title="Removed")
    kept = create_bookmark(client, title="Kept")  # the newest: a delete of another must not touch it
    before = list_bookmarks(client)
    expect_success(client.delete(f"/bookmarks/{removed['id']}"))
    assert list_bookmarks(client) == [b for b in before if b["id"] != removed["id"]], (
        "DELETE should remove that one bookmark and nothing else"
    )
    assert kept in list_bookmarks(client)


def test_deleting_twice_answers_404(client):
    created = create_bookmark(client)
    expect_success(client.delete(f"/bookmarks/{created['id']}"))
    expect_not_found(client.delete(f"/bookmarks/{created['id']}"))


def test_deleting_an_unknown_id_answers_404(client):
    expect_not_found(client.delete(f"/bookmarks/{unknown_id(client)}"))


def test_an_id_is_never_reused_after_a_delete(client):
    create_bookmark(client, title="Stays")
    newest = create_bookmark(client, title="Deleted")
    expect_success(client.delete(f"/bookmarks/{newest['id']}"))
    after = create_bookmark(client, title="After the delete")
    assert after["id"] != newest["id"], (
        f"the id {newest['id']} was given again after its bookmark was deleted: "
        "take new ids from a counter, not from the list's length or its largest id"
    )


def test_openapi_lists_delete(client):
    openapi_operation(client, "DELETE", ONE_BOOKMARK)


def test_a_series_of_requests_gets_the_answers_the_page_promises(client):
    """Series of requests, the same on every run, each answer compared with the rules
    in the page's box (see tests/api_model.py). A failure names the shortest series it
    found, e.g. "after POST A (id 3), POST B (id 4): then GET /bookmarks lists bookmark 4
    at place 3, expected bookmark 3 there"."""
    check_against_model(client, STEP_OPERATIONS["06"])
