"""The database, with SQLAlchemy 2 itself (no SQLModel): the table, the engine, a session per request."""

from collections.abc import Iterator

from sqlalchemy import String, create_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

from api.config import get_config


class Base(DeclarativeBase):
    pass


class BookmarkRow(Base):
    __tablename__ = "bookmark"
    # Without AUTOINCREMENT SQLite hands out the largest id + 1, so the id of a
    # deleted newest bookmark would come back. With it, never.
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2000))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(String(1000), default="")


# One engine for the app. SQLAlchemy 2 already lets uvicorn's threads share a
# SQLite file's connections (check_same_thread=False).
engine = create_engine(get_config().database_url, pool_pre_ping=True)
make_session = sessionmaker(engine, expire_on_commit=False)


def get_db() -> Iterator[Session]:
    """A session for one request; whatever was not committed is rolled back at the end."""
    with make_session() as db:
        yield db
