"""Bookmark Manager API.

Run it from this folder with:  uvicorn main:app --reload
Then open http://127.0.0.1:8000/docs to try every route in the browser.
"""

from fastapi import FastAPI, HTTPException
from pydantic import BaseModel

# `app` is what uvicorn runs: `uvicorn main:app` means "the object app in main.py".
app = FastAPI(title="Bookmark Manager")


# --- The data: what a client sends, and what the API sends back -------------

class BookmarkIn(BaseModel):
    """What a client sends to create a bookmark. No id: the server picks it."""

    url: str
    title: str
    description: str = ""


class Bookmark(BookmarkIn):
    """What the API sends back: the fields above, plus the id the server gave it."""

    id: int


# --- The store: bookmarks live in memory and vanish when the server stops ----

# A dict from id to bookmark, with a couple of sample bookmarks so the list is
# not empty on the first visit. Nothing writes to it yet: creating bookmarks,
# with ids the server picks, is the lesson of a later step.
bookmarks: dict[int, Bookmark] = {
    1: Bookmark(
        id=1,
        url="https://fastapi.tiangolo.com/",
        title="FastAPI",
        description="The Python web framework this workshop uses.",
    ),
    2: Bookmark(
        id=2,
        url="https://developer.mozilla.org/en-US/docs/Web/API/Fetch_API",
        title="MDN: Using the Fetch API",
        description="How a web page talks to an API.",
    ),
}


def find_bookmark(bookmark_id: int) -> Bookmark:
    """Return the bookmark with this id, or answer 404 Not Found."""
    bookmark = bookmarks.get(bookmark_id)
    if bookmark is None:
        raise HTTPException(status_code=404, detail="Bookmark not found")
    return bookmark


# --- The routes: one function for each thing a client can ask ----------------

@app.get("/")
def read_root():
    # FastAPI turns the returned dict into JSON for the client.
    return {"message": "Hello, world! The Bookmark Manager API is running."}


# The return type tells FastAPI what to send: a JSON array of bookmarks,
# and it shows that shape in /docs.
@app.get("/bookmarks")
def list_bookmarks() -> list[Bookmark]:
    return list(bookmarks.values())


# {bookmark_id} is a path parameter. The type hint `int` makes FastAPI turn
# "3" into 3, and answer 422 on its own for an id like "abc".
@app.get("/bookmarks/{bookmark_id}")
def get_bookmark(bookmark_id: int) -> Bookmark:
    return find_bookmark(bookmark_id)
