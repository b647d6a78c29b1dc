"""Exercise 02 (search): GET /bookmarks?search=word lists only the bookmarks that mention it.

    pytest tests/test_exercise_02_search.py --app=path/to/your/folder
"""

from workshop_checks import expect_json, expect_status, list_bookmarks

REFERENCE = "exercises/02-search"


def search(client, word):
    response = client.get("/bookmarks", params={"search": word})
    expect_status(response, 200)
    body = expect_json(response)
    assert isinstance(body, list), f"GET /bookmarks?search={word} should answer a JSON array, got {body!r}"
    return body


def test_search_finds_a_word_of_the_title(client):
    found = search(client, "FastAPI")
    assert found and all("fastapi" in str(bookmark).lower() for bookmark in found)
    assert len(found) < len(list_bookmarks(client)), (
        "?search=FastAPI answered every bookmark: the list should keep only those that mention it"
    )


def test_search_ignores_upper_and_lower_case(client):
    assert search(client, "fetch") == search(client, "FETCH") != [], (
        "?search=fetch and ?search=FETCH should find the same bookmarks (the MDN one)"
    )


def test_search_looks_in_the_description_too(client):
    titles = [bookmark["title"] for bookmark in search(client, "web page talks")]
    assert titles == ["MDN: Using the Fetch API"], f"?search=web page talks found {titles}"


def test_a_word_nowhere_finds_nothing(client):
    assert search(client, "no-such-word-anywhere") == []


def test_without_search_the_list_is_whole(client):
    assert len(list_bookmarks(client)) == 2
