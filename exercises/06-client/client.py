"""A tiny Python client of the Bookmark Manager API: a program, instead of a page,
that talks to the API over HTTP.

Start the API first (in steps/06-delete-bookmark: uvicorn main:app), then, from this
folder, in a second terminal:

    python client.py

httpx2 is installed with the workshop (the tests use it too). Each function takes an
httpx2.Client that knows the API's address, so the same code talks to the real server
here and to a test's app in tests/test_exercise_06_client.py.
"""

import httpx2

API_URL = "http://127.0.0.1:8000"


def list_bookmarks(http: httpx2.Client) -> list[dict]:
    response = http.get("/bookmarks")
    response.raise_for_status()  # an answer of 400 or more raises httpx2.HTTPStatusError
    return response.json()


def add_bookmark(http: httpx2.Client, url: str, title: str, description: str = "") -> dict:
    # json=... writes the body as JSON and sets the Content-Type header: no 422 for that.
    response = http.post("/bookmarks", json={"url": url, "title": title, "description": description})
    response.raise_for_status()
    return response.json()


def delete_bookmark(http: httpx2.Client, bookmark_id: int) -> None:
    response = http.delete(f"/bookmarks/{bookmark_id}")
    response.raise_for_status()


def main() -> None:
    with httpx2.Client(base_url=API_URL) as http:
        added = add_bookmark(http, "https://docs.python.org/3/", "Python documentation")
        print(f"Added bookmark {added['id']}.")
        for bookmark in list_bookmarks(http):
            print(f"{bookmark['id']:>3}  {bookmark['title']}  ({bookmark['url']})")
        delete_bookmark(http, added["id"])
        print(f"Deleted bookmark {added['id']}.")


if __name__ == "__main__":
    main()
