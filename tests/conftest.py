"""The workshop's one test harness.

Every suite tests one step, and its file name says which:
``tests/test_04_create_bookmark.py`` tests the step folder ``04-*``.

Where that folder is looked up:

* by default, in this repository's ``steps/`` (the reference steps);
* ``--steps-dir DIR``: in ``DIR`` instead, e.g. a learner's copy of ``steps/``;
* ``--app DIR``: ``DIR`` itself is the folder, for every chosen suite
  (a learner who keeps one app and grows it step by step).

Each test gets a fresh import of the folder's ``main.py``, so the in-memory
store of one test never leaks into the next, and a ``TestClient`` for its
``app``. A folder that is missing, whose ``main.py`` does not import, or that
has no ``app``, fails that step's tests with a message saying so.
"""

import importlib.util
import re
import sys
from itertools import count
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

REFERENCE_STEPS = Path(__file__).resolve().parent.parent / "steps"
SUITE_NAME = re.compile(r"test_(\d\d)_\w+")

_module_names = count(1)


def pytest_addoption(parser):
    group = parser.getgroup("workshop", "Bookmark Manager workshop")
    group.addoption(
        "--steps-dir",
        type=Path,
        metavar="DIR",
        help="run each suite against DIR/NN-*/ instead of the reference steps/",
    )
    group.addoption(
        "--app",
        type=Path,
        metavar="DIR",
        help="run the chosen suites against the one folder DIR that holds main.py",
    )


def pytest_configure(config):
    if config.getoption("--steps-dir") and config.getoption("--app"):
        raise pytest.UsageError("use either --steps-dir or --app, not both")


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
    steps_dir = request.config.getoption("--steps-dir") or REFERENCE_STEPS
    return find_step_folder(steps_dir, step_number(request.path))


@pytest.fixture
def app(step_dir):
    """A fresh instance of the step's FastAPI app: nothing left over from another test."""
    return load_app(step_dir)


@pytest.fixture
def client(app):
    """A TestClient that sends requests to the app without a real server."""
    with TestClient(app) as test_client:
        yield test_client
