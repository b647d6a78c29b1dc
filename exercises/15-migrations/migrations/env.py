"""How Alembic reaches the database: through the app's own connection when the app
migrates at start (bookmarks/database.py's migrate), else at DATABASE_URL from the
app's settings (the `alembic` command, run from the step's folder)."""

import sys
from pathlib import Path

from alembic import context
from sqlalchemy import create_engine
from sqlmodel import SQLModel

# The step's folder, so that `import bookmarks` works for the `alembic` command too.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bookmarks import database  # noqa: E402, F401 - its table classes fill SQLModel.metadata
from bookmarks.settings import Settings  # noqa: E402

# What the tables should be: `alembic revision --autogenerate` compares the database with it.
target_metadata = SQLModel.metadata


def run(connection) -> None:
    # render_as_batch: SQLite cannot change a column in place; Alembic then copies the table.
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    run(connection)
else:
    with create_engine(Settings().database_url).begin() as connection:
        run(connection)
