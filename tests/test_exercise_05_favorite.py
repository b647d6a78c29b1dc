"""Exercise 05 (favourite): a bookmark can be marked as a favourite with PATCH.

    pytest tests/test_exercise_05_favorite.py --app=path/to/your/folder
"""

from workshop_checks import create_bookmark, expect_json, expect_status, expect_validation_error

REFERENCE = "exercises/05-favorite"


def test_a_new_bookmark_is_not_a_favorite(client):
    assert create_bookmark(client).get("favorite") is False, "a new bookmark should have \"favorite\": false"


def test_patch_marks_a_favorite_and_keeps_the_rest(client):
    created = create_bookmark(client)
    response = client.patch(f"/bookmarks/{created['id']}", json={"favorite": True})
    expect_status(response, 200)
    assert expect_json(response) == {**created, "favorite": True}, (
        'PATCH {"favorite": true} should mark the bookmark and change nothing else'
    )
    again = client.patch(f"/bookmarks/{created['id']}", json={"favorite": False})
    assert expect_json(again)["favorite"] is False, 'PATCH {"favorite": false} should unmark it'


def test_favorite_must_be_true_or_false(client):
    created = create_bookmark(client)
    expect_validation_error(client.patch(f"/bookmarks/{created['id']}", json={"favorite": "very"}), "favorite")
