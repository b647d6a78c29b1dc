"""Exercise 03 (count): GET /bookmarks/count answers how many bookmarks there are.

    pytest tests/test_exercise_03_count.py --app=path/to/your/folder
"""

from workshop_checks import expect_json, expect_status, list_bookmarks

REFERENCE = "exercises/03-count"


def test_count_answers_the_number_of_bookmarks(client):
    response = client.get("/bookmarks/count")
    if response.status_code == 422:
        raise AssertionError(
            "GET /bookmarks/count answered 422: FastAPI took 'count' for a bookmark id. "
            "Declare the /bookmarks/count route before /bookmarks/{bookmark_id}"
        )
    expect_status(response, 200)
    assert expect_json(response) == {"count": len(list_bookmarks(client))}, (
        f'GET /bookmarks/count should answer {{"count": {len(list_bookmarks(client))}}}'
    )


def test_one_bookmark_by_id_still_works(client):
    expect_status(client.get("/bookmarks/1"), 200)
