"""The bookmark routes: what a logged-in user can ask, and nothing more.

Each route is thin: FastAPI has already checked the request against the
schemas and found the user (auth.CurrentUser: 401 without a login), the store
does the work for that user, and the route answers what the store gives. An id
the user has no bookmark with raises store.BookmarkNotFound: errors.py makes it a 404.

prefix="/bookmarks" is written once here, so each route below names only what
comes after it. responses=: the 401 shows in /docs beside each route's own answers.
"""

from fastapi import APIRouter

from bookmarks import store
from bookmarks.auth import CurrentUser
from bookmarks.database import SessionDep
from bookmarks.schemas import Bookmark, BookmarkIn, BookmarkPatch, ErrorMessage

router = APIRouter(
    prefix="/bookmarks", tags=["bookmarks"], responses={401: {"model": ErrorMessage, "description": "Not logged in"}}
)


# "" is /bookmarks itself (the prefix); "/" would be /bookmarks/, a path of its own.
@router.get("")
def list_bookmarks(user: CurrentUser, session: SessionDep) -> list[Bookmark]:
    return store.list_bookmarks(session, user.id)


@router.get("/{bookmark_id}")
def get_bookmark(bookmark_id: int, user: CurrentUser, session: SessionDep) -> Bookmark:
    return store.find_bookmark(session, user.id, bookmark_id)


@router.post("", status_code=201)  # 201 Created, not the default 200 OK
def create_bookmark(data: BookmarkIn, user: CurrentUser, session: SessionDep) -> Bookmark:
    return store.add_bookmark(session, user.id, data)


# PUT replaces the whole bookmark: a field left out gets its default again.
@router.put("/{bookmark_id}")
def replace_bookmark(bookmark_id: int, data: BookmarkIn, user: CurrentUser, session: SessionDep) -> Bookmark:
    return store.replace_bookmark(session, user.id, bookmark_id, data)


# PATCH changes only the fields the client sent.
@router.patch("/{bookmark_id}")
def update_bookmark(bookmark_id: int, changes: BookmarkPatch, user: CurrentUser, session: SessionDep) -> Bookmark:
    return store.update_bookmark(session, user.id, bookmark_id, changes)


@router.delete("/{bookmark_id}")
def delete_bookmark(bookmark_id: int, user: CurrentUser, session: SessionDep) -> dict[str, str]:
    store.delete_bookmark(session, user.id, bookmark_id)
    return {"message": f"Bookmark {bookmark_id} deleted"}
