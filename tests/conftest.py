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
is the system Chromium (``CHROMIUM_PATH``, else ``chromium`` on the PATH), else
Playwright's own where it is installed, else the tests skip with a hint (and
fail under ``CI=true``).
"""

import importlib.util
import os
import re
import shutil
import sys
from itertools import count
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

REPOSITORY = Path(__file__).resolve().parent.parent
REFERENCE_STEPS = REPOSITORY / "steps"
SUITE_NAME = re.compile(r"test_(\d\d)_\w+")

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
    "`sudo apt-get install chromium`) or set CHROMIUM_PATH to a Chrome or Chromium binary"
)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args, playwright):
    """Launch the system Chromium (playwright install cannot download a browser here)."""
    system = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")
    if system and Path(system).is_file():
        return {**browser_type_launch_args, "executable_path": system}
    if Path(playwright.chromium.executable_path).is_file():
        return browser_type_launch_args  # Playwright's own Chromium
    if os.environ.get("CI"):
        pytest.fail(BROWSER_HINT, pytrace=False)
    pytest.skip(BROWSER_HINT)
