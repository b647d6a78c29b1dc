"""The workshop's pytest plugin: the command-line options of the harness in conftest.py.

They live here, in a plugin installed with the workshop (``-e .`` in
requirements.txt, see pyproject.toml), and not in conftest.py: pytest reads the
command line before it loads a conftest.py, and would answer
"unrecognized arguments: --steps-dir".

Write a folder outside this repository with an equals sign,
``pytest --steps-dir=~/class/ana/steps``. pytest picks its root folder and its
settings before any plugin is loaded, and in ``--steps-dir ~/class/ana/steps``
it takes the folder for a test path and roots the run there, without this
repository's settings. The check below stops such a run with that advice.

Grading (points, the grade card, exports, the guards against a learner's
broken code) lives in ``workshop_grading.py``, which this plugin loads.
"""

from pathlib import Path

import pytest

pytest_plugins = ["workshop_grading"]


def pytest_addoption(parser):
    group = parser.getgroup("workshop", "Bookmark Manager workshop")
    group.addoption(
        "--steps-dir",
        type=Path,
        metavar="DIR",
        help="run each step's suite against DIR/NN-*/ instead of the reference steps/",
    )
    group.addoption(
        "--app",
        type=Path,
        metavar="DIR",
        help="run the chosen suites against the one folder DIR that holds main.py",
    )


REPOSITORY = Path(__file__).resolve().parent.parent


def is_workshop(folder: Path) -> bool:
    """This repository, or a copy of its tests (scripts/grade_class.py grades with one)."""
    return folder == REPOSITORY or (folder / "tests" / "workshop_checks.py").is_file()


def pytest_configure(config):
    steps_dir, app = config.getoption("--steps-dir"), config.getoption("--app")
    if steps_dir and app:
        raise pytest.UsageError("use either --steps-dir or --app, not both")
    if (steps_dir or app) and not is_workshop(config.rootpath):
        option, folder = ("--steps-dir", steps_dir) if steps_dir else ("--app", app)
        raise pytest.UsageError(
            f"pytest took {folder} for a test folder and left the workshop's settings behind. "
            f"Write the option with an equals sign: {option}={folder}"
        )
