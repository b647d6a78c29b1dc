"""Grading with plain pytest: points, the grade card, exports, and guards against broken code.

Loaded by ``workshop_plugin.py``. What it adds to a run:

* **points**: every test is worth 1 point, or ``n`` with ``@pytest.mark.points(n)``
  beside the test. A test that is skipped (e.g. ``until_step``) is worth nothing.
* **the grade card** (with ``--steps-dir``/``--app``, or ``--card``): one row per
  step, tests passed/total, points earned/possible, the first failing check in
  plain words.
* **exports**: ``--junitxml`` gets the properties ``step`` and ``points`` on every
  test case; ``--grade-json=FILE`` writes Gradescope's ``results.json`` (see
  ``gradescope_results``); ``--grade-progress=FILE`` streams one JSON line per
  event, so ``scripts/grade_class.py`` keeps every result even when it has to
  kill a run.
* **guards** against a learner's code, which is untrusted:

  - the import probe: before any test, each step folder's ``main.py`` is
    imported in a child process, in a throw-away copy of the folder, with a time
    limit. A ``main.py`` that never finishes importing, or that ends the process
    (``os._exit``), is never imported into this process: its step's tests fail
    with the reason. (A plain exception at import is left to the harness, which
    reports it.)
  - a test that runs out of time (pytest-timeout, ``--timeout``) gets a reason a
    learner can act on, not pytest-timeout's stack dump;
  - captured output is cut to a few kilobytes in the reports, so a ``main.py``
    that prints endlessly cannot flood the card, the JUnit file or the JSON.

Everything here that turns results into a card, a table or JSON is a plain
function, shared with ``scripts/grade_class.py``.
"""

from __future__ import annotations

import ctypes
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from pathlib import Path

import pytest

SUITE_NAME = re.compile(r"test_(\d\d)_\w+")
OUTPUT_LIMIT = 4000  # characters of captured output kept per report section
REASON_LIMIT = 300  # characters of a reason kept in the JSON and the progress file
CARD_REASON_WIDTH = 110  # characters of a reason shown on the card
DEFAULT_IMPORT_TIMEOUT = 10.0

# --- Options -------------------------------------------------------------------


def pytest_addoption(parser):
    group = parser.getgroup("workshop", "Bookmark Manager workshop")
    group.addoption("--card", action="store_true", help="end with the grade card even without --steps-dir/--app")
    group.addoption("--grade-json", type=Path, metavar="FILE",
                    help="write the results as Gradescope's results.json to FILE")
    group.addoption("--grade-progress", type=Path, metavar="FILE",
                    help="append one JSON line per collected list, test start and result to FILE "
                         "(used by scripts/grade_class.py)")
    group.addoption("--import-timeout", type=float, default=DEFAULT_IMPORT_TIMEOUT, metavar="SECONDS",
                    help=f"how long a step's main.py may take to import (default {DEFAULT_IMPORT_TIMEOUT:g})")


def pytest_configure(config):
    config.pluginmanager.register(Grading(config), "workshop_grading_state")


# --- Pure functions: what a test is worth, and a failure in plain words -------------


def step_of(path: Path) -> str | None:
    """"04" for tests/test_04_create_bookmark.py; None for a module that is not a step suite."""
    match = SUITE_NAME.fullmatch(path.stem)
    return match.group(1) if match else None


def points_of(item) -> float:
    marker = item.get_closest_marker("points")
    if marker is None:
        return 1
    value = marker.args[0] if marker.args else marker.kwargs.get("n")
    if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
        raise pytest.UsageError(f"{item.nodeid}: @pytest.mark.points needs a number >= 0, got {value!r}")
    return value


def plain_reason(text: str) -> str:
    """The first line a learner can act on, from a failure's message.

    "AssertionError: POST /bookmarks answered 200, expected 201. Body: {...}\\nassert 200 == 201"
    becomes "POST /bookmarks answered 200, expected 201. Body: {...}".
    """
    text = text.strip()
    for prefix in ("AssertionError: ", "Failed: ", "E   "):
        text = text.removeprefix(prefix)
    first = text.split("\n", 1)[0].strip()
    if not first and "\n" in text:
        first = text.split("\n", 2)[1].strip()
    return first[:REASON_LIMIT] + ("..." if len(first) > REASON_LIMIT else "")


def report_reason(report) -> str:
    longrepr = report.longrepr
    if longrepr is None:
        return ""
    if isinstance(longrepr, tuple):  # a skip: (file, line, reason)
        return plain_reason(str(longrepr[2]).removeprefix("Skipped: "))
    crash = getattr(longrepr, "reprcrash", None)
    if crash is not None:
        return plain_reason(crash.message)
    return plain_reason(str(longrepr))


def short(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 3] + "..."


# --- The results: one dict per test -------------------------------------------------
#
# {"nodeid", "step", "name", "points", "outcome": "passed" | "failed" | "skipped",
#  "reason": the first failing check or the skip reason, "" when it passed}


def step_rows(results: list[dict], folders: dict[str, str] | None = None) -> list[dict]:
    """One row per step: tests passed/total, points earned/possible, the first failure.

    Skipped tests count in neither total (a test marked until_step is not about the step)."""
    folders = folders or {}
    rows: dict[str, dict] = {}
    for result in results:
        step = result["step"]
        row = rows.setdefault(step, {
            "step": step, "folder": folders.get(step, step), "passed": 0, "total": 0,
            "points": 0, "max_points": 0, "skipped": 0, "first_failure": "",
        })
        if result["outcome"] == "skipped":
            row["skipped"] += 1
            continue
        row["total"] += 1
        row["max_points"] += result["points"]
        if result["outcome"] == "passed":
            row["passed"] += 1
            row["points"] += result["points"]
        elif not row["first_failure"]:
            row["first_failure"] = result["reason"] or "failed"
    return [rows[step] for step in sorted(rows)]


def number(value: float) -> str:
    return f"{value:g}"


def format_card(rows: list[dict], title: str) -> str:
    """The grade card as text, a table of steps, and a total."""
    lines = [title]
    header = ("step", "tests", "points", "first failing check")
    table = [header]
    for row in rows:
        check = row["first_failure"] or ("ok" if row["total"] else "not graded (every test skipped)")
        for prefix in (f"step {row['folder']}: ", f"step {row['step']}: "):
            check = check.removeprefix(prefix)
        if row["skipped"] and not row["first_failure"] and row["total"]:
            check = f"ok ({row['skipped']} skipped)"
        table.append((row["folder"], f"{row['passed']}/{row['total']}",
                      f"{number(row['points'])}/{number(row['max_points'])}",
                      short(check, CARD_REASON_WIDTH)))
    passed = sum(row["passed"] for row in rows)
    total = sum(row["total"] for row in rows)
    points = sum(row["points"] for row in rows)
    max_points = sum(row["max_points"] for row in rows)
    steps_ok = sum(1 for row in rows if row["total"] and row["passed"] == row["total"])
    table.append(("total", f"{passed}/{total}", f"{number(points)}/{number(max_points)}",
                  f"{steps_ok} of {len(rows)} steps complete"))
    widths = [max(len(line[column]) for line in table) for column in range(3)]
    for index, line in enumerate(table):
        if index == len(table) - 1:
            lines.append("-" * (sum(widths) + 6 + 20))
        lines.append(f"{line[0]:<{widths[0]}}  {line[1]:>{widths[1]}}  {line[2]:>{widths[2]}}  {line[3]}".rstrip())
        if index == 0:
            lines.append("-" * (sum(widths) + 6 + 20))
    return "\n".join(lines) + "\n"


def gradescope_results(results: list[dict], rows: list[dict], card: str, execution_time: float | None = None) -> dict:
    """Gradescope's results.json: score and max_score at the top, one entry per test.

    Skipped tests are listed with max_score 0 and no status, so they neither
    count nor show as failed. extra_data.steps holds the card's rows."""
    tests = []
    for index, result in enumerate(results, 1):
        entry = {
            "name": f"step {result['step']}: {result['name']}",
            "number": f"{result['step']}.{index}",
            "score": result["points"] if result["outcome"] == "passed" else 0,
            "max_score": 0 if result["outcome"] == "skipped" else result["points"],
            "output": result["reason"] if result["outcome"] != "skipped" else f"not graded: {result['reason']}",
            "tags": [f"step-{result['step']}"],
            "visibility": "visible",
        }
        if result["outcome"] != "skipped":
            entry["status"] = result["outcome"]
        tests.append(entry)
    document = {
        "score": sum(row["points"] for row in rows),
        "max_score": sum(row["max_points"] for row in rows),
        "output": card,
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
        "extra_data": {"steps": rows},
    }
    if execution_time is not None:
        document["execution_time"] = round(execution_time, 2)
    return document


# --- The import probe ------------------------------------------------------------------

# Run in a child process: import the folder's main.py (the last argument), then end
# the process. Exit code 97: the import finished; 98: it raised (the harness reports
# that one in the test, with its message). Anything else is main.py's own doing.
IMPORT_MAIN = r"""
import importlib.util, os, sys
code = 98
try:
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    folder = sys.argv[-1]
    os.chdir(folder)
    sys.path.insert(0, folder)
    spec = importlib.util.spec_from_file_location("main", os.path.join(folder, "main.py"))
    spec.loader.exec_module(importlib.util.module_from_spec(spec))
    code = 97  # not 0: an os._exit(0) in main.py is no success
except BaseException:
    pass
os._exit(code)
"""


def _start_child(folder: str):
    """A child process importing folder/main.py: forked from this process when it can
    be (FastAPI is imported already, so a child costs milliseconds), else a new Python
    (Windows has no fork; a process with threads must not fork)."""
    if hasattr(os, "fork") and threading.active_count() == 1:
        with warnings.catch_warnings():  # Python 3.12+ warns of threads C code may have started
            warnings.simplefilter("ignore", DeprecationWarning)
            pid = os.fork()
        if pid == 0:
            try:
                os.setpgid(0, 0)
                sys.argv = ["-c", folder]
            finally:
                exec(IMPORT_MAIN, {"__name__": "__main__"})
        return pid
    return subprocess.Popen([sys.executable, "-c", IMPORT_MAIN, folder], stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
                            env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})


def _exit_code(child, block: bool = False) -> int | None:
    if isinstance(child, int):
        pid, status = os.waitpid(child, 0 if block else os.WNOHANG)
        return os.waitstatus_to_exitcode(status) if pid else None
    return child.wait() if block else child.poll()


def kill_group(pid: int) -> None:
    """Kill a process and its process group: whatever the learner's code started goes too."""
    for kill in (os.killpg, os.kill):
        try:
            kill(pid, signal.SIGKILL)
        except OSError:
            pass


def _kill(child) -> None:
    """Kill a probe child and whatever it started, and reap it."""
    if isinstance(child, int):
        kill_group(child)
    elif hasattr(os, "killpg"):
        kill_group(child.pid)
    else:
        child.kill()  # Windows: TerminateProcess
    _exit_code(child, block=True)


def probe_imports(folders: list[Path], timeout: float) -> dict[Path, str | None]:
    """Import each folder's main.py in a child process, in a throw-away copy of the folder.

    Answers, for each folder, a reason when its main.py must not be imported in the
    test process (it does not finish in time, or ends the process), else None.
    The children run all at once."""
    answers: dict[Path, str | None] = {}
    with tempfile.TemporaryDirectory(prefix="workshop-probe-") as tmp:
        children = {}
        for index, folder in enumerate(folder for folder in folders if (folder / "main.py").is_file()):
            copy = Path(tmp) / f"{index}" / folder.name
            shutil.copytree(folder, copy, symlinks=True, ignore=shutil.ignore_patterns("__pycache__", ".venv", "node_modules"))
            try:
                children[folder] = _start_child(str(copy))
            except OSError as error:
                answers[folder] = f"main.py could not be checked before the tests: {error}"
        deadline = time.monotonic() + timeout
        while children and time.monotonic() < deadline:
            for folder, child in list(children.items()):
                code = _exit_code(child)
                if code is not None:
                    del children[folder]
                    if code in (97, 98):
                        answers[folder] = None
                    elif code < 0:
                        answers[folder] = f"importing main.py killed Python (signal {-code})"
                    else:
                        answers[folder] = f"importing main.py ended Python with exit code {code} (os._exit or a crash?)"
            if children:
                time.sleep(0.02)
        for folder, child in children.items():
            _kill(child)
            answers[folder] = (f"main.py did not finish importing within {timeout:g} s: "
                               "is there an endless loop (or a server started) at the top level of main.py?")
    return answers


def probe_import(folder: Path, timeout: float) -> str | None:
    return probe_imports([folder], timeout).get(folder)


# --- A route that never returns -----------------------------------------------------------


def stop_threads_running(folder: Path) -> int:
    """Raise TimeoutError in every thread that is running code from `folder`.

    When a test runs out of time, pytest-timeout interrupts the test, but a route
    runs in a worker thread of the TestClient, which would go on looping, and the
    TestClient would wait for it forever when it closes. The exception ends the
    loop at its next Python instruction (not a call that blocks in C forever:
    scripts/grade_class.py's watchdog is there for that)."""
    folder = folder.resolve()
    frames = sys._current_frames()
    stopped = 0
    for thread in threading.enumerate():
        if thread is threading.main_thread() or thread.ident not in frames:
            continue
        frame = frames[thread.ident]
        while frame is not None and not Path(frame.f_code.co_filename).resolve().is_relative_to(folder):
            frame = frame.f_back
        if frame is not None:
            ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread.ident), ctypes.py_object(TimeoutError))
            stopped += 1
    return stopped


# --- Files a learner's code must not touch ------------------------------------------------

GUARD_FILE_LIMIT = 2 * 2**20  # bytes: bigger files are not guarded
GRADING_COPY = ".grading-copy"  # marks scripts/grade_class.py's throw-away copy of the tests


class FileGuard:
    """Notices, after each test, what the code under test deleted or changed outside
    its own folder: the test files and the other step folders.

    With restore=True (only in scripts/grade_class.py's throw-away copy of the
    tests, never in the repository, where a person may be editing the files) it
    also puts them back, so the other steps are graded as handed in. Without it,
    only a deleted file counts (an edit may be the instructor's own), and nothing
    is written."""

    def __init__(self, roots: list[Path], files: list[Path], restore: bool = False):
        self.restore = restore
        self.saved: dict[Path, bytes] = {}
        self.stats: dict[Path, tuple[int, int]] = {}
        for path in files + [p for root in roots if root.is_dir() for p in sorted(root.rglob("*"))]:
            if path.is_file() and "__pycache__" not in path.parts and path.stat().st_size <= GUARD_FILE_LIMIT:
                self.save(path.resolve())

    def save(self, path: Path) -> None:
        self.saved[path] = path.read_bytes()
        status = path.stat()
        self.stats[path] = (status.st_size, status.st_mtime_ns)

    def check(self, own: Path | None) -> list[Path]:
        """Restore the damaged files outside `own`; answers them."""
        own = own.resolve() if own else None
        damaged = []
        for path, content in self.saved.items():
            inside = own is not None and path.is_relative_to(own)
            try:
                status = path.stat()
                unchanged = (status.st_size, status.st_mtime_ns) == self.stats[path] or not self.restore
            except OSError:
                unchanged = self.stats[path] == (-1, -1)  # a deletion is reported once
            if unchanged:
                continue
            if inside:
                if path.is_file():  # the step may change its own files (a data file)
                    self.save(path)
                continue
            damaged.append(path)
            if not self.restore:
                self.stats[path] = (-1, -1)
                continue
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(content)
                self.save(path)
            except OSError:
                pass
        return damaged


# --- The plugin --------------------------------------------------------------------------


class Grading:
    def __init__(self, config):
        self.config = config
        self.steps_dir = config.getoption("--steps-dir")
        self.app_dir = config.getoption("--app")
        self.show_card = bool(self.steps_dir or self.app_dir or config.getoption("--card"))
        self.untrusted = bool(self.steps_dir or self.app_dir)
        self.json_path = config.getoption("--grade-json")
        self.progress_path = config.getoption("--grade-progress")
        self.import_timeout = config.getoption("--import-timeout")
        self.results: dict[str, dict] = {}
        self.items: dict[str, object] = {}
        self.folders: dict[str, str] = {}  # step -> folder name, for the card
        self.blocked: dict[Path, str] = {}  # folder -> why its main.py is never imported here
        self.timed_out: dict[Path, str] = {}  # folder -> the test of it that ran out of time
        self.reasons: dict[str, str] = {}  # nodeid -> a better reason than the report's
        self.guard: FileGuard | None = None
        self.started = time.monotonic()
        if self.progress_path:
            self.progress_path.parent.mkdir(parents=True, exist_ok=True)

    # The progress stream, for scripts/grade_class.py
    def emit(self, **event) -> None:
        if self.progress_path:
            with open(self.progress_path, "a", encoding="utf-8") as stream:
                stream.write(json.dumps(event) + "\n")

    def folder_of(self, item) -> Path | None:
        """The folder an item tests, when it is a learner's (untrusted) one."""
        step = step_of(item.path)
        if step is None or not self.untrusted or getattr(item.module, "REFERENCE", None) and not self.app_dir:
            return None
        if self.app_dir:
            return self.app_dir
        found = sorted(path for path in self.steps_dir.glob(f"{step}-*") if path.is_dir())
        return found[0] if len(found) == 1 else None

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, config, items):
        for item in items:
            step = step_of(item.path)
            if step is None:
                continue
            points = points_of(item)
            item.user_properties.append(("step", step))
            item.user_properties.append(("points", number(points)))
            self.items[item.nodeid] = item
            folder = self.folder_of(item)
            self.folders[step] = folder.name if folder else (
                self.app_dir.name if self.app_dir else self._reference_name(step))
        self.emit(event="collected", tests=[
            {"nodeid": nodeid, "step": step_of(item.path), "name": item.name, "points": points_of(item)}
            for nodeid, item in self.items.items()])
        folders = {self.folder_of(item) for item in items} - {None}
        if folders:
            for folder, reason in probe_imports(sorted(folders), self.import_timeout).items():
                self.emit(event="probed", folder=folder.name, reason=reason)
                if reason:
                    self.blocked[folder] = reason
        if self.untrusted and self.items:
            root = self.config.rootpath
            self.guard = FileGuard(
                [self.steps_dir] if self.steps_dir else [],
                [*sorted((root / "tests").glob("*.py")), root / "pyproject.toml"],
                restore=(root / GRADING_COPY).is_file())

    def _reference_name(self, step: str) -> str:
        found = sorted((self.config.rootpath / "steps").glob(f"{step}-*"))
        return found[0].name if found else step

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item):
        folder = self.folder_of(item)
        if folder is not None and folder in self.blocked:
            pytest.fail(f"step {folder.name}: {self.blocked[folder]}", pytrace=False)
        if folder is not None and folder in self.timed_out:
            # One test that ran out of time is enough: the step is lost either way,
            # and each further one would cost the whole time limit again.
            pytest.fail(f"not run: {self.timed_out[folder]}", pytrace=False)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_teardown(self, item):
        result = yield
        if self.guard is not None and item.nodeid in self.items:
            damaged = self.guard.check(self.folder_of(item) or self.app_dir)
            if damaged:
                names = ", ".join(sorted(self.relative(path) for path in damaged)[:5])
                self.reasons[item.nodeid] = (
                    f"the code deleted or changed files outside its own folder: {names} "
                    + ("(put back for the other steps)" if self.guard.restore else "(put them back: git checkout)"))
                pytest.fail(self.reasons[item.nodeid], pytrace=False)
        return result

    def relative(self, path: Path) -> str:
        for base in (self.steps_dir, self.config.rootpath):
            if base is not None and path.is_relative_to(base.resolve()):
                return str(path.relative_to(base.resolve()))
        return str(path)

    def pytest_runtest_logstart(self, nodeid, location):
        if nodeid in self.items:
            self.emit(event="start", nodeid=nodeid)

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item, call):
        outcome = yield
        report = outcome.get_result()
        # Endless printing must not flood the reports.
        report.sections = [
            (title, content if len(content) <= OUTPUT_LIMIT else
             content[:OUTPUT_LIMIT] + f"\n... ({len(content) - OUTPUT_LIMIT} more characters cut)")
            for title, content in report.sections
        ]
        if call.excinfo is None or item.nodeid not in self.items:
            return
        error = call.excinfo.value
        if isinstance(error, OSError) and error.errno == 27:
            self.reasons.setdefault(item.nodeid, "the app wrote more output than allowed (does it print endlessly?)")
        elif not isinstance(error, (AssertionError, pytest.fail.Exception, pytest.skip.Exception)):
            # The app itself raised (TestClient passes a route's exception on): name it.
            where = ""
            folder = self.folder_of(item)
            for entry in reversed(call.excinfo.traceback):
                path = Path(str(entry.path))
                if folder is not None and path.resolve().is_relative_to(folder.resolve()):
                    where = f" (in {path.name}, line {entry.lineno + 1}, {entry.name})"
                    break
            reason = f"the app raised {type(error).__name__}{where}: {' '.join(str(error).split())}"
            if type(error).__name__ == "ResponseValidationError" and callable(getattr(error, "errors", None)):
                first = (list(error.errors()) or [{}])[0]
                reason = (f"a route returned {short(repr(first.get('input')), 60)}, which does not match its "
                          f"return type: {first.get('msg')} (ResponseValidationError)")
            self.reasons.setdefault(item.nodeid, reason[:REASON_LIMIT])

    @pytest.hookimpl(tryfirst=True, optionalhook=True)  # pytest-timeout's hook
    def pytest_timeout_set_timer(self, item, settings):
        """pytest-timeout's signal timer, plus: stop the learner's code in every thread,
        and give the learner a reason in plain words."""
        folder = self.folder_of(item)
        if (folder is None or settings.method != "signal"
                or threading.current_thread() is not threading.main_thread()):
            return None  # pytest-timeout's own timer

        def on_timeout(signum, frame):
            importing = False
            while frame is not None:
                importing = importing or frame.f_code.co_name == "load_app"
                frame = frame.f_back
            self.reasons[item.nodeid] = (
                f"main.py did not finish importing within {settings.timeout:g} s" if importing else
                f"no answer within {settings.timeout:g} s: a route never returns (an endless loop?)")
            stop_threads_running(folder)
            self.timed_out[folder] = f"an earlier test of this step ran out of time ({self.reasons[item.nodeid]})"
            pytest.fail(f"Timeout (>{settings.timeout:g}s): {self.reasons[item.nodeid]}", pytrace=False)

        def cancel():
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, signal.SIG_DFL)

        item.cancel_timeout = cancel
        signal.signal(signal.SIGALRM, on_timeout)
        signal.setitimer(signal.ITIMER_REAL, settings.timeout)
        return True

    def pytest_runtest_logreport(self, report):
        if report.nodeid not in self.items:
            return
        item = self.items[report.nodeid]
        result = self.results.get(report.nodeid)
        if result is None:
            result = self.results[report.nodeid] = {
                "nodeid": report.nodeid, "step": step_of(item.path), "name": item.name,
                "points": points_of(item), "outcome": "passed", "reason": "",
            }
        if report.failed and result["outcome"] != "failed":
            result["outcome"] = "failed"
            reason = self.reasons.get(report.nodeid) or report_reason(report)
            if report.when == "teardown":
                reason = f"after the test: {reason}"
            if self.steps_dir is not None:  # a learner reads 02-list-bookmarks/main.py, not /tmp/...
                for base in {str(self.steps_dir.resolve()), str(self.steps_dir)}:
                    reason = reason.replace(base + os.sep, "").replace(base, "the steps folder")
            result["reason"] = reason
        elif report.skipped and result["outcome"] == "passed":
            result["outcome"] = "skipped"
            result["reason"] = report_reason(report)
        if report.failed or report.skipped and report.when == "setup" or report.when == "call":
            self.emit(event="result", **result)
        elif report.when == "teardown":
            self.emit(event="done", nodeid=report.nodeid)

    def pytest_terminal_summary(self, terminalreporter):
        results = list(self.results.values())
        if not results:
            return
        rows = step_rows(results, self.folders)
        target = self.steps_dir or self.app_dir or self.config.rootpath / "steps"
        card = format_card(rows, f"Grade card for {target}")
        if self.show_card:
            terminalreporter.section("grade card")
            terminalreporter.write(card)
        if self.json_path:
            document = gradescope_results(results, rows, card, time.monotonic() - self.started)
            self.json_path.parent.mkdir(parents=True, exist_ok=True)
            self.json_path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
            terminalreporter.write_line(f"Gradescope results: {self.json_path}")
