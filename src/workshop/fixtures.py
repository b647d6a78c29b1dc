"""The fixtures every suite uses: how a test reaches the learner's app and page.

* ``step_dir``: the folder under test (the learner's own; the test process only
  reads it).
* ``learner_app``: the learner's app for this test, started afresh in the app
  host (out of process, sandboxed on Linux) on a port of its own; see
  ``apps.LearnerApp`` for what a test can do with it (restart with another
  environment, stop and start, hold requests, make a route raise).
* ``client``: an HTTP client for that app (httpx2), the same calls as
  Starlette's TestClient: ``client.post("/bookmarks", json=...)``.
* ``live_api``: the same app, for the browser suites (``live_api.client``).
* ``open_page``: opens the step's ``index.html`` in Chromium at
  http://127.0.0.1:5500/, where the learner serves it; the browser is told
  (``--host-resolver-rules``) that 127.0.0.1:5500 is the test's page server and
  127.0.0.1:8000 / localhost:8000 the test's app, so the page's own code and
  addresses are used as they are, and the learner's own servers on 8000 and
  5500 are never touched. ``open_page(from_app=True)`` opens the page the app
  serves itself (step 16 on), at http://bookmarks.example/, also mapped to the
  app. In a run on a learner's work (``--steps-dir``, ``--app``) every other
  address is unknown to the browser.

Where the folder is looked up: the reference ``steps/`` by default;
``--steps-dir=DIR`` (``DIR/NN-*``); ``--app=DIR`` (``DIR`` itself, for every
chosen suite). A module that is not a step suite names its default folder with
``REFERENCE = "exercises/02-search"``.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable, Iterator, Sequence
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx2
import pytest

from workshop.apps import AppFailed, AppHost, LearnerApp, free_port, make_host
from workshop.steps import find_step_folder, read_step_file, step_of

# Where the learner serves the two halves, as the pages tell them; from step 16 on the
# app serves its page too, opened at a deployed app's address (another host than 8000's).
LEARNER_API = ("127.0.0.1:8000", "localhost:8000", "bookmarks.example:80")
LEARNER_PAGE = ("127.0.0.1:5500", "localhost:5500")
PAGE_URL = "http://127.0.0.1:5500/"
APP_HOST = pytest.StashKey[AppHost]()  # launched as soon as a step suite is collected
APP_PAGE_URL = "http://bookmarks.example/"
NEVER_IMPORTS = pytest.StashKey[dict[Path, str]]()  # step folders whose main.py ran out of import time
NEXT_TEST = pytest.StashKey["pytest.Item | None"]()  # the test pytest runs after this one, if it knows


def repository(config: pytest.Config) -> Path:
    return config.rootpath


def folder_under_test(config: pytest.Config, module: Any, suite: Path) -> Path:
    """The one answer to "which folder does this test check?" (raises LookupError)."""
    app_dir = config.getoption("--app")
    if app_dir is not None:
        if not app_dir.is_dir():
            raise LookupError(f"--app {app_dir}: there is no such folder")
        if app_dir.is_symlink():  # a link to the reference steps is not the learner's work
            raise LookupError(f"--app {app_dir} is a link, not a folder: check the folder itself")
        return Path(str(app_dir)).resolve()
    reference = getattr(module, "REFERENCE", None)
    if reference is not None:
        return repository(config) / str(reference)
    number = step_of(suite)
    if number is None:
        raise LookupError(f"{suite.name} is neither a step suite (test_NN_slug.py) nor names a REFERENCE folder")
    steps_dir = config.getoption("--steps-dir") or repository(config) / "steps"
    return find_step_folder(Path(steps_dir).resolve(), number)


@pytest.fixture
def step_dir(request: pytest.FixtureRequest) -> Path:
    """The folder under test for this suite's step."""
    try:
        return folder_under_test(request.config, request.module, request.path)
    except LookupError as error:
        pytest.fail(str(error), pytrace=False)


def launch_app_host(config: pytest.Config, suites: Sequence[Path] = ()) -> AppHost:
    """The session's app host, launched now: it warms up while pytest collects, with the
    libraries of the folders these suites check (a database, passwords) if they use any."""
    if APP_HOST not in config.stash:
        host = make_host(sandbox=config.getoption("--sandbox"), import_timeout=config.getoption("--import-timeout"))
        config.stash[APP_HOST] = host
        for suite in suites:
            try:
                host.expect(folder_under_test(config, None, suite))
            except LookupError:
                pass  # the suite's tests say why
        try:
            host.warm()
        except AppFailed:
            pass  # the first test that needs an app says why
    return config.stash[APP_HOST]


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> None:
    item.stash[NEXT_TEST] = nextitem  # pytest-xdist's workers know it too: they keep one test in hand


def next_test_checks(request: pytest.FixtureRequest, step_dir: Path) -> bool:
    """The next test checks this folder too: an app imported for it in advance will be used.
    After a suite's last test it would not (the next suite checks another step)."""
    nextitem = request.node.stash.get(NEXT_TEST, None)
    if nextitem is None:
        return False
    try:
        return folder_under_test(request.config, getattr(nextitem, "module", None), nextitem.path) == step_dir
    except LookupError:
        return False


@pytest.fixture(scope="session")
def app_host(pytestconfig: pytest.Config) -> Iterator[AppHost]:
    host = launch_app_host(pytestconfig)
    yield host
    host.close()  # every learner process is gone before any result is written


@pytest.fixture(scope="session")
def api_port() -> int:
    """The port of the learner's app for the whole session (the browser maps :8000 to it)."""
    return free_port()


# The app the last case of a one_app test left running, for the test's next case.
KEPT_APP = pytest.StashKey[tuple[tuple[str, Path], LearnerApp]]()


def one_app_key(request: pytest.FixtureRequest, step_dir: Path) -> tuple[str, Path] | None:
    """The cases of a test marked one_app share an app (per step folder); other tests get none."""
    if request.node.get_closest_marker("one_app") is None:
        return None
    function = getattr(request.node, "originalname", request.node.name)
    return f"{request.node.path}::{function}", step_dir


def kept_app(request: pytest.FixtureRequest, key: tuple[str, Path] | None) -> LearnerApp | None:
    """The app the case before left for this one, if it is this test's and still runs; else
    that app is stopped, and the case gets a fresh one."""
    kept = request.config.stash.get(KEPT_APP, None)
    if kept is None:
        return None
    del request.config.stash[KEPT_APP]
    kept_key, app = kept
    if key == kept_key and app.next_case():
        return app
    app.stop()
    return None


@pytest.fixture
def learner_app(
    request: pytest.FixtureRequest, app_host: AppHost, step_dir: Path, api_port: int
) -> Iterator[LearnerApp]:
    """The learner's app for this test, fresh, as the learner starts it. The cases of a test
    marked one_app (each only reads, or sends what the app must refuse, and checks only its
    own answers) share one: an app start is most of what such a case costs."""
    key = one_app_key(request, step_dir)
    app = kept_app(request, key)
    if app is not None and key is not None:
        request.node.workshop_app = app
        yield app
        request.config.stash[KEPT_APP] = (key, app)
        return
    app = LearnerApp(app_host, step_dir, port=api_port, request_timeout=request.config.getoption("--request-timeout"))
    request.node.workshop_app = app  # the plugin names the app's exceptions from it
    never_imports: dict[Path, str] = request.config.stash.setdefault(NEVER_IMPORTS, {})
    if step_dir in never_imports:  # waiting out the import's time limit again would change nothing
        pytest.fail(f"not run: {never_imports[step_dir]}", pytrace=False)
    try:
        app.start()
    except AppFailed as error:
        if "did not finish importing" in str(error):
            never_imports[step_dir] = f"an earlier test of this step: {error}"
        pytest.fail(f"step {step_dir.name}: {error}", pytrace=False)
    prepare = next_test_checks(request, step_dir)
    if prepare:
        app.prepare_next()  # on the other CPU, while this test runs: the next test's app starts at once
    yield app
    if key is not None and app.running:
        request.config.stash[KEPT_APP] = (key, app)  # for the test's next case, if it has one
        return
    app.stop()
    if prepare and step_dir not in never_imports:
        app.prepare_next()  # the next test of this step starts at once


@pytest.fixture
def client(learner_app: LearnerApp) -> httpx2.Client:
    """An HTTP client for the learner's app: client.get("/bookmarks"), client.post(..., json=...)."""
    return learner_app.client


@pytest.fixture
def live_api(learner_app: LearnerApp) -> LearnerApp:
    """The learner's app, for the browser suites: live_api.client reads what it holds."""
    return learner_app


# --- The browser ------------------------------------------------------------------

PAGE_TIMEOUT_MS = 10_000  # how long a page action or a check of the page waits
BROWSER_HINT = (
    "no Chromium to run the browser tests: install it (Debian: "
    "`sudo apt-get install chromium chromium-headless-shell`; Ubuntu, other systems: "
    "`python -m playwright install chromium`) or set CHROMIUM_PATH to a Chrome or Chromium binary"
)
# Debian's chromium-headless-shell is the build Playwright itself runs headless tests
# in: the same engine without the browser's window machinery, a third of the CPU.
HEADLESS_SHELLS = ("chromium-headless-shell",)
BROWSERS = ("chromium", "chromium-browser")


def system_chromium(headless: bool = True) -> str | None:
    """The Chromium binary the browser tests launch: CHROMIUM_PATH, else the system's."""
    if os.environ.get("CHROMIUM_PATH"):
        return os.environ["CHROMIUM_PATH"]
    for name in (HEADLESS_SHELLS if headless else ()) + BROWSERS:
        if shutil.which(name):
            return shutil.which(name)
    return None


class _PageHandler(SimpleHTTPRequestHandler):
    """``python -m http.server``, for one folder, never cached, never outside the folder."""

    def send_head(self) -> Any:
        folder = Path(self.directory).resolve()
        path = Path(self.translate_path(self.path)).resolve()
        if path != folder and not path.is_relative_to(folder):
            self.send_error(404, "not in the step folder")
            return None
        return super().send_head()

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")  # every test may serve another step's page
        super().end_headers()

    def log_message(self, *args: Any) -> None:
        pass


class PageServer(ThreadingHTTPServer):
    """Serves one step folder on a free port; the browser knows it as 127.0.0.1:5500."""

    daemon_threads = True

    def __init__(self) -> None:
        self.folder = Path.cwd()
        super().__init__(("127.0.0.1", 0), self._handler)

    def _handler(self, *args: Any, **kwargs: Any) -> _PageHandler:
        return _PageHandler(*args, directory=str(self.folder), **kwargs)

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    @property
    def origin(self) -> str:
        """The page's origin as the browser and the app see it."""
        return PAGE_URL.rstrip("/")


@pytest.fixture(scope="session")
def page_server() -> Iterator[PageServer]:
    server = PageServer()
    # serve_forever looks at shutdown() every poll_interval: the default 0.5 s was, on
    # average, a quarter of a second at the end of every browser suite.
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def host_resolver_rules(api_port: int, page_port: int, lock_down: bool) -> str:
    rules = [f"MAP {address} 127.0.0.1:{api_port}" for address in LEARNER_API]
    rules += [f"MAP {address} 127.0.0.1:{page_port}" for address in LEARNER_PAGE]
    if lock_down:  # a learner's page reaches nothing else: no other learner's app, no internet
        rules.append("MAP * ~NOTFOUND")
    return ", ".join(rules)


@pytest.fixture(scope="session")
def browser_type_launch_args(
    browser_type_launch_args: dict[str, Any],
    playwright: Any,
    api_port: int,
    page_server: PageServer,
    pytestconfig: pytest.Config,
) -> dict[str, Any]:
    """Launch the system Chromium (playwright install cannot download a browser here),
    with the learner's addresses mapped to the test's servers."""
    lock_down = bool(pytestconfig.getoption("--steps-dir") or pytestconfig.getoption("--app"))
    rules = host_resolver_rules(api_port, page_server.port, lock_down)
    # WebRTC sends to IP addresses without asking the resolver: without this, a page reaches
    # any address over UDP (STUN/TURN), past the rules above.
    webrtc = "--force-webrtc-ip-handling-policy=disable_non_proxied_udp"
    args = [*browser_type_launch_args.get("args", []), f"--host-resolver-rules={rules}", webrtc]
    launch = {**browser_type_launch_args, "args": args}
    system = system_chromium(headless=browser_type_launch_args.get("headless", True))
    if system and Path(system).is_file():
        return {**launch, "executable_path": system}
    if Path(playwright.chromium.executable_path).is_file():
        return launch  # Playwright's own Chromium
    if os.environ.get("CI"):
        pytest.fail(BROWSER_HINT, pytrace=False)
    pytest.skip(BROWSER_HINT)


@pytest.fixture
def open_page(request: pytest.FixtureRequest, page: Any, page_server: PageServer, step_dir: Path) -> Callable[..., Any]:
    """Serve the step folder and open its page at http://127.0.0.1:5500/; or, with
    ``open_page(from_app=True)``, open the page the learner's app serves at its own /
    (as http://bookmarks.example/).

    ``page.dialogs`` records alert() and the like (a confirm() is accepted, as a
    learner would), ``page.errors`` the uncaught JavaScript errors,
    ``page.console`` the console's messages."""
    page_server.folder = step_dir
    page.dialogs, page.errors, page.console = [], [], []
    # Everything happens on this machine: what does not happen within 10 s never will. Not 5 s:
    # a class graded three learners at once on two CPUs (Chromium, Argon2) once took longer for a
    # correct step 17, and lost its points. The wait ends as soon as the page is right.
    from playwright.sync_api import expect

    page.set_default_timeout(PAGE_TIMEOUT_MS)
    expect.set_options(timeout=PAGE_TIMEOUT_MS)

    def on_dialog(dialog: Any) -> None:
        page.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.accept() if dialog.type == "confirm" else dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.on("console", lambda message: page.console.append(message.text))

    # From step 08 on the page talks to the API: without a script, fail at once
    # instead of after a timeout in every test.
    number = step_of(request.path)
    needs_javascript = number is not None and int(number) >= 8

    def open_(from_app: bool = False) -> Any:
        if from_app:  # the page as the learner's app serves it, wherever its file is
            page.goto(APP_PAGE_URL)
            return page
        html = read_step_file(step_dir, "index.html")
        if html is None:
            pytest.fail(f"{step_dir.name} has no index.html (a link out of the folder does not count)", pytrace=False)
        if needs_javascript and "<script" not in html.lower():
            pytest.fail(f"{step_dir.name}/index.html has no <script> yet: it cannot talk to the API", pytrace=False)
        page.goto(PAGE_URL)
        return page

    return open_
