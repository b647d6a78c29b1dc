"""Step 02: GET /bookmarks answers a JSON array of bookmarks, starting with samples."""

from workshop_checks import expect_json, expect_status, list_bookmarks, openapi_operation

FIELDS = {"id", "url", "title", "description"}


def test_list_answers_a_json_array_of_sample_bookmarks(client):
    response = client.get("/bookmarks")
    expect_status(response, 200)
    bookmarks = expect_json(response)
    assert isinstance(bookmarks, list), f"GET /bookmarks should answer a JSON array, got: {bookmarks!r}"
    assert bookmarks, "GET /bookmarks answered an empty list: start the store with a couple of sample bookmarks"


def test_every_bookmark_has_id_url_title_and_description(client):
    for bookmark in list_bookmarks(client):
        assert isinstance(bookmark, dict), f"each item should be a bookmark object, got: {bookmark!r}"
        missing = FIELDS - bookmark.keys()
        assert not missing, f"the bookmark {bookmark!r} has no {', '.join(sorted(missing))}"
        assert isinstance(bookmark["id"], int), f"an id should be an integer, got: {bookmark['id']!r}"
        assert isinstance(bookmark["url"], str) and isinstance(bookmark["title"], str), (
            f"url and title should be text, got: {bookmark!r}"
        )


def test_the_list_is_the_same_on_every_request(client):
    first, second = list_bookmarks(client), list_bookmarks(client)
    assert first == second, (
        "two GET /bookmarks in a row answered different lists (another order?): "
        "list the bookmarks in the order they were created, e.g. `list(bookmarks.values())` of a dict"
    )


def test_bookmark_ids_are_unique(client):
    ids = [bookmark["id"] for bookmark in list_bookmarks(client)]
    assert len(ids) == len(set(ids)), f"two bookmarks share an id: {ids}"


def test_openapi_documents_the_list_as_an_array_of_bookmarks(client):
    operation = openapi_operation(client, "GET", "/bookmarks")
    schema = operation["responses"]["200"].get("content", {}).get("application/json", {}).get("schema", {})
    assert schema.get("type") == "array" and "$ref" in schema.get("items", {}), (
        "/docs should show that GET /bookmarks returns a list of Bookmark models: "
        "give the route a return type such as `-> list[Bookmark]`"
    )
