"""The /bookmarks routes, on a router that main.py plugs into the app.

Plain `def` now: the database waits, and an `async def` that waits blocks every
other request; FastAPI runs a `def` route in a worker thread instead.
"""

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, status
from sqlalchemy.orm import Session

from api import storage
from api.db import BookmarkRow, get_db
from api.models import Bookmark, BookmarkChanges, NewBookmark
from api.people import Me

router = APIRouter(prefix="/bookmarks", tags=["bookmarks"])

# A parameter `db: Db` gets the request's own session (api/db.py's get_db).
Db = Annotated[Session, Depends(get_db)]
# Every route below names `me: Me`: no login, no bookmarks (401, api/people.py).


def found(bookmark: BookmarkRow | None) -> BookmarkRow:
    """The storage answers None for an unknown id: that is a 404 for the client."""
    if bookmark is None:
        raise HTTPException(status_code=404, detail="Bookmark not found")
    return bookmark


@router.get("", response_model=list[Bookmark])
def all_bookmarks(db: Db, me: Me):
    return storage.everything(db, me.id)


@router.get("/{id}", response_model=Bookmark)
def one_bookmark(id: int, db: Db, me: Me):
    return found(storage.one(db, me.id, id))


@router.post("", response_model=Bookmark, status_code=status.HTTP_201_CREATED)
def add_bookmark(data: NewBookmark, db: Db, me: Me):
    return storage.add(db, me.id, data)


@router.put("/{id}", response_model=Bookmark)
def replace_bookmark(id: int, data: NewBookmark, db: Db, me: Me):
    return found(storage.replace(db, me.id, id, data))


@router.patch("/{id}", response_model=Bookmark)
def change_bookmark(id: int, changes: BookmarkChanges, db: Db, me: Me):
    return found(storage.change(db, me.id, id, changes))


@router.delete("/{id}")
def remove_bookmark(id: int, db: Db, me: Me) -> dict[str, str]:
    if not storage.remove(db, me.id, id):
        raise HTTPException(status_code=404, detail="Bookmark not found")
    return {"message": f"Bookmark {id} deleted"}
