"""The database fixtures of the suites from step 15 on: SQLite by default, PostgreSQL in CI.

By default every test's app runs on its own SQLite file (a fresh copy of the step
folder each time). With WORKSHOP_DATABASE=postgresql the same tests run against a
real PostgreSQL server (tests/database_servers.py), one for the whole run: each
test's app gets DATABASE_URL for a database and a role of its own, dropped after
the test. A suite imports what it uses:

    from database_fixtures import database, learner_app, postgres  # noqa: F401 - fixtures

``learner_app`` here wraps the plugin's: the app as the learner starts it, then, on
PostgreSQL, started again with the test's DATABASE_URL. A test that restarts the app
with an environment of its own keeps the database with ``database_env(database, ...)``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from database_servers import Database, PostgresServer, chosen_database

DATABASE = chosen_database()
SQLITE_HEADER = b"SQLite format 3\0"


# The run's one server. Each suite that imports the fixture `postgres` gets a fixture of its
# own from pytest (a fixture belongs to the module it is found in): they all share this one.
_SERVERS: dict[str, PostgresServer] = {}


@pytest.fixture(scope="session")
def postgres(app_host, pytestconfig) -> PostgresServer | None:
    """The run's PostgreSQL server, when WORKSHOP_DATABASE=postgresql (else None); started by
    the first suite that needs it, stopped at the end of the run, after the last app."""
    if DATABASE != "postgresql":
        return None
    if "run" in _SERVERS:
        return _SERVERS["run"]
    try:
        server = PostgresServer().start()
    except RuntimeError as error:
        pytest.fail(str(error), pytrace=False)
    # The apps reach the server through its socket folder: the sandbox must show it,
    # so the app host starts again (at the next app) with the folder bound in.
    app_host.shared.append(server.sockets)
    app_host.stop_host()
    _SERVERS["run"] = server

    def stop() -> None:
        del _SERVERS["run"]
        app_host.shared.remove(server.sockets)
        app_host.stop_host()
        server.stop()

    pytestconfig.add_cleanup(stop)
    return server


@pytest.fixture
def database(postgres) -> Iterator[Database | None]:
    """This test's PostgreSQL database (its own role, dropped after the test), or None for SQLite."""
    if postgres is None:
        yield None
        return
    created = postgres.new_database()
    yield created
    postgres.drop(created)


def database_env(database: Database | None, **more: str) -> dict[str, str]:
    """The environment that points the app at this test's database (none: the default SQLite file)."""
    return {**({"DATABASE_URL": database.url} if database else {}), **more}


@pytest.fixture
def learner_app(learner_app, database):
    """The learner's app, on this test's database (on SQLite: as the plugin started it)."""
    if database is not None:
        learner_app.restart(env=database_env(database))
    return learner_app


def take_the_database_down(app, postgres: PostgresServer | None, database: Database | None) -> Callable[[], None]:
    """The database stops working under the running app: PostgreSQL ends its
    connections and refuses new ones; a SQLite file is overwritten with bytes that are
    no database (the app's own file, in the app's folder). Answers a function that
    brings it back as it was."""
    if postgres is not None and database is not None:
        postgres.take_down(database)
        return lambda: postgres.bring_back(database)
    # Read and written as the app left its folder, never through a link it may have put there.
    files = {name: data for name, data in app.files(subfolders=False).items() if data[:16] == SQLITE_HEADER}
    assert files, (
        "the app's folder has no SQLite database file: "
        'see the box "What the checks expect" on the step\'s page'
    )
    for name in files:
        app.write_file(name, b"this is not a database any more\n" * 256)

    def bring_back() -> None:
        for name, data in files.items():
            app.write_file(name, data)

    return bring_back


def stored_text(app, database: Database | None) -> list[tuple[str, bytes]]:
    """What the app has written down, as (where, bytes): on SQLite, every file of the app's
    folder (no link followed, none over 50 MB); on PostgreSQL, every row of every table of the
    test's database, as text."""
    if database is None:
        return list(app.files().items())
    import psycopg
    from psycopg import sql

    found = []
    url = database.url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url) as connection:
        tables = connection.execute(
            "SELECT table_schema, table_name FROM information_schema.tables "
            "WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')"
        ).fetchall()
        for schema, table in tables:
            query = sql.SQL("SELECT CAST(t AS text) FROM {} AS t").format(sql.Identifier(schema, table))
            rows = connection.execute(query).fetchall()
            found.append((f"the table {table}", "\n".join(row[0] for row in rows).encode()))
    return found
