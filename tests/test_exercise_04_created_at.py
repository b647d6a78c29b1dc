"""Exercise 04 (created_at): the server stamps each bookmark with the time it was created.

    pytest tests/test_exercise_04_created_at.py --app=path/to/your/folder
"""

from datetime import datetime, timedelta, timezone

from workshop_checks import NEW_BOOKMARK, create_bookmark, expect_json, expect_status, list_bookmarks

REFERENCE = "exercises/04-created-at"


def created_at(bookmark) -> datetime:
    value = bookmark.get("created_at")
    assert isinstance(value, str), f"a bookmark should have a 'created_at' text, got: {bookmark!r}"
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise AssertionError(f"created_at should be an ISO 8601 date and time, got {value!r}") from None
    assert moment.tzinfo is not None, f"created_at should say its time zone (UTC), got {value!r}"
    return moment


def test_a_new_bookmark_has_the_time_it_was_created(client):
    before = datetime.now(timezone.utc)
    bookmark = create_bookmark(client)
    after = datetime.now(timezone.utc)
    assert before - timedelta(seconds=1) <= created_at(bookmark) <= after + timedelta(seconds=1), (
        f"created_at {bookmark['created_at']} is not the time of the POST ({before.isoformat()})"
    )


def test_the_client_cannot_choose_created_at(client):
    response = client.post("/bookmarks", json={**NEW_BOOKMARK, "created_at": "2000-01-01T00:00:00Z"})
    expect_status(response, 201)
    assert created_at(expect_json(response)).year != 2000, "created_at is the server's to set, not the client's"


def test_every_bookmark_in_the_list_has_one(client):
    for bookmark in list_bookmarks(client):
        created_at(bookmark)
