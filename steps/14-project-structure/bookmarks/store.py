"""The store: the bookmarks, and every change to them. In memory: they vanish when
the server stops.

Plain Python, no HTTP: a function here answers a Bookmark or raises
BookmarkNotFound, and routes.py decides what the client gets. The next step
swaps this module for a database and the routes barely change.
"""

from itertools import count
from threading import Lock

from bookmarks.schemas import Bookmark, BookmarkIn, BookmarkPatch

bookmarks: dict[int, Bookmark] = {}
bookmark_ids = count(start=1)  # 1, 2, 3, ... an id is never reused

# uvicorn runs plain `def` routes in several threads at once. The lock makes
# two requests that change the store take turns, so no id is handed out twice.
store_lock = Lock()


class BookmarkNotFound(Exception):
    """No bookmark has this id (never had, or it was deleted)."""


def find_bookmark(bookmark_id: int) -> Bookmark:
    bookmark = bookmarks.get(bookmark_id)
    if bookmark is None:
        raise BookmarkNotFound(bookmark_id)
    return bookmark


def list_bookmarks() -> list[Bookmark]:
    return list(bookmarks.values())


def add_bookmark(data: BookmarkIn) -> Bookmark:
    with store_lock:
        bookmark = Bookmark(id=next(bookmark_ids), **data.model_dump())
        bookmarks[bookmark.id] = bookmark
    return bookmark


def replace_bookmark(bookmark_id: int, data: BookmarkIn) -> Bookmark:
    with store_lock:
        find_bookmark(bookmark_id)  # never creates: an unknown id is not found
        bookmark = Bookmark(id=bookmark_id, **data.model_dump())
        bookmarks[bookmark_id] = bookmark
    return bookmark


def update_bookmark(bookmark_id: int, changes: BookmarkPatch) -> Bookmark:
    with store_lock:
        bookmark = find_bookmark(bookmark_id)
        # A field the client left out is None here: keep the stored value.
        sent = changes.model_dump(exclude_none=True)
        bookmark = bookmark.model_copy(update=sent)
        bookmarks[bookmark_id] = bookmark
    return bookmark


def delete_bookmark(bookmark_id: int) -> None:
    with store_lock:
        find_bookmark(bookmark_id)  # an unknown id, or one deleted before
        del bookmarks[bookmark_id]


# A couple of sample bookmarks, so the list is not empty on the first visit.
add_bookmark(BookmarkIn(
    url="https://fastapi.tiangolo.com/",
    title="FastAPI",
    description="The Python web framework this workshop uses.",
))
add_bookmark(BookmarkIn(
    url="https://developer.mozilla.org/en-US/docs/Web/API/Fetch_API",
    title="MDN: Using the Fetch API",
    description="How a web page talks to an API.",
))
