"""A throw-away PostgreSQL server for the database steps' checks, and one database per test.

The checks of a database step run against a fresh SQLite file per test (the app's
default, nothing to start). With WORKSHOP_DATABASE=postgresql (CI sets it for one
extra run) the same checks run against a real PostgreSQL server, never a mock:
Debian's ``postgresql`` package, a cluster of our own in a temporary folder.

* PostgreSQL refuses to run as root, and CI runs as root: then every server command
  runs as the ``postgres`` user the package creates (``runuser``).
* No TCP at all (``listen_addresses=''``): the server listens on a Unix socket in a
  folder of its own, which the app host binds into the sandbox (the sandbox has no
  network; the socket is the one way in).
* Every login needs a password (scram-sha-256): the superuser's is known to this
  process only; each test gets a role and a database of its own, with a random
  password, and no other role may connect to that database. One learner's app
  cannot reach another's data, nor the server's administration.
* Durability is switched off (fsync, synchronous_commit): a test's data lives for
  seconds, and the server is removed at the end.
"""

from __future__ import annotations

import glob
import os
import secrets
import shutil
import subprocess
import tempfile
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

DATABASE_CHOICE = "WORKSHOP_DATABASE"  # "sqlite" (the default) or "postgresql"
# Databases made ahead of the tests that will get them: CREATE DATABASE takes 0.1-0.3 s.
DATABASES_AHEAD = 1
POSTGRES_HINT = (
    "WORKSHOP_DATABASE=postgresql needs PostgreSQL's server programs (initdb, pg_ctl): "
    "on Debian/Ubuntu `sudo apt-get install postgresql`, or set POSTGRES_BIN to the folder that holds them"
)


def chosen_database() -> str:
    """Which database the checks run against: "sqlite" or "postgresql"."""
    choice = os.environ.get(DATABASE_CHOICE, "sqlite").strip().lower() or "sqlite"
    if choice not in ("sqlite", "postgresql"):
        raise ValueError(f"{DATABASE_CHOICE}={choice!r}: expected sqlite or postgresql")
    return choice


def postgres_bin() -> Path | None:
    """The folder of initdb and pg_ctl: POSTGRES_BIN, Debian's newest, or the PATH's."""
    if os.environ.get("POSTGRES_BIN"):
        return Path(os.environ["POSTGRES_BIN"])
    debian = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda path: int(path.split("/")[4]))
    if debian:
        return Path(debian[-1]).parent
    found = shutil.which("initdb")
    return Path(found).parent if found else None


@dataclass
class Database:
    """One test's database: its URL for the app, its name and role for dropping it."""

    url: str
    name: str


class PostgresServer:
    """A PostgreSQL cluster in a temporary folder, reached through a Unix socket only."""

    def __init__(self) -> None:
        bindir = postgres_bin()
        if bindir is None or not (bindir / "pg_ctl").is_file():
            raise RuntimeError(POSTGRES_HINT)
        self.bindir = bindir
        self.as_root = os.geteuid() == 0
        self.folder = Path(tempfile.mkdtemp(prefix="workshop-postgres-"))
        self.folder.chmod(0o755)  # the sandbox's user passes through it to the socket
        self.data = self.folder / "data"
        self.sockets = self.folder / "sockets"  # nothing but the server's socket and its lock
        self.password = secrets.token_urlsafe(24)
        self.running = False
        self._maker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="new-database")
        self._ahead: deque[Future[Database]] = deque()

    def _run(self, *command: str) -> None:
        """A server program, as the postgres user when we are root."""
        prefix = ["runuser", "-u", "postgres", "--"] if self.as_root else []
        result = subprocess.run([*prefix, *command], capture_output=True, text=True, timeout=60)
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed:\n{result.stdout}{result.stderr}")

    def _give_to_postgres(self, path: Path) -> None:
        if self.as_root:
            shutil.chown(path, "postgres", "postgres")

    def start(self) -> PostgresServer:
        self.sockets.mkdir(mode=0o755)
        self._give_to_postgres(self.sockets)
        password_file = self.folder / "password"
        password_file.write_text(self.password + "\n")
        password_file.chmod(0o600)
        self._give_to_postgres(password_file)
        self._give_to_postgres(self.folder)
        try:
            self._run(
                str(self.bindir / "initdb"),
                f"--pgdata={self.data}",
                "--username=postgres",
                f"--pwfile={password_file}",
                "--auth=scram-sha-256",
                "--encoding=UTF8",
                "--locale=C",
                "--no-sync",
            )
        finally:
            password_file.unlink()
        options = f"-k {self.sockets} -c listen_addresses='' -c fsync=off -c synchronous_commit=off"
        options += " -c full_page_writes=off -c max_connections=300"
        self._run(
            str(self.bindir / "pg_ctl"), "start", "--wait", f"--pgdata={self.data}",
            f"--log={self.folder / 'server.log'}", f"--options={options}",
        )  # fmt: skip
        self.running = True
        # Nobody but the superuser connects to the server's own databases.
        self.admin(*(f"REVOKE CONNECT ON DATABASE {name} FROM PUBLIC" for name in ("postgres", "template1")))
        return self

    def admin(self, *statements: str) -> None:
        """Run statements as the superuser (autocommit: CREATE DATABASE needs it)."""
        import psycopg

        with psycopg.connect(
            host=str(self.sockets), user="postgres", dbname="postgres", password=self.password, autocommit=True
        ) as connection:
            for statement in statements:
                connection.execute(statement)  # type: ignore[arg-type] - our own statements, no user input

    def new_database(self) -> Database:
        """A role and a database of its own, for one test's app: made while the test before
        ran (in a thread of ours, on the server's CPU), so that no test waits for it."""
        while len(self._ahead) <= DATABASES_AHEAD:
            self._ahead.append(self._maker.submit(self._create_database))
        return self._ahead.popleft().result()

    def _create_database(self) -> Database:
        name = f"learner_{secrets.token_hex(6)}"
        password = secrets.token_hex(16)
        self.admin(
            f"CREATE ROLE {name} LOGIN PASSWORD '{password}'",
            f"CREATE DATABASE {name} OWNER {name}",
            f"REVOKE CONNECT ON DATABASE {name} FROM PUBLIC",
            f"GRANT CONNECT ON DATABASE {name} TO {name}",
        )
        url = f"postgresql+psycopg://{name}:{password}@/{name}?host={self.sockets}"
        return Database(url=url, name=name)

    def take_down(self, database: Database) -> None:
        """The database goes away under the app: its connections end and new ones are refused."""
        self.admin(
            f"ALTER DATABASE {database.name} ALLOW_CONNECTIONS false",
            f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{database.name}'",
        )

    def bring_back(self, database: Database) -> None:
        """The database accepts connections again (the app's pool must notice by itself)."""
        self.admin(f"ALTER DATABASE {database.name} ALLOW_CONNECTIONS true")

    def drop(self, database: Database) -> None:
        self.admin(f"DROP DATABASE IF EXISTS {database.name} WITH (FORCE)", f"DROP ROLE IF EXISTS {database.name}")

    def stop(self) -> None:
        self._maker.shutdown(cancel_futures=True)  # the databases made ahead go with the server
        if self.running:
            self.running = False
            self._run(str(self.bindir / "pg_ctl"), "stop", f"--pgdata={self.data}", "--mode=immediate", "--wait")
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> PostgresServer:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc: object) -> None:
        self.stop()
