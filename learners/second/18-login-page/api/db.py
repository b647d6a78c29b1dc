"""The database, with SQLAlchemy 2 itself (no SQLModel): the tables, the engine, a session per request.

Step 17 adds people and their logins, and an owner on every bookmark. The table
bookmark has a new column that create_all cannot add to an old table: start from a
fresh database (delete bookmarks.db of the earlier steps).
"""

from collections.abc import Iterator

from sqlalchemy import ForeignKey, String, create_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

from api.config import get_config


class Base(DeclarativeBase):
    pass


class Person(Base):
    __tablename__ = "person"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50), unique=True)  # the database refuses a second one
    password_hash: Mapped[str] = mapped_column(String(200))  # Argon2's text, never the password


class Login(Base):
    """A browser that is logged in: the sha256 of its cookie's token, and whose it is."""

    __tablename__ = "login"

    token_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))


class BookmarkRow(Base):
    __tablename__ = "bookmark"
    # Without AUTOINCREMENT SQLite hands out the largest id + 1, so the id of a
    # deleted newest bookmark would come back. With it, never.
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2000))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(String(1000), default="")
    owner_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)


# One engine for the app. SQLAlchemy 2 already lets uvicorn's threads share a
# SQLite file's connections (check_same_thread=False).
engine = create_engine(get_config().database_url, pool_pre_ping=True)
make_session = sessionmaker(engine, expire_on_commit=False)


def get_db() -> Iterator[Session]:
    """A session for one request; whatever was not committed is rolled back at the end."""
    with make_session() as db:
        yield db
