"""Exercise 09 (total count): GET /bookmarks says in a header how many bookmarks there
are, and CORS lets the page read that header.

    pytest tests/test_exercise_09_total_count.py --app=path/to/your/folder
"""

import pytest

from workshop_checks import create_bookmark, expect_status

REFERENCE = "exercises/09-total-count"
PAGE = "http://127.0.0.1:5500"  # the page's origin, allowed by step 09's defaults


@pytest.fixture(autouse=True)
def default_origins(monkeypatch):
    monkeypatch.delenv("ALLOWED_ORIGINS", raising=False)


def test_the_list_says_how_many_in_x_total_count(client):
    response = client.get("/bookmarks")
    expect_status(response, 200)
    assert response.headers.get("x-total-count") == "2", (
        f"GET /bookmarks should answer the header X-Total-Count: 2, its headers are {dict(response.headers)}"
    )
    create_bookmark(client)
    assert client.get("/bookmarks").headers.get("x-total-count") == "3", "after a POST, X-Total-Count should be 3"


def test_the_page_may_read_the_header(client):
    response = client.get("/bookmarks", headers={"Origin": PAGE})
    exposed = [name.strip().lower() for name in response.headers.get("access-control-expose-headers", "").split(",")]
    assert "x-total-count" in exposed, (
        "the page's fetch() cannot see X-Total-Count: the answer should say "
        "Access-Control-Expose-Headers: X-Total-Count (CORSMiddleware's expose_headers)"
    )
