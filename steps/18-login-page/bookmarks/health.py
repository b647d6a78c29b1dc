"""GET /health: is the app able to do its job? Asked by whatever watches it.

A container runtime, a load balancer or a monitoring service asks this address
every few seconds; an answer other than 200 means "do not send users here, and
maybe restart me". The app answering at all is not enough: without its database
it cannot show one bookmark. So the route asks the database something small.
"""

from fastapi import APIRouter
from sqlmodel import select

from bookmarks.database import BookmarkRow, SessionDep

router = APIRouter(tags=["health"])


@router.get("/health")
def health(session: SessionDep) -> dict[str, str]:
    # The smallest question that needs a working database and its table. When the
    # database cannot be reached, SQLAlchemy raises OperationalError here, and
    # errors.database_unavailable answers 503 with a message: no second way to say it.
    session.exec(select(BookmarkRow.id).limit(1)).first()
    return {"status": "ok", "database": "ok"}
