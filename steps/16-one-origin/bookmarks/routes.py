"""The bookmark routes: what a client can ask, and nothing more.

Each route is thin: FastAPI has already checked the request against the
schemas, the store does the work, and the route answers what the store gives.
An unknown id raises store.BookmarkNotFound, which errors.py turns into a 404.

Every route names `session: SessionDep`: FastAPI opens a session for the
request (database.get_session), hands it to the route, and closes it after.

An APIRouter is a group of routes that is not an app yet: main.py adds it to
the app with app.include_router(router). prefix="/bookmarks" is written once
here, so each route below names only what comes after it.
"""

from fastapi import APIRouter

from bookmarks import store
from bookmarks.database import SessionDep
from bookmarks.schemas import Bookmark, BookmarkIn, BookmarkPatch

# tags: the heading these routes are grouped under in /docs.
router = APIRouter(prefix="/bookmarks", tags=["bookmarks"])


# "" is /bookmarks itself (the prefix); "/" would be /bookmarks/, a path of its own.
@router.get("")
def list_bookmarks(session: SessionDep) -> list[Bookmark]:
    return store.list_bookmarks(session)


@router.get("/{bookmark_id}")
def get_bookmark(bookmark_id: int, session: SessionDep) -> Bookmark:
    return store.find_bookmark(session, bookmark_id)


@router.post("", status_code=201)  # 201 Created, not the default 200 OK
def create_bookmark(data: BookmarkIn, session: SessionDep) -> Bookmark:
    return store.add_bookmark(session, data)


# PUT replaces the whole bookmark: a field left out gets its default again.
@router.put("/{bookmark_id}")
def replace_bookmark(bookmark_id: int, data: BookmarkIn, session: SessionDep) -> Bookmark:
    return store.replace_bookmark(session, bookmark_id, data)


# PATCH changes only the fields the client sent.
@router.patch("/{bookmark_id}")
def update_bookmark(bookmark_id: int, changes: BookmarkPatch, session: SessionDep) -> Bookmark:
    return store.update_bookmark(session, bookmark_id, changes)


@router.delete("/{bookmark_id}")
def delete_bookmark(bookmark_id: int, session: SessionDep) -> dict[str, str]:
    store.delete_bookmark(session, bookmark_id)
    return {"message": f"Bookmark {bookmark_id} deleted"}
