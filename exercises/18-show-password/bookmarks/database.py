"""The database: the tables (users, their log-ins, their bookmarks), the engine, and
a session per request.

SQLModel (by FastAPI's author, on top of SQLAlchemy) describes a table as a class:
each field is a column. The engine knows where the database is and keeps a few
connections open (its pool); a session is one conversation with the database,
for one request: it reads, collects the changes, and commits them at once.
"""

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import Engine, inspect, text
from sqlmodel import Field, Session, SQLModel, create_engine


class UserRow(SQLModel, table=True):
    """One row of the table "users". The password itself is never stored: only its
    Argon2 hash (auth.py), which cannot be turned back into the password."""

    __tablename__ = "users"
    __table_args__ = {"sqlite_autoincrement": True}

    id: int | None = Field(default=None, primary_key=True)
    # unique=True: the database itself refuses a second user of the same name,
    # even when two sign-ups arrive at the same moment.
    username: str = Field(unique=True, index=True)
    password_hash: str


class LoginRow(SQLModel, table=True):
    """One row of the table "logins": a user who is logged in somewhere (a browser).
    Not to be confused with the database's Session below: this one is the user's.

    The browser keeps the login's secret (a random text) in a cookie; the table
    keeps only its SHA-256 hash. Someone who reads the table cannot log in with it."""

    __tablename__ = "logins"

    secret_hash: str = Field(primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    # When the login ends: seconds since 1970 (time.time()), the same in every database.
    expires_at: int


class BookmarkRow(SQLModel, table=True):
    """One row of the table "bookmarks". Not the API's Bookmark (schemas.py): the API
    promises what clients see, the table is how the data is kept, and either may change."""

    __tablename__ = "bookmarks"
    # AUTOINCREMENT: SQLite's plain integer key would give the next bookmark the
    # largest id + 1, so deleting the newest bookmark would hand its id out again.
    # With it SQLite remembers the largest id ever given. PostgreSQL never reuses ids.
    __table_args__ = {"sqlite_autoincrement": True}

    # None until the database picks the id, when the row is first written.
    id: int | None = Field(default=None, primary_key=True)
    url: str
    title: str
    description: str = ""
    # Whose bookmark this is. None only for the rows of a database from before
    # this step (see create_tables): they belong to no one, so no one sees them.
    owner_id: int | None = Field(default=None, foreign_key="users.id", index=True)


# How many requests may use the database at the same time, each with a connection of its own.
CONNECTIONS = 10


def make_engine(database_url: str) -> Engine:
    """The engine for DATABASE_URL: "sqlite:///bookmarks.db" (a file), or
    "postgresql+psycopg://user:password@host/name" (a PostgreSQL server)."""
    connect_args = {}
    if database_url.startswith("sqlite"):
        # Python's sqlite3 lets a connection be used only in the thread that opened it.
        # uvicorn runs each request's code in one of its worker threads, and the pool
        # hands a connection to whichever thread asks next: allow it. Safe here, because
        # a session (and its connection) belongs to one request at a time. (SQLAlchemy 2
        # already does this for a SQLite file; FastAPI's tutorial writes it, and so do we.)
        connect_args = {"check_same_thread": False}
    # The pool keeps CONNECTIONS connections open, and never opens more.
    # pool_pre_ping: before a kept connection is used, check that it still works (a
    # database server that restarted closed it); a dead one is replaced, not failed on.
    return create_engine(
        database_url,
        connect_args=connect_args,
        pool_size=CONNECTIONS,
        max_overflow=0,
        pool_pre_ping=True,
    )


def create_tables(engine: Engine) -> None:
    """Create the tables that are not there yet (a new SQLite file is made on the way)."""
    SQLModel.metadata.create_all(engine)  # only what is missing; never changes a table
    # A database of step 15 or 16 has a table bookmarks without the column owner_id,
    # and create_all never changes a table that exists. Add the column by hand: its
    # old rows get NULL, no owner, and no user sees them. (Alembic is the tool that
    # does such changes for real, one migration per change, each written once.)
    columns = [column["name"] for column in inspect(engine).get_columns(BookmarkRow.__tablename__)]
    if "owner_id" not in columns:
        with engine.begin() as connection:  # begin(): committed at the end of the block
            connection.execute(text("ALTER TABLE bookmarks ADD COLUMN owner_id INTEGER REFERENCES users(id)"))


def get_session(request: Request) -> Iterator[Session]:
    """A dependency: one session per request, from the engine main.py made at start.
    After the route, the with-block closes it: anything not committed (the route
    failed half-way) is rolled back, so nothing half-written stays."""
    with Session(request.app.state.engine) as session:
        yield session


# A route that names a parameter `session: SessionDep` gets its request's session.
# max_concurrency: the 11th request at once waits here for a session, without
# taking one of uvicorn's 40 worker threads. Without it, 40 requests could wait
# in those threads for a connection, while the requests that hold the 10
# connections wait for a free thread to finish their answer: nobody moves
# (FastAPI issue #3205). Same number as the pool: nobody waits for a connection.
SessionDep = Annotated[Session, Depends(get_session, max_concurrency=CONNECTIONS)]
