"""Exercise 06 (sort): GET /bookmarks?sort=title lists the bookmarks in alphabetical order.

    pytest tests/test_exercise_06_sort.py --app=path/to/your/folder
"""

from workshop_checks import create_bookmark, expect_json, expect_status

REFERENCE = "exercises/06-sort"


def listed(client, **params):
    response = client.get("/bookmarks", params=params)
    expect_status(response, 200)
    return expect_json(response)


def test_sort_by_title_ignores_case(client):
    for title in ["banana", "Apple", "cherry"]:
        create_bookmark(client, title=title)
    titles = [bookmark["title"] for bookmark in listed(client, sort="title")]
    assert titles == sorted(titles, key=str.casefold), f"?sort=title answered the titles in this order: {titles}"


def test_sort_by_id_and_no_sort_keep_the_order_of_creation(client):
    create_bookmark(client, title="Aardvark")
    ids = [bookmark["id"] for bookmark in listed(client, sort="id")]
    assert ids == sorted(ids), f"?sort=id answered the ids in this order: {ids}"
    assert listed(client) == listed(client, sort="id"), "without ?sort the order should be by id"


def test_an_unknown_sort_answers_422(client):
    response = client.get("/bookmarks", params={"sort": "colour"})
    expect_status(response, 422)
