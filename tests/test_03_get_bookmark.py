"""Step 03: GET /bookmarks/{id} answers one bookmark, 404 for an unknown id, 422 for a non-integer."""

import pytest

from workshop_checks import (
    ONE_BOOKMARK,
    expect_json,
    expect_not_found,
    expect_status,
    expect_validation_error,
    list_bookmarks,
    openapi_operation,
    unknown_id,
)


def test_each_listed_bookmark_can_be_fetched_by_its_id(client):
    for bookmark in list_bookmarks(client):
        response = client.get(f"/bookmarks/{bookmark['id']}")
        expect_status(response, 200)
        assert expect_json(response) == bookmark, (
            f"GET /bookmarks/{bookmark['id']} should answer the same bookmark as the list"
        )


@pytest.mark.points(2)  # the step's main promise
def test_an_unknown_id_answers_404(client):
    expect_not_found(client.get(f"/bookmarks/{unknown_id(client)}"))


def test_an_id_that_is_not_a_number_answers_422(client):
    expect_validation_error(client.get("/bookmarks/abc"), path_parameter_name(client))


def test_openapi_lists_the_route_with_an_integer_id(client):
    operation = openapi_operation(client, "GET", ONE_BOOKMARK)
    parameter = operation["parameters"][0]
    assert parameter["in"] == "path" and parameter["schema"].get("type") == "integer", (
        "the id in /bookmarks/{id} should be typed `int`, so FastAPI checks it"
    )


def path_parameter_name(client) -> str:
    """The name the app gave the path parameter (bookmark_id, id, ...)."""
    return openapi_operation(client, "GET", ONE_BOOKMARK)["parameters"][0]["name"]
