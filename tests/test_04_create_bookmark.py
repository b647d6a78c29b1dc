"""Step 04: POST /bookmarks creates a bookmark (201), and the model rejects bad input (422)."""

import pytest

from workshop_checks import (
    NEW_BOOKMARK,
    create_bookmark,
    expect_json,
    expect_status,
    expect_validation_error,
    list_bookmarks,
    openapi_operation,
)


@pytest.mark.points(2)  # the step's main promise
def test_post_answers_201_with_the_new_bookmark(client):
    create_bookmark(client)  # checks the 201 and the body


def test_a_created_bookmark_can_be_read_back(client):
    created = create_bookmark(client)
    response = client.get(f"/bookmarks/{created['id']}")
    expect_status(response, 200)
    assert expect_json(response) == created, "GET should answer the bookmark exactly as POST did"
    assert created in list_bookmarks(client), "the new bookmark should be in GET /bookmarks"


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
    if response.status_code == 201:
        assert expect_json(response)["id"] != taken, (
            "POST used the id the client sent and overwrote a bookmark: the server picks the id"
        )
    else:
        expect_status(response, 422)


def test_description_is_optional(client):
    sent = {"url": NEW_BOOKMARK["url"], "title": NEW_BOOKMARK["title"]}
    response = client.post("/bookmarks", json=sent)
    expect_status(response, 201)
    assert not expect_json(response).get("description"), "a bookmark sent without description should have none"


@pytest.mark.parametrize("field", ["url", "title"])
def test_a_missing_required_field_answers_422(client, field):
    sent = {key: value for key, value in NEW_BOOKMARK.items() if key != field}
    expect_validation_error(client.post("/bookmarks", json=sent), field)


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


@pytest.mark.parametrize("title", ["", "   "])
def test_an_empty_title_answers_422(client, title):
    expect_validation_error(client.post("/bookmarks", json={**NEW_BOOKMARK, "title": title}), "title")


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
