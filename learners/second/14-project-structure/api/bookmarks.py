"""The /bookmarks routes, on a router that main.py plugs into the app."""

from fastapi import APIRouter, HTTPException, status

from api import storage
from api.models import Bookmark, BookmarkChanges, NewBookmark

router = APIRouter(prefix="/bookmarks", tags=["bookmarks"])


def found(bookmark: Bookmark | None) -> Bookmark:
    """The storage answers None for an unknown id: that is a 404 for the client."""
    if bookmark is None:
        raise HTTPException(status_code=404, detail="Bookmark not found")
    return bookmark


@router.get("", response_model=list[Bookmark])
async def all_bookmarks():
    return storage.everything()


@router.get("/{id}", response_model=Bookmark)
async def one_bookmark(id: int):
    return found(storage.one(id))


@router.post("", response_model=Bookmark, status_code=status.HTTP_201_CREATED)
async def add_bookmark(data: NewBookmark):
    return storage.add(data)


@router.put("/{id}", response_model=Bookmark)
async def replace_bookmark(id: int, data: NewBookmark):
    return found(storage.replace(id, data))


@router.patch("/{id}", response_model=Bookmark)
async def change_bookmark(id: int, changes: BookmarkChanges):
    return found(storage.change(id, changes))


@router.delete("/{id}")
async def remove_bookmark(id: int) -> dict[str, str]:
    if not storage.remove(id):
        raise HTTPException(status_code=404, detail="Bookmark not found")
    return {"message": f"Bookmark {id} deleted"}
