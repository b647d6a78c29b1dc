"""GET /health, for whatever watches the app: 200 while the database answers."""

from fastapi import APIRouter
from sqlalchemy import func, select

from api.bookmarks import Db
from api.db import BookmarkRow

router = APIRouter()


@router.get("/health", tags=["health"])
def health(db: Db):
    # A real query: a database that is gone raises here, and the crash middleware answers 500.
    count = db.scalar(select(func.count()).select_from(BookmarkRow))
    return {"status": "ok", "bookmarks": count}
