"""200 bookmarks created at the same time: each gets an id of its own, and all are listed.

Starts the reference step 15 with uvicorn, as a learner does (`uvicorn main:app`,
from a throw-away copy of the step folder, on a free port: never 8000), sends 200
POST /bookmarks at once from 200 threads, and checks that every one answered 201,
that the 200 ids differ, and that GET /bookmarks lists each of them once. Then the
same for step 17 (users), with two users logged in who send every other request:
each user's list holds exactly their own new bookmarks. Against SQLite (the step's
default file), then against PostgreSQL when its server programs are installed (a
throw-away server from tests/database_servers.py; with --postgresql it must be
there). Prints the figures; exits 1 when a check fails.

    python scripts/stress_db.py [--requests 200] [--postgresql] [--step steps/15-database ...]
"""

import argparse
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx2

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from database_servers import PostgresServer, postgres_bin  # noqa: E402 - tests/ is not a package


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_up(url: str, server: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"uvicorn ended with exit code {server.returncode} before answering")
        try:
            if httpx2.get(url + "/openapi.json", timeout=2).status_code == 200:
                return
        except httpx2.HTTPError:
            pass
        time.sleep(0.1)
    raise SystemExit(f"uvicorn did not answer at {url} within {timeout:g} s")


def logged_in_users(url: str) -> list[dict[str, str]]:
    """The Cookie header of each user who sends requests: none when the step has no users
    (GET /bookmarks answers without a login); two users, signed up and logged in, from step 17 on."""
    if httpx2.get(url + "/bookmarks").status_code != 401:
        return [{}]
    headers = []
    for name in ("ana", "ben"):
        body = {"username": name, "password": f"{name}'s long secret"}
        httpx2.post(url + "/users", json=body).raise_for_status()
        response = httpx2.post(url + "/login", json=body)
        response.raise_for_status()
        headers.append({"Cookie": "; ".join(f"{key}={value}" for key, value in response.cookies.items())})
    return headers


def stress(step: Path, requests: int, database_url: str | None, name: str) -> list[str]:
    """Run one round against a fresh copy of the step; answer the problems found."""
    problems = []
    with tempfile.TemporaryDirectory(prefix="stress-db-") as folder:
        copy = Path(folder) / step.name
        shutil.copytree(step, copy, ignore=shutil.ignore_patterns("__pycache__", "*.db", ".env"))
        port = free_port()
        env = {"PATH": "/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE": "1"}
        if database_url:
            env["DATABASE_URL"] = database_url
        log = open(Path(folder) / "uvicorn.log", "wb")  # noqa: SIM115 - closed below
        server = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "main:app", "--port", str(port), "--log-level", "warning"],
            cwd=copy, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        url = f"http://127.0.0.1:{port}"
        try:
            wait_until_up(url, server)
            users = logged_in_users(url)
            before = {b["id"] for user in users for b in httpx2.get(url + "/bookmarks", headers=user).json()}
            limits = httpx2.Limits(max_connections=requests, max_keepalive_connections=0)
            with httpx2.Client(base_url=url, timeout=60, limits=limits) as client:

                def create(number: int) -> httpx2.Response:
                    body = {"url": f"https://example.com/{number}", "title": f"Stress {number}"}
                    return client.post("/bookmarks", json=body, headers=users[number % len(users)])

                started = time.perf_counter()
                with ThreadPoolExecutor(max_workers=requests) as pool:
                    responses = list(pool.map(create, range(requests)))
                took = time.perf_counter() - started
                lists = [[b["id"] for b in client.get("/bookmarks", headers=user).json()] for user in users]
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
            log.close()
            output = (Path(folder) / "uvicorn.log").read_text(errors="replace")
        statuses = sorted({response.status_code for response in responses})
        ids = [response.json().get("id") for response in responses if response.status_code == 201]
        listed = [bookmark_id for found in lists for bookmark_id in found]
        new = [bookmark_id for bookmark_id in listed if bookmark_id not in before]
        name = f"{step.name}, {name}" + (f", {len(users)} users" if len(users) > 1 else "")
        print(
            f"{name}: {requests} parallel POST /bookmarks in {took:.2f} s ({requests / took:.0f} per second); "
            f"statuses {statuses}; {len(set(ids))} different ids; {len(new)} new bookmarks listed"
        )
        if statuses != [201]:
            problems.append(f"{name}: statuses {statuses}, expected only 201")
            print(output[-3000:])
        if len(set(ids)) != requests:
            problems.append(f"{name}: {len(set(ids))} different ids for {requests} bookmarks")
        if sorted(new) != sorted(ids) or len(set(listed)) != len(listed):
            problems.append(f"{name}: GET /bookmarks does not list each new bookmark once")
        for index, found in enumerate(lists):  # each user's own, sent with their cookie
            sent = {r.json().get("id") for n, r in enumerate(responses) if n % len(users) == index and r.is_success}
            if set(found) - before != sent:
                problems.append(f"{name}: user {index + 1}'s list is not exactly the bookmarks they created")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--step", type=Path, action="append", help="a step folder (default: steps 15 and 17)")
    parser.add_argument("--postgresql", action="store_true", help="fail when PostgreSQL is not installed")
    args = parser.parse_args()

    steps = args.step or [REPO / "steps" / "15-database", REPO / "steps" / "17-users"]
    problems = [problem for step in steps for problem in stress(step, args.requests, None, "SQLite")]
    if postgres_bin() is None:
        if args.postgresql:
            problems.append("PostgreSQL is not installed (initdb, pg_ctl)")
        else:
            print("PostgreSQL: not installed here, skipped")
    else:
        with PostgresServer() as server:
            for step in steps:
                database = server.new_database()
                problems += stress(step, args.requests, database.url, "PostgreSQL")
    for problem in problems:
        print("STRESS FAILED:", problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
