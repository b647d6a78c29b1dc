"""Where the bookmarks live: the database's table, so they survive a restart.

These functions answer None for an id that is not there; the routes decide
what that means for a client. Each change is committed once, at its end.
"""

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.db import BookmarkRow
from api.models import BookmarkChanges, NewBookmark


def everything(db: Session) -> list[BookmarkRow]:
    # No ORDER BY, no promised order: oldest (smallest id) first.
    return list(db.scalars(select(BookmarkRow).order_by(BookmarkRow.id)))


# The id column is an INTEGER: at most 2**31 - 1 in PostgreSQL (2**63 - 1 in SQLite).
# No row has a bigger id, and asking for one makes the driver raise (a 500), not answer.
BIGGEST_ID = 2**31 - 1


def one(db: Session, id: int) -> BookmarkRow | None:
    if not 0 < id <= BIGGEST_ID:
        return None
    return db.get(BookmarkRow, id)


def add(db: Session, data: NewBookmark) -> BookmarkRow:
    # The values travel apart from the SQL: a title full of quotes is just text.
    row = BookmarkRow(**data.model_dump())
    db.add(row)
    db.commit()  # the database gives the id here; no lock, no counter of mine
    return row


def replace(db: Session, id: int, data: NewBookmark) -> BookmarkRow | None:
    row = one(db, id)
    if row is None:
        return None  # PUT never creates
    for field, value in data.model_dump().items():
        setattr(row, field, value)
    db.commit()
    return row


def change(db: Session, id: int, changes: BookmarkChanges) -> BookmarkRow | None:
    row = one(db, id)
    if row is None:
        return None
    for field, value in changes.model_dump(exclude_unset=True).items():  # only what was sent
        setattr(row, field, value)
    db.commit()
    return row


def remove(db: Session, id: int) -> bool:
    row = one(db, id)
    if row is None:
        return False
    db.delete(row)
    db.commit()
    return True


def add_samples_if_empty(db: Session) -> None:
    """Two samples, the first time (an empty table)."""
    if db.scalar(select(func.count()).select_from(BookmarkRow)):
        return
    add(db, NewBookmark(
        url="https://docs.python.org/3/",
        title="Python documentation",
        description="The language reference and the tutorial.",
    ))
    add(db, NewBookmark(
        url="https://www.pydantic.dev/",
        title="Pydantic",
        description="Where my models come from.",
    ))
