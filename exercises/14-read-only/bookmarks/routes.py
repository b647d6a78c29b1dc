"""The bookmark routes: what a client can ask, and nothing more.

Each route is thin: FastAPI has already checked the request against the
schemas, the store does the work, and the route answers what the store gives.
An unknown id raises store.BookmarkNotFound, which errors.py turns into a 404.

An APIRouter is a group of routes that is not an app yet: main.py adds it to
the app with app.include_router(router). prefix="/bookmarks" is written once
here, so each route below names only what comes after it.
"""

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException

from bookmarks import store
from bookmarks.schemas import Bookmark, BookmarkIn, BookmarkPatch
from bookmarks.settings import Settings, get_settings

# tags: the heading these routes are grouped under in /docs.
router = APIRouter(prefix="/bookmarks", tags=["bookmarks"])


# A dependency: FastAPI calls it before each route that names it, and a route
# it refuses never runs. It gets the settings the same way, from get_settings.
def refuse_changes_when_read_only(settings: Annotated[Settings, Depends(get_settings)]) -> None:
    if settings.read_only:
        raise HTTPException(status_code=403, detail="The API is read-only: changes are switched off")


# Every route that changes something: the reads stay open.
CHANGES = [Depends(refuse_changes_when_read_only)]


# "" is /bookmarks itself (the prefix); "/" would be /bookmarks/, a path of its own.
@router.get("")
def list_bookmarks() -> list[Bookmark]:
    return store.list_bookmarks()


@router.get("/{bookmark_id}")
def get_bookmark(bookmark_id: int) -> Bookmark:
    return store.find_bookmark(bookmark_id)


@router.post("", status_code=201, dependencies=CHANGES)  # 201 Created, not the default 200 OK
def create_bookmark(data: BookmarkIn) -> Bookmark:
    return store.add_bookmark(data)


# PUT replaces the whole bookmark: a field left out gets its default again.
@router.put("/{bookmark_id}", dependencies=CHANGES)
def replace_bookmark(bookmark_id: int, data: BookmarkIn) -> Bookmark:
    return store.replace_bookmark(bookmark_id, data)


# PATCH changes only the fields the client sent.
@router.patch("/{bookmark_id}", dependencies=CHANGES)
def update_bookmark(bookmark_id: int, changes: BookmarkPatch) -> Bookmark:
    return store.update_bookmark(bookmark_id, changes)


@router.delete("/{bookmark_id}", dependencies=CHANGES)
def delete_bookmark(bookmark_id: int) -> dict[str, str]:
    store.delete_bookmark(bookmark_id)
    return {"message": f"Bookmark {bookmark_id} deleted"}
