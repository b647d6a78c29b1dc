"""Where the bookmarks live: the database's table, so they survive a restart.

These functions answer None for an id that is not there, or that is someone
else's: for the client both are "not found". Each change is committed once, at its end.
"""

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.db import BookmarkRow
from api.models import BookmarkChanges, NewBookmark


def everything(db: Session, owner: int) -> list[BookmarkRow]:
    # No ORDER BY, no promised order: oldest (smallest id) first.
    query = select(BookmarkRow).where(BookmarkRow.owner_id == owner).order_by(BookmarkRow.id)
    return list(db.scalars(query))


# The id column is an INTEGER: at most 2**31 - 1 in PostgreSQL (2**63 - 1 in SQLite).
# No row has a bigger id, and asking for one makes the driver raise (a 500), not answer.
BIGGEST_ID = 2**31 - 1


def one(db: Session, owner: int, id: int) -> BookmarkRow | None:
    if not 0 < id <= BIGGEST_ID:
        return None
    row = db.get(BookmarkRow, id)
    return row if row is not None and row.owner_id == owner else None


def add(db: Session, owner: int, data: NewBookmark) -> BookmarkRow:
    # The values travel apart from the SQL: a title full of quotes is just text.
    row = BookmarkRow(**data.model_dump(), owner_id=owner)
    db.add(row)
    db.commit()  # the database gives the id here; no lock, no counter of mine
    return row


def replace(db: Session, owner: int, id: int, data: NewBookmark) -> BookmarkRow | None:
    row = one(db, owner, id)
    if row is None:
        return None  # PUT never creates
    for field, value in data.model_dump().items():
        setattr(row, field, value)
    db.commit()
    return row


def change(db: Session, owner: int, id: int, changes: BookmarkChanges) -> BookmarkRow | None:
    row = one(db, owner, id)
    if row is None:
        return None
    for field, value in changes.model_dump(exclude_unset=True).items():  # only what was sent
        setattr(row, field, value)
    db.commit()
    return row


def remove(db: Session, owner: int, id: int) -> bool:
    row = one(db, owner, id)
    if row is None:
        return False
    db.delete(row)
    db.commit()
    return True
