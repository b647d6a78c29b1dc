"""The workshop's one test harness.

Every suite tests one step, and its file name says which:
``tests/test_04_create_bookmark.py`` tests the step folder ``04-*``.

Where that folder is looked up:

* by default, in this repository's ``steps/`` (the reference steps);
* ``--steps-dir DIR``: in ``DIR`` instead, e.g. a learner's copy of ``steps/``;
* ``--app DIR``: ``DIR`` itself is the folder, for every chosen suite
  (a learner who keeps one app and grows it step by step).

(The two options are declared in ``workshop_plugin.py``: see why there.)

Each test gets a fresh import of the folder's ``main.py``, so the in-memory
store of one test never leaks into the next, and a ``TestClient`` for its
``app``. A folder that is missing, whose ``main.py`` does not import, or that
has no ``app``, fails that step's tests with a message saying so.

A test module that is not a step suite (an exercise's suite, say) names its
default folder itself: ``REFERENCE = "exercises/02-search"``, relative to the
repository; ``--app`` still overrides it. With ``--steps-dir`` only the step
suites run: the workshop's checks of itself (docs, exercises) are about this
repository, not about a learner's copy.

Browser tests use pytest-playwright's ``page``/``browser`` fixtures; the browser
is the system Chromium (``CHROMIUM_PATH``, else ``chromium-headless-shell`` or
``chromium`` on the PATH), else
Playwright's own where it is installed, else the tests skip with a hint (and
fail under ``CI=true``).
"""

import asyncio
import importlib.util
import os
import shutil
import socket
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from io import BytesIO
from itertools import count
from pathlib import Path

import pytest
import uvicorn
from fastapi.testclient import TestClient
from workshop_grading import SUITE_NAME  # the one definition of a step suite's file name

REPOSITORY = Path(__file__).resolve().parent.parent
REFERENCE_STEPS = REPOSITORY / "steps"

_module_names = count(1)


def pytest_collection_modifyitems(config, items):
    """With --steps-dir, run the step suites only (tests/test_NN_*.py)."""
    if config.getoption("--steps-dir") is None:
        return
    def is_step_suite(item):
        return item.path.parent == REPOSITORY / "tests" and SUITE_NAME.fullmatch(item.path.stem)
    deselected = [item for item in items if not is_step_suite(item)]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if is_step_suite(item)]


def step_number(suite_path: Path) -> str:
    """The two-digit step a suite tests, from its file name: test_04_... -> "04"."""
    match = SUITE_NAME.fullmatch(suite_path.stem)
    if match is None:
        raise pytest.UsageError(f"{suite_path.name} is not named test_NN_slug.py")
    return match.group(1)


def find_step_folder(steps_dir: Path, number: str) -> Path:
    """The one folder NN-* in steps_dir; fails the test when there is none or several."""
    found = sorted(path for path in steps_dir.glob(f"{number}-*") if path.is_dir())
    if not found:
        pytest.fail(f"step {number}: there is no folder {number}-* in {steps_dir}", pytrace=False)
    if len(found) > 1:
        names = ", ".join(path.name for path in found)
        pytest.fail(f"step {number}: more than one folder {number}-* in {steps_dir}: {names}", pytrace=False)
    return found[0]


def load_app(folder: Path):
    """Import folder/main.py as a brand-new module and return its `app`."""
    main = folder / "main.py"
    if not main.is_file():
        pytest.fail(f"{folder} has no main.py", pytrace=False)

    spec = importlib.util.spec_from_file_location(f"step_main_{next(_module_names)}", main)
    module = importlib.util.module_from_spec(spec)
    modules_before = set(sys.modules)
    # The folder goes on the path so that main.py can import files beside it.
    sys.path.insert(0, str(folder))
    try:
        spec.loader.exec_module(module)
    except (Exception, SystemExit) as error:
        pytest.fail(f"{main} could not be imported: {type(error).__name__}: {error}", pytrace=False)
    finally:
        sys.path.remove(str(folder))
        # Forget the folder's own helper modules, so the next step imports its own.
        for name in set(sys.modules) - modules_before:
            source = getattr(sys.modules[name], "__file__", None) or ""
            if Path(source).resolve().is_relative_to(folder.resolve()):
                del sys.modules[name]

    app = getattr(module, "app", None)
    if app is None:
        pytest.fail(f"{main} has no `app`: write `app = FastAPI()` at the top level", pytrace=False)
    return app


@pytest.fixture
def step_dir(request) -> Path:
    """The folder under test for this suite's step."""
    app_dir = request.config.getoption("--app")
    if app_dir is not None:
        if not app_dir.is_dir():
            pytest.fail(f"--app {app_dir}: there is no such folder", pytrace=False)
        return app_dir
    reference = getattr(request.module, "REFERENCE", None)
    if reference is not None:
        return REPOSITORY / reference
    steps_dir = request.config.getoption("--steps-dir") or REFERENCE_STEPS
    return find_step_folder(steps_dir, step_number(request.path))


@pytest.fixture(autouse=True)
def _skip_replaced_behaviour(request):
    """A test marked until_step(N) shows what step N takes away (08's CORS block,
    which 09 removes): it is skipped against a folder numbered N or later."""
    marker = request.node.get_closest_marker("until_step")
    if marker is None:
        return
    folder = request.getfixturevalue("step_dir")
    number = folder.name[:2]
    if number.isdigit() and int(number) >= marker.args[0]:
        pytest.skip(f"step {number} replaces this behaviour (it belongs to the steps before {marker.args[0]:02d})")


@pytest.fixture
def app(step_dir):
    """A fresh instance of the step's FastAPI app: nothing left over from another test."""
    return load_app(step_dir)


@pytest.fixture
def client(app):
    """A TestClient that sends requests to the app without a real server."""
    with TestClient(app) as test_client:
        yield test_client


# --- Browser tests -----------------------------------------------------------

BROWSER_HINT = (
    "no Chromium to run the browser tests: install it (Debian/Ubuntu: "
    "`sudo apt-get install chromium chromium-headless-shell`) or set CHROMIUM_PATH to a Chrome or Chromium binary"
)

# Debian's chromium-headless-shell is the build Playwright itself runs headless
# tests in: the same engine without the browser's window machinery, so a page
# costs about a third of the CPU. Used when it is there, unless --headed.
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


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args, playwright):
    """Launch the system Chromium (playwright install cannot download a browser here)."""
    system = system_chromium(headless=browser_type_launch_args.get("headless", True))
    if system and Path(system).is_file():
        return {**browser_type_launch_args, "executable_path": system}
    if Path(playwright.chromium.executable_path).is_file():
        return browser_type_launch_args  # Playwright's own Chromium
    if os.environ.get("CI"):
        pytest.fail(BROWSER_HINT, pytrace=False)
    pytest.skip(BROWSER_HINT)


# --- The two servers of a frontend step -------------------------------------
#
# A learner runs two servers: uvicorn serves the API on :8000, and
# `python -m http.server 5500` serves index.html on :5500, another origin.
# The tests do the same on free ports (bound to port 0, so the OS picks a free
# one), so they never collide with the learner's own servers, and the page is
# still cross-origin, which is what CORS is about.
#
# Both servers start once per test session, in background threads. What
# changes from test to test is what they serve: each test gives the API
# server a freshly imported app (nothing left over from the test before) and
# tells the page server which step folder to serve.

# The address the learner's page uses for the API, as the docs tell them.
LEARNER_API_URLS = ("http://127.0.0.1:8000", "http://localhost:8000")
ALLOWED_ORIGINS_VARIABLE = "ALLOWED_ORIGINS"


def _listening_socket(port: int = 0) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    # SO_REUSEADDR: the API can start again on the port it was stopped on.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    return sock


class ApiServer:
    """uvicorn in a background thread, serving whichever app `self.app` is.

    `hold()` makes every request wait until it is released, so a test can look
    at the page while a request is in flight (no sleeps, no timing).
    `stop()` and `start()` take the API away and bring it back on the same port.
    """

    def __init__(self):
        self.app = None
        self.port = 0
        self._gate = threading.Event()
        self._gate.set()
        self._server = self._thread = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return  # no lifespan: the step apps need none, and each test brings a new app
        if not self._gate.is_set():
            await asyncio.to_thread(self._gate.wait)
        await self.app(scope, receive, send)

    def start(self):
        sock = _listening_socket(self.port)
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(self, lifespan="off", log_level="critical", access_log=False)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]}, daemon=True)
        self._thread.start()
        while not self._server.started and self._thread.is_alive():
            threading.Event().wait(0.01)  # start-up only: wait until uvicorn listens
        if not self._server.started:
            raise RuntimeError("the test API server did not start")

    def stop(self):
        self._gate.set()
        self._server.should_exit = True
        self._thread.join()

    def hold(self):
        self._gate.clear()

    def release(self):
        self._gate.set()


class _PageHandler(SimpleHTTPRequestHandler):
    """http.server's handler, plus: the page's API address becomes the test API's."""

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if path.suffix not in (".html", ".js") or not path.is_file():
            return super().send_head()
        text = path.read_text(encoding="utf-8")
        for learner_url in LEARNER_API_URLS:
            text = text.replace(learner_url, self.server.api_url)
        body = text.encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return BytesIO(body)

    def end_headers(self):
        # Every test may serve another step's page at the same address: never cache.
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, *args):
        pass  # keep the test output quiet


class PageServer(ThreadingHTTPServer):
    """Serves one step folder, like `python -m http.server`, on a free port."""

    daemon_threads = True

    def __init__(self, api_url: str):
        self.folder = REPOSITORY
        self.api_url = api_url
        super().__init__(("127.0.0.1", 0), self._handler)

    def _handler(self, *args, **kwargs):
        return _PageHandler(*args, directory=str(self.folder), **kwargs)

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


@pytest.fixture(scope="session")
def api_server():
    server = ApiServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def page_server(api_server):
    server = PageServer(api_server.url)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def load_step_app(step_dir, monkeypatch, page_server):
    """Import the step's main.py afresh, with the test page's origin allowed
    (ALLOWED_ORIGINS, read by step 09 on) unless `allowed_origins` says otherwise."""

    def load(allowed_origins: str | None = page_server.origin):
        if allowed_origins is None:
            monkeypatch.delenv(ALLOWED_ORIGINS_VARIABLE, raising=False)
        else:
            monkeypatch.setenv(ALLOWED_ORIGINS_VARIABLE, allowed_origins)
        return load_app(step_dir)

    return load


@pytest.fixture
def live_api(api_server, load_step_app):
    """The step's app, served for real by uvicorn; `live_api.client` checks its
    store through the API. Always running again and never held after the test."""
    api_server.app = load_step_app()
    api_server.client = TestClient(api_server.app)
    yield api_server
    api_server.release()
    if not api_server._thread.is_alive():
        api_server.start()


@pytest.fixture
def open_page(request, page, page_server, step_dir):
    """Serve the step folder and open its page. `page.dialogs` records alert()
    and the like (a confirm() is accepted, as a learner would), `page.errors`
    the uncaught JavaScript errors, `page.console` the console's messages."""
    page_server.folder = step_dir
    page.dialogs, page.errors, page.console = [], [], []
    # Everything happens on this machine: when a click cannot happen within
    # 5 seconds (Playwright's wait for expect()), it never will. Fail fast.
    page.set_default_timeout(5000)

    def on_dialog(dialog):
        page.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.accept() if dialog.type == "confirm" else dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.on("console", lambda message: page.console.append(message.text))

    # From step 08 on the page talks to the API: without a script, fail at once
    # instead of after a timeout in every test.
    suite = SUITE_NAME.fullmatch(request.path.stem)
    needs_javascript = suite is not None and int(suite.group(1)) >= 8

    def open_():
        page_file = step_dir / "index.html"
        if not page_file.is_file():
            pytest.fail(f"{step_dir} has no index.html", pytrace=False)
        if needs_javascript and "<script" not in page_file.read_text(encoding="utf-8").lower():
            pytest.fail(f"{page_file} has no <script> yet: it cannot talk to the API", pytrace=False)
        page.goto(page_server.origin + "/")
        return page

    return open_
