"""The store: the bookmarks, and every change to them. Each user has their own now.

Plain Python, no HTTP: a function here answers a Bookmark or raises
BookmarkNotFound, and routes.py decides what the client gets. Each function gets
the request's session and the id of the user asking (owner_id), and commits its
change once, at its end: a change is written whole or not at all.

Every query names the owner. A bookmark of another user is not found, exactly as
one that does not exist: 404, never 403, which would tell that the id is in use.
"""

from sqlmodel import Session, select

from bookmarks.database import BookmarkRow
from bookmarks.schemas import Bookmark, BookmarkIn, BookmarkPatch


class BookmarkNotFound(Exception):
    """This user has no bookmark with this id (nobody has, or someone else has)."""


def to_bookmark(row: BookmarkRow) -> Bookmark:
    """The API's Bookmark for a row of the table (the owner stays out of it)."""
    return Bookmark.model_validate(row, from_attributes=True)


# The database gives ids from 1 up, in an INTEGER column: PostgreSQL's holds at most
# 2**31 - 1 (SQLite's 2**63 - 1). A larger id in the URL is no bookmark's, and asking
# the database for it would fail ("integer out of range": a 500). Not found, unasked.
LARGEST_ID = 2**31 - 1


def find_row(session: Session, owner_id: int, bookmark_id: int) -> BookmarkRow:
    """The one place that finds a bookmark: by its id AND its owner."""
    if not 1 <= bookmark_id <= LARGEST_ID:
        raise BookmarkNotFound(bookmark_id)
    row = session.get(BookmarkRow, bookmark_id)
    if row is None or row.owner_id != owner_id:
        raise BookmarkNotFound(bookmark_id)
    return row


def find_bookmark(session: Session, owner_id: int, bookmark_id: int) -> Bookmark:
    return to_bookmark(find_row(session, owner_id, bookmark_id))


def list_bookmarks(session: Session, owner_id: int) -> list[Bookmark]:
    # Only this user's rows; the oldest first (a database promises no order without ORDER BY).
    query = select(BookmarkRow).where(BookmarkRow.owner_id == owner_id).order_by(BookmarkRow.id)
    return [to_bookmark(row) for row in session.exec(query).all()]


def add_bookmark(session: Session, owner_id: int, data: BookmarkIn) -> Bookmark:
    # mode="json": the URL as text, the way the table keeps it. The owner comes
    # from the login, never from the body: nobody can add to another's list.
    row = BookmarkRow(**data.model_dump(mode="json"), owner_id=owner_id)
    session.add(row)
    session.commit()
    session.refresh(row)  # read the row back: now it has the id the database gave it
    return to_bookmark(row)


def replace_bookmark(session: Session, owner_id: int, bookmark_id: int, data: BookmarkIn) -> Bookmark:
    row = find_row(session, owner_id, bookmark_id)  # never creates: an unknown id is not found
    row.sqlmodel_update(data.model_dump(mode="json"))
    session.commit()
    session.refresh(row)
    return to_bookmark(row)


def update_bookmark(session: Session, owner_id: int, bookmark_id: int, changes: BookmarkPatch) -> Bookmark:
    row = find_row(session, owner_id, bookmark_id)
    # A field the client left out is None here: keep the stored value.
    row.sqlmodel_update(changes.model_dump(mode="json", exclude_none=True))
    session.commit()
    session.refresh(row)
    return to_bookmark(row)


def delete_bookmark(session: Session, owner_id: int, bookmark_id: int) -> None:
    session.delete(find_row(session, owner_id, bookmark_id))  # unknown, deleted before, or another's
    session.commit()
