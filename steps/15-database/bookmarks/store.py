"""The store: the bookmarks, and every change to them. In a database now: they
survive a restart of the server.

Plain Python, no HTTP: a function here answers a Bookmark or raises
BookmarkNotFound, and routes.py decides what the client gets. Each function gets
the request's session and commits its change once, at its end: a change is
written whole or, when anything fails before the commit, not at all.

No lock and no id counter any more: the database gives each new row its id,
and it takes one write at a time, whatever uvicorn's threads do at once.
"""

from sqlmodel import Session, select

from bookmarks.database import BookmarkRow
from bookmarks.schemas import Bookmark, BookmarkIn, BookmarkPatch


class BookmarkNotFound(Exception):
    """No bookmark has this id (never had, or it was deleted)."""


def to_bookmark(row: BookmarkRow) -> Bookmark:
    """The API's Bookmark for a row of the table."""
    return Bookmark.model_validate(row, from_attributes=True)


# The database gives ids from 1 up, in an INTEGER column: PostgreSQL's holds at most
# 2**31 - 1 (SQLite's 2**63 - 1). A larger id in the URL is no bookmark's, and asking
# the database for it would fail ("integer out of range": a 500). Not found, unasked.
LARGEST_ID = 2**31 - 1


def find_row(session: Session, bookmark_id: int) -> BookmarkRow:
    if not 1 <= bookmark_id <= LARGEST_ID:
        raise BookmarkNotFound(bookmark_id)
    row = session.get(BookmarkRow, bookmark_id)
    if row is None:
        raise BookmarkNotFound(bookmark_id)
    return row


def find_bookmark(session: Session, bookmark_id: int) -> Bookmark:
    return to_bookmark(find_row(session, bookmark_id))


def list_bookmarks(session: Session) -> list[Bookmark]:
    # A database promises no order without ORDER BY: ask for the oldest first.
    rows = session.exec(select(BookmarkRow).order_by(BookmarkRow.id)).all()
    return [to_bookmark(row) for row in rows]


def add_bookmark(session: Session, data: BookmarkIn) -> Bookmark:
    # mode="json": the URL as text, the way the table keeps it.
    row = BookmarkRow(**data.model_dump(mode="json"))
    session.add(row)
    # SQLModel sends the values apart from the SQL (bound parameters): a title
    # such as '); DROP TABLE bookmarks; -- is stored as text, never run.
    session.commit()
    session.refresh(row)  # read the row back: now it has the id the database gave it
    return to_bookmark(row)


def replace_bookmark(session: Session, bookmark_id: int, data: BookmarkIn) -> Bookmark:
    row = find_row(session, bookmark_id)  # never creates: an unknown id is not found
    row.sqlmodel_update(data.model_dump(mode="json"))
    session.commit()
    session.refresh(row)
    return to_bookmark(row)


def update_bookmark(session: Session, bookmark_id: int, changes: BookmarkPatch) -> Bookmark:
    row = find_row(session, bookmark_id)
    # A field the client left out is None here: keep the stored value.
    row.sqlmodel_update(changes.model_dump(mode="json", exclude_none=True))
    session.commit()
    session.refresh(row)
    return to_bookmark(row)


def delete_bookmark(session: Session, bookmark_id: int) -> None:
    session.delete(find_row(session, bookmark_id))  # an unknown id, or one deleted before
    session.commit()


def add_samples(session: Session) -> None:
    """A couple of sample bookmarks, so the list is not empty on the first visit."""
    add_bookmark(session, BookmarkIn(
        url="https://fastapi.tiangolo.com/",
        title="FastAPI",
        description="The Python web framework this workshop uses.",
    ))
    add_bookmark(session, BookmarkIn(
        url="https://developer.mozilla.org/en-US/docs/Web/API/Fetch_API",
        title="MDN: Using the Fetch API",
        description="How a web page talks to an API.",
    ))
