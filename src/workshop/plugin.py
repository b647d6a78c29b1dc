"""The workshop's pytest plugin: options, points, the grade card and exports.

Installed with the workshop (``-e .``, see pyproject.toml) because pytest reads
the command line before any conftest.py: ``--steps-dir`` must be known by then.
Write a folder outside the repository with an equals sign,
``pytest --steps-dir=~/class/ana/steps``; with a space pytest takes the folder
for a test path and leaves this repository's settings behind (the check below
says so).

What it adds to a run:

* **points**: a test is worth 1 point, or ``n`` with ``@pytest.mark.points(n)``;
  a skipped test is worth nothing.
* **the grade card** (with ``--steps-dir``/``--app``, or ``--card``): one row per
  step, tests and points, the first failing check in plain words.
* **exports**: ``--junitxml`` gets the properties ``step`` and ``points``;
  ``--grade-json=FILE`` writes Gradescope's results.json; ``--grade-progress=FILE``
  streams one JSON line per event for ``scripts/grade_class.py``.
* **reasons a learner can act on**: the exception the learner's app raised (with
  its own lines, read from the app host), a route that never answers, an app
  that stopped. After one request of a step ran out of time the step's other
  tests fail at once.
* **--first-failure-per-suite**, for the self-check's matrix (``scripts/self_check.py``):
  a suite that failed once skips its other tests; whether it passes is all a cell needs.

Learner code never runs in this process (see ``apps.py``): everything here is
decided and written by the trusted side, after the app host is gone.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import httpx2
import pytest

from workshop.results import (
    REASON_LIMIT,
    Result,
    format_card,
    gradescope_results,
    number,
    points_of,
    report_reason,
    short,
    step_rows,
)
from workshop.steps import SUITE_NAME, step_of

OUTPUT_LIMIT = 4000  # characters of captured output kept per report section
DEFAULT_IMPORT_TIMEOUT = 10.0
DEFAULT_REQUEST_TIMEOUT = 10.0


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("workshop", "Bookmark Manager workshop")
    group.addoption(
        "--steps-dir",
        type=Path,
        metavar="DIR",
        help="run each step's suite against DIR/NN-*/ instead of the reference steps/",
    )
    group.addoption(
        "--app", type=Path, metavar="DIR", help="run the chosen suites against the one folder DIR that holds main.py"
    )
    group.addoption("--card", action="store_true", help="end with the grade card even without --steps-dir/--app")
    group.addoption(
        "--grade-json", type=Path, metavar="FILE", help="write the results as Gradescope's results.json to FILE"
    )
    group.addoption(
        "--grade-progress",
        type=Path,
        metavar="FILE",
        help="append one JSON line per collected list and result to FILE (scripts/grade_class.py)",
    )
    group.addoption(
        "--import-timeout",
        type=float,
        default=DEFAULT_IMPORT_TIMEOUT,
        metavar="SECONDS",
        help=f"how long a step's main.py may take to import (default {DEFAULT_IMPORT_TIMEOUT:g})",
    )
    group.addoption(
        "--request-timeout",
        type=float,
        default=DEFAULT_REQUEST_TIMEOUT,
        metavar="SECONDS",
        help=f"how long the app may take to answer one request (default {DEFAULT_REQUEST_TIMEOUT:g})",
    )
    group.addoption(
        "--first-failure-per-suite",
        action="store_true",
        help="skip the rest of a suite once one of its tests failed: enough to know that it fails "
        "(the self-check's matrix), without waiting out the time limits of every other test",
    )
    group.addoption(
        "--sandbox",
        choices=("auto", "bwrap", "none"),
        default=os.environ.get("WORKSHOP_SANDBOX", "auto"),
        help="run learner apps in a bubblewrap sandbox: auto (where it works), bwrap (or fail), none",
    )


def is_workshop(folder: Path) -> bool:
    """This repository, or a copy of its tests (scripts/grade_class.py grades with one)."""
    return (folder / "src" / "workshop" / "plugin.py").is_file() or (folder / "tests" / "workshop_checks.py").is_file()


def pytest_configure(config: pytest.Config) -> None:
    steps_dir, app = config.getoption("--steps-dir"), config.getoption("--app")
    if steps_dir and app:
        raise pytest.UsageError("use either --steps-dir or --app, not both")
    if (steps_dir or app) and not is_workshop(config.rootpath):
        option, folder = ("--steps-dir", steps_dir) if steps_dir else ("--app", app)
        raise pytest.UsageError(
            f"pytest took {folder} for a test folder and left the workshop's settings behind. "
            f"Write the option with an equals sign: {option}={folder}"
        )
    # The fixtures replace some of pytest-playwright's (the browser's launch), which only the
    # plugin registered last can do. Plugins of installed packages are loaded in the order
    # Python lists the packages, which can put ours first (PYTHONPATH=src, where the editable
    # install's metadata is); here every one of them is loaded, whatever that order.
    config.pluginmanager.import_plugin("workshop.fixtures")
    config.pluginmanager.register(Grading(config), "workshop_grading")
    if config.getoption("--first-failure-per-suite"):
        config.pluginmanager.register(FirstFailurePerSuite(), "workshop_first_failure_per_suite")
    keep_node_compile_cache()
    suites = suites_asked_for(config)
    if suites:
        from workshop.fixtures import launch_app_host

        launch_app_host(config, suites)  # it warms up (Python, FastAPI, the sandbox) while pytest collects


class FirstFailurePerSuite:
    """--first-failure-per-suite: a suite (test module) with a failed test skips its other tests."""

    def __init__(self) -> None:
        self.failed: set[str] = set()

    @staticmethod
    def suite_of(nodeid: str) -> str:
        return nodeid.split("::", 1)[0]

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        if self.suite_of(item.nodeid) in self.failed:
            pytest.skip("another test of this suite failed already (--first-failure-per-suite)")

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.failed:
            self.failed.add(self.suite_of(report.nodeid))


def keep_node_compile_cache() -> None:
    """Let Playwright's driver (Node.js) keep the code it compiles between runs: every
    browser suite starts the driver, and it starts in 0.27 s instead of 0.43 s.
    NODE_COMPILE_CACHE is Node's own switch; a value already set wins. Without a home
    folder (a bare container user), no cache: never a folder named "~" where pytest runs."""
    cache_home = Path(os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"))
    if cache_home.is_absolute():
        os.environ.setdefault("NODE_COMPILE_CACHE", str(cache_home / "bookmark-workshop" / "node-compile-cache"))


def runs_tests(config: pytest.Config) -> bool:
    """This process runs tests: not --collect-only, nor pytest-xdist's controller (its workers do)."""
    controller = bool(getattr(config.option, "numprocesses", None)) and not hasattr(config, "workerinput")
    return not config.option.collectonly and not controller


def suites_asked_for(config: pytest.Config) -> list[Path]:
    """The step suites the command line names, itself or by a folder (`pytest` alone: tests/)."""
    if not runs_tests(config):
        return []
    suites = []
    for arg in config.args:
        path = config.invocation_params.dir / arg.split("::")[0]
        for suite in sorted(path.glob("test_*.py")) if path.is_dir() else [path]:
            if SUITE_NAME.fullmatch(suite.stem):
                suites.append(suite)
    return suites


def pytest_collectstart(collector: pytest.Collector) -> None:
    """A step suite named in no argument (found by -k, say) is about to be collected: launch the
    app host now, while pytest collects. Not pytest_collect_file: pytest calls that for every
    file of a folder, also for the suites a run leaves out."""
    if isinstance(collector, pytest.Module) and SUITE_NAME.fullmatch(collector.path.stem):
        if runs_tests(collector.config):
            from workshop.fixtures import launch_app_host

            launch_app_host(collector.config)


def pytest_unconfigure(config: pytest.Config) -> None:
    from workshop.fixtures import APP_HOST

    if APP_HOST in config.stash:
        config.stash[APP_HOST].close()  # launched, and no test needed it (all deselected)


def is_step_suite(item: pytest.Item) -> bool:
    return item.path.parent.name == "tests" and SUITE_NAME.fullmatch(item.path.stem) is not None


def app_of(item: pytest.Item) -> Any:
    return getattr(item, "workshop_app", None)


def exception_reason(record: dict[str, Any]) -> str:
    """The learner's exception in one line: "the app raised KeyError (in main.py, line 12, get): 3"."""
    if record.get("validation"):
        found = record["validation"]
        return (
            f"a route returned {found['input']}, which does not match its return type: {found['msg']} "
            "(ResponseValidationError)"
        )
    where = f" (in {record['where']})" if record.get("where") else ""
    return f"the app raised {record['type']}{where}: {record['message']}"


def request_reason(error: BaseException, timeout: float) -> str | None:
    """A failed request in words, or None when the error is not about the app's answer."""
    request = getattr(error, "_request", None)
    what = f"{request.method} {request.url.path}" if request is not None else "a request"
    if isinstance(error, httpx2.TimeoutException):
        return f"no answer to {what} within {timeout:g} s: a route never returns (an endless loop?)"
    if isinstance(error, httpx2.TransportError):
        return f"the app stopped while answering {what} (does a route end Python, or crash it?)"
    return None


class Grading:
    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.steps_dir = config.getoption("--steps-dir")
        self.app_dir = config.getoption("--app")
        self.show_card = bool(self.steps_dir or self.app_dir or config.getoption("--card"))
        self.json_path = config.getoption("--grade-json")
        self.progress_path = config.getoption("--grade-progress")
        self.request_timeout = config.getoption("--request-timeout")
        self.results: dict[str, Result] = {}
        self.items: dict[str, pytest.Item] = {}
        self.folders: dict[str, str] = {}  # step -> folder name, for the card
        self.timed_out: dict[str, str] = {}  # step -> why its other tests are not run
        self.reasons: dict[str, str] = {}  # nodeid -> a better reason than the report's
        self.started = time.monotonic()
        if self.progress_path:
            self.progress_path.parent.mkdir(parents=True, exist_ok=True)

    def emit(self, **event: Any) -> None:
        """The progress stream, for scripts/grade_class.py."""
        if self.progress_path:
            with open(self.progress_path, "a", encoding="utf-8") as stream:
                stream.write(json.dumps(event) + "\n")

    @pytest.hookimpl(trylast=True)  # after -m and -k have deselected: the card names only the steps that run
    def pytest_collection_modifyitems(self, config: pytest.Config, items: list[pytest.Item]) -> None:
        """With --steps-dir only the step suites run; every step test gets its step and points."""
        if self.steps_dir is not None:
            deselected = [item for item in items if not is_step_suite(item)]
            if deselected:
                config.hook.pytest_deselected(items=deselected)
                items[:] = [item for item in items if is_step_suite(item)]
        from workshop.fixtures import folder_under_test

        for item in items:
            step = step_of(item.path)
            if step is None:
                continue
            points = points_of(item)
            item.user_properties.append(("step", step))
            item.user_properties.append(("points", number(points)))
            self.items[item.nodeid] = item
            try:
                self.folders[step] = folder_under_test(config, getattr(item, "module", None), item.path).name
            except LookupError:
                self.folders.setdefault(step, step)

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        """The progress stream lists the tests that will run: after every plugin (-m, -k) has deselected."""
        running = {item.nodeid for item in session.items}
        self.items = {nodeid: item for nodeid, item in self.items.items() if nodeid in running}
        self.emit(
            event="collected",
            tests=[
                {"nodeid": nodeid, "step": step_of(item.path), "name": item.name, "points": points_of(item)}
                for nodeid, item in self.items.items()
            ],
        )

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        step = step_of(item.path)
        if step in self.timed_out:
            # One request that ran out of time is enough: the step is lost either way,
            # and each further test would wait the whole time limit again.
            pytest.fail(f"not run: {self.timed_out[step]}", pytrace=False)

    def pytest_runtest_logstart(self, nodeid: str, location: Any) -> None:
        if nodeid in self.items:
            self.emit(event="start", nodeid=nodeid)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
        report = yield
        # Endless printing must not flood the reports.
        report.sections = [
            (
                title,
                content
                if len(content) <= OUTPUT_LIMIT
                else content[:OUTPUT_LIMIT] + f"\n... ({len(content) - OUTPUT_LIMIT} more characters cut)",
            )
            for title, content in report.sections
        ]
        if call.excinfo is None or item.nodeid not in self.items or call.when == "teardown":
            return report
        self.explain(item, call.excinfo.value, report)
        return report

    def explain(self, item: pytest.Item, error: BaseException, report: Any) -> None:
        """A reason in the learner's words: what their app did, read from the app host."""
        reason = request_reason(error, self.request_timeout)
        step = step_of(item.path)
        if reason and isinstance(error, httpx2.TimeoutException) and step is not None:
            self.timed_out[step] = f"an earlier test of this step ran out of time ({reason})"
        app = app_of(item)
        if app is None:
            if reason:
                self.reasons[item.nodeid] = reason
            return
        try:
            exceptions = app.report()
        except Exception:  # the host is gone: the request's own reason says enough
            exceptions = []
        if exceptions:
            reason = exception_reason(exceptions[0])
            report.sections.append(("the app's traceback (its own lines)", exceptions[0].get("traceback", "")))
        output = app.output()
        if output.strip():
            report.sections.append(("what the app printed", output[-OUTPUT_LIMIT:]))
        if reason:
            self.reasons[item.nodeid] = reason[:REASON_LIMIT]

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.nodeid not in self.items:
            return
        item = self.items[report.nodeid]
        result = self.results.get(report.nodeid)
        if result is None:
            result = self.results[report.nodeid] = Result(
                nodeid=report.nodeid,
                step=step_of(item.path) or "",
                name=item.name,
                points=points_of(item),
                outcome="passed",
                reason="",
            )
        if report.failed and result["outcome"] != "failed":
            result["outcome"] = "failed"
            reason = self.reasons.get(report.nodeid) or report_reason(report)
            if report.when == "teardown":
                reason = f"after the test: {reason}"
            result["reason"] = self.hide_paths(reason)
        elif report.skipped and result["outcome"] == "passed":
            result["outcome"] = "skipped"
            result["reason"] = report_reason(report)
        if report.failed or report.skipped and report.when == "setup" or report.when == "call":
            self.emit(event="result", **result)
        elif report.when == "teardown":
            self.emit(event="done", nodeid=report.nodeid)

    def hide_paths(self, reason: str) -> str:
        """A learner reads 02-list-bookmarks/main.py, not the grader's folders."""
        for base in (self.steps_dir, self.app_dir):
            if base is not None:
                for text in sorted({str(base.resolve()), str(base)}, key=len, reverse=True):  # the longer first
                    reason = reason.replace(text + os.sep, "").replace(text, "the steps folder")
        return reason

    @pytest.hookimpl(trylast=True)
    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
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


__all__ = ["Grading", "short"]
