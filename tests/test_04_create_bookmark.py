"""Step 04: POST /bookmarks creates a bookmark (201), and the model rejects bad input (422)."""

import pytest

from api_model import STEP_OPERATIONS, check_against_model
from workshop_checks import (
    NEW_BOOKMARK,
    create_bookmark,
    expect_bookmark,
    expect_json,
    expect_status,
    expect_success,
    expect_validation_error,
    list_bookmarks,
    openapi_operation,
)


@pytest.mark.points(2)  # the step's main promise
def test_post_answers_201_with_the_new_bookmark(client):
    response = client.post("/bookmarks", json=NEW_BOOKMARK)
    expect_status(response, 201)
    expect_bookmark(expect_json(response), NEW_BOOKMARK)


def test_a_created_bookmark_can_be_read_back(client):
    created = create_bookmark(client)
    response = client.get(f"/bookmarks/{created['id']}")
    expect_status(response, 200)
    assert expect_json(response) == created, "GET should answer the bookmark exactly as POST did"
    assert created in list_bookmarks(client), "the new bookmark should be in GET /bookmarks"


def test_new_bookmarks_are_listed_last_in_the_order_they_were_created(client):
    before = list_bookmarks(client)
    first = create_bookmark(client, title="First")
    second = create_bookmark(client, title="Second")
    assert list_bookmarks(client) == [*before, first, second], (
        "GET /bookmarks should list the bookmarks oldest first: the ones it listed before, "
        "then the two new ones in the order they were created"
    )


def test_each_new_bookmark_gets_a_new_id(client):
    existing = {bookmark["id"] for bookmark in list_bookmarks(client)}
    first = create_bookmark(client, title="First")
    second = create_bookmark(client, title="Second")
    assert first["id"] != second["id"], f"two new bookmarks got the same id {first['id']}"
    assert not existing & {first["id"], second["id"]}, "a new bookmark took the id of an existing one"


def test_the_server_picks_the_id_not_the_client(client):
    existing = {bookmark["id"] for bookmark in list_bookmarks(client)}
    taken = min(existing, default=1)
    response = client.post("/bookmarks", json={**NEW_BOOKMARK, "id": taken})
    if 200 <= response.status_code < 300:
        assert expect_json(response)["id"] != taken, (
            "POST used the id the client sent and overwrote a bookmark: the server picks the id"
        )
    else:
        expect_status(response, 422)


def test_an_id_sent_for_the_next_bookmark_does_not_take_its_place(client):
    # A client that sends the id the server would give next must not make the next
    # POST overwrite its bookmark: the server picks every id from its own counter.
    next_id = max((bookmark["id"] for bookmark in list_bookmarks(client)), default=0) + 1
    response = client.post("/bookmarks", json={**NEW_BOOKMARK, "title": "Sent with an id", "id": next_id})
    if response.status_code == 422:
        return  # refusing a body with an id is fine too
    expect_success(response)
    with_id = expect_json(response)
    after = create_bookmark(client, title="Created after it")
    assert after["id"] != with_id["id"], (
        f"the bookmark sent with \"id\": {next_id} got the id {with_id['id']}, and the next POST got it again: "
        "ignore an id in the body (BookmarkIn has no id field) and take every id from the counter"
    )
    assert with_id in list_bookmarks(client), "the next POST overwrote the bookmark sent with an id"


def test_description_is_optional(client):
    sent = {"url": NEW_BOOKMARK["url"], "title": NEW_BOOKMARK["title"]}
    response = client.post("/bookmarks", json=sent)
    expect_success(response)
    assert not expect_json(response).get("description"), "a bookmark sent without description should have none"


@pytest.mark.one_app  # each case: its own refused request, its own answer
@pytest.mark.parametrize("field", ["url", "title"])
def test_a_missing_required_field_answers_422(client, field):
    sent = {key: value for key, value in NEW_BOOKMARK.items() if key != field}
    expect_validation_error(client.post("/bookmarks", json=sent), field)


@pytest.mark.one_app  # each case: its own refused request, its own answer
@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",  # would run code when the link is clicked
        "ftp://example.com/file.txt",
        "example.com",  # no scheme
        "not a url",
        "",
    ],
)
def test_only_http_and_https_urls_are_accepted(client, url):
    expect_validation_error(client.post("/bookmarks", json={**NEW_BOOKMARK, "url": url}), "url")


@pytest.mark.one_app  # each case: its own refused request, its own answer
@pytest.mark.parametrize("title", ["", "   "])
def test_an_empty_title_answers_422(client, title):
    expect_validation_error(client.post("/bookmarks", json={**NEW_BOOKMARK, "title": title}), "title")


@pytest.mark.one_app  # each case: its own refused request, its own answer
@pytest.mark.parametrize(
    "field, value",
    [
        ("title", 123),
        ("title", None),
        ("url", ["https://example.com"]),
        ("description", {"text": "nested"}),
    ],
)
def test_a_field_of_the_wrong_type_answers_422(client, field, value):
    expect_validation_error(client.post("/bookmarks", json={**NEW_BOOKMARK, field: value}), field)


@pytest.mark.one_app  # each case: its own refused request, its own answer
@pytest.mark.parametrize(
    "field, value",
    [
        ("title", "t" * 10_000),
        ("description", "d" * 100_000),
        ("url", "https://example.com/" + "a" * 10_000),
    ],
)
def test_absurdly_long_fields_answer_422(client, field, value):
    expect_validation_error(client.post("/bookmarks", json={**NEW_BOOKMARK, field: value}), field)


def test_fields_of_a_reasonable_length_are_accepted(client):
    create_bookmark(
        client,
        url="https://example.com/" + "a" * 200,
        title="t" * 100,
        description="d" * 500,
    )


def test_a_body_that_is_not_json_answers_422(client):
    response = client.post("/bookmarks", content=b"url=https://example.com", headers={"content-type": "text/plain"})
    expect_status(response, 422)


def test_openapi_documents_post_with_201(client):
    operation = openapi_operation(client, "POST", "/bookmarks")
    assert "201" in operation["responses"], (
        "/docs should show POST /bookmarks answering 201: use @app.post(..., status_code=201)"
    )


def test_a_series_of_requests_gets_the_answers_the_page_promises(client):
    """Series of requests, the same on every run, each answer compared with the rules
    in the page's box (see tests/api_model.py). A failure names the shortest series it
    found, e.g. "after POST A (id 3), POST B (id 4): then GET /bookmarks lists bookmark 4
    at place 3, expected bookmark 3 there"."""
    check_against_model(client, STEP_OPERATIONS["04"])
