"""Checks shared by the suites. Each failure message says, in plain words,
what the app answered and what was expected, so a learner can act on it."""

import re

# A bookmark that every version of the app accepts.
NEW_BOOKMARK = {
    "url": "https://docs.python.org/3/tutorial/",
    "title": "The Python Tutorial",
    "description": "Start here when Python is new to you.",
}


def _short(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[:limit] + "..."


def expect_status(response, expected: int) -> None:
    """Fail with e.g. "POST /bookmarks answered 200, expected 201" unless the status is right."""
    request = response.request
    assert response.status_code == expected, (
        f"{request.method} {request.url.path} answered {response.status_code}, "
        f"expected {expected}. Body: {_short(response.text)}"
    )


def expect_success(response) -> None:
    """Any 2xx: for a request that only prepares a test (the test of that route checks its exact status)."""
    request = response.request
    assert 200 <= response.status_code < 300, (
        f"{request.method} {request.url.path} answered {response.status_code}, expected a success (2xx). "
        f"Body: {_short(response.text)}"
    )


def expect_json(response):
    """The JSON body of the response; fails when there is none."""
    request = response.request
    content_type = response.headers.get("content-type", "")
    assert content_type.startswith("application/json"), (
        f"{request.method} {request.url.path} answered with {content_type or 'no content type'}, "
        f"expected JSON. Body: {_short(response.text)}"
    )
    return response.json()


def expect_validation_error(response, field: str) -> None:
    """422 with FastAPI's error body, naming the field that was wrong."""
    expect_status(response, 422)
    errors = expect_json(response).get("detail")
    assert isinstance(errors, list) and errors, (
        f"a 422 should carry FastAPI's error list in 'detail', got: {_short(response.text)}"
    )
    fields = [str(error.get("loc", [])[-1]) for error in errors if error.get("loc")]
    assert field in fields, (
        f"the 422 should name the field '{field}' as wrong, but it names {fields or 'nothing'}"
    )


def expect_not_found(response) -> None:
    """404 with FastAPI's usual body: {"detail": "<a sentence>"}, e.g. "Bookmark not found"."""
    expect_status(response, 404)
    body = expect_json(response)
    detail = body.get("detail") if isinstance(body, dict) else None
    assert isinstance(detail, str) and detail.strip(), (
        f'a 404 should explain itself in JSON such as {{"detail": "Bookmark not found"}} '
        f"(raise HTTPException(status_code=404, detail=...)), got: {_short(response.text)}"
    )


def expect_bookmark(body, sent: dict) -> None:
    """The body is a bookmark with an integer id and the fields that were sent."""
    assert isinstance(body, dict), f"expected a bookmark object, got: {body!r}"
    assert isinstance(body.get("id"), int), f"a bookmark needs an integer 'id', got: {body!r}"
    for field, value in sent.items():
        assert body.get(field) == value, (
            f"the bookmark's '{field}' is {body.get(field)!r}, expected {value!r}"
        )


def create_bookmark(client, **changes) -> dict:
    """Create a bookmark through the API (NEW_BOOKMARK with `changes`) and return it.
    Any success will do here: test_04's own test checks that POST answers 201."""
    sent = {**NEW_BOOKMARK, **changes}
    response = client.post("/bookmarks", json=sent)
    expect_success(response)
    body = expect_json(response)
    expect_bookmark(body, sent)
    return body


def list_bookmarks(client) -> list:
    """GET /bookmarks; any success will do here: test_02 checks its 200."""
    response = client.get("/bookmarks")
    expect_success(response)
    body = expect_json(response)
    assert isinstance(body, list), f"GET /bookmarks should answer a JSON array, got: {body!r}"
    return body


def unknown_id(client) -> int:
    """An id that no bookmark has."""
    return max((bookmark["id"] for bookmark in list_bookmarks(client)), default=0) + 1000


def openapi_operation(client, method: str, path_pattern: str):
    """The OpenAPI operation for `method` on the path matching path_pattern (a regex)."""
    response = client.get("/openapi.json")
    expect_status(response, 200)
    paths = expect_json(response).get("paths", {})
    for path, operations in paths.items():
        if re.fullmatch(path_pattern, path) and method.lower() in operations:
            return operations[method.lower()]
    raise AssertionError(
        f"/openapi.json lists no {method.upper()} route matching {path_pattern}; "
        f"it lists: {sorted(paths)}"
    )


# The path of one bookmark, whatever the learner named the parameter.
ONE_BOOKMARK = r"/bookmarks/\{[^}/]+\}"
