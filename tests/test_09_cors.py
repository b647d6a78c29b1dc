"""Step 09: CORS. The API tells the browser which other origins' pages may read
its answers, and the page of step 08 loads the list for real.

First the headers themselves, over HTTP (no browser): the browser's
preflight (OPTIONS) for every method the page sends, a simple GET, and an
origin that is not on the list. Then the page in Chromium, served from another
origin than the API as the learner serves it; the API is the step's own, with
the test page's origin given in ALLOWED_ORIGINS. The preflights of POST, PUT and
DELETE are allowed now already: steps 10 and 11 send them from the page.
"""

import pytest

from page_checks import check_the_list_loads
from workshop_checks import create_bookmark, expect_status

# The page's origin as the docs tell the learner to open it, both spellings.
PAGE_ORIGINS = ["http://127.0.0.1:5500", "http://localhost:5500"]
FOREIGN_ORIGIN = "http://evil.example"

# What the page sends, each with what makes the browser ask first (a preflight).
PAGE_REQUESTS = [
    ("POST", "/bookmarks", "content-type"),
    ("PUT", "/bookmarks/1", "content-type"),
    ("DELETE", "/bookmarks/1", None),
]


@pytest.fixture
def cors_client(client):
    """The step's app as the learner starts it: no ALLOWED_ORIGINS in the environment."""
    return client


def preflight(client, origin: str, method: str, path: str, headers: str | None):
    request_headers = {"Origin": origin, "Access-Control-Request-Method": method}
    if headers:
        request_headers["Access-Control-Request-Headers"] = headers
    return client.options(path, headers=request_headers)


def allowed_origin(response) -> str | None:
    return response.headers.get("access-control-allow-origin")


@pytest.mark.one_app  # each case only asks (OPTIONS) and checks its own answer
@pytest.mark.parametrize("origin", PAGE_ORIGINS)
@pytest.mark.parametrize("method, path, headers", PAGE_REQUESTS)
def test_the_preflight_of_the_page_is_allowed(cors_client, origin, method, path, headers):
    response = preflight(cors_client, origin, method, path, headers)
    assert allowed_origin(response) == origin, (
        f"the browser asks OPTIONS {path} (Origin: {origin}) before it sends {method}; the API "
        f"answered {response.status_code} with Access-Control-Allow-Origin {allowed_origin(response)!r}: "
        "add CORSMiddleware with this origin in allow_origins"
    )
    methods = response.headers.get("access-control-allow-methods", "")
    assert response.status_code == 200, (
        f"the preflight of {method} {path} answered {response.status_code} {response.text!r} "
        f"(it allows the methods {methods!r}): allow {method} in allow_methods"
        + (" and the header Content-Type in allow_headers" if headers else "")
    )


@pytest.mark.one_app  # each case only reads, and checks its own answer
@pytest.mark.parametrize("origin", PAGE_ORIGINS)
def test_a_get_from_the_page_gets_its_origin_back(cors_client, origin):
    response = cors_client.get("/bookmarks", headers={"Origin": origin})
    expect_status(response, 200)
    assert allowed_origin(response) == origin, (
        f"GET /bookmarks from {origin} answered Access-Control-Allow-Origin {allowed_origin(response)!r}: "
        "the browser hands the page the answer only if it names the page's origin"
    )


def test_a_foreign_origin_is_not_allowed(cors_client):
    simple = cors_client.get("/bookmarks", headers={"Origin": FOREIGN_ORIGIN})
    asked = preflight(cors_client, FOREIGN_ORIGIN, "POST", "/bookmarks", "content-type")
    for response in (simple, asked):
        assert allowed_origin(response) is None, (
            f"a page from {FOREIGN_ORIGIN} got Access-Control-Allow-Origin {allowed_origin(response)!r}: "
            "list the allowed origins one by one, not '*'"
        )


def test_the_allowed_origins_come_from_the_environment(learner_app):
    origin = "http://127.0.0.1:7777"
    client = learner_app.restart(env={"ALLOWED_ORIGINS": origin}).client
    response = preflight(client, origin, "POST", "/bookmarks", "content-type")
    assert allowed_origin(response) == origin, (
        f"with ALLOWED_ORIGINS={origin}, a preflight from {origin} answered "
        f"Access-Control-Allow-Origin {allowed_origin(response)!r}: read the list from os.environ"
    )


def test_the_api_still_answers_without_an_origin(client):
    """curl and scripts send no Origin: CORS changes nothing for them."""
    create_bookmark(client)


# --- In the browser ----------------------------------------------------------

def test_the_page_lists_the_bookmarks_on_load(live_api, page, open_page):
    check_the_list_loads(page, live_api.client, open_page)

