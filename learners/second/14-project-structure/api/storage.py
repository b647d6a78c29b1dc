"""Where the bookmarks live: a list in memory, empty again after a restart.

These functions answer None for an id that is not there; the routes decide
what that means for a client.
"""

from api.models import Bookmark, BookmarkChanges, NewBookmark

bookmarks: list[Bookmark] = []
last_id = 0  # only ever goes up: an id is never given twice


def position_of(id: int) -> int | None:
    for position, bookmark in enumerate(bookmarks):
        if bookmark.id == id:
            return position
    return None


def everything() -> list[Bookmark]:
    return bookmarks


def one(id: int) -> Bookmark | None:
    position = position_of(id)
    return None if position is None else bookmarks[position]


def add(data: NewBookmark) -> Bookmark:
    # My routes are `async def`: they run one at a time on one thread, and
    # nothing here awaits, so no lock is needed.
    global last_id
    last_id += 1
    bookmark = Bookmark(id=last_id, **data.model_dump())
    bookmarks.append(bookmark)
    return bookmark


def replace(id: int, data: NewBookmark) -> Bookmark | None:
    position = position_of(id)
    if position is None:
        return None  # PUT never creates
    bookmarks[position] = Bookmark(id=id, **data.model_dump())
    return bookmarks[position]


def change(id: int, changes: BookmarkChanges) -> Bookmark | None:
    position = position_of(id)
    if position is None:
        return None
    updated = bookmarks[position].model_dump()
    updated.update(changes.model_dump(exclude_unset=True))  # only what was sent
    bookmarks[position] = Bookmark(**updated)
    return bookmarks[position]


def remove(id: int) -> bool:
    position = position_of(id)
    if position is None:
        return False
    del bookmarks[position]
    return True


add(NewBookmark(
    url="https://docs.python.org/3/",
    title="Python documentation",
    description="The language reference and the tutorial.",
))
add(NewBookmark(
    url="https://www.pydantic.dev/",
    title="Pydantic",
    description="Where my models come from.",
))
