"""Step folders and step suites: the one place that knows how they are named.

A step folder is ``NN-slug`` (``04-create-bookmark``); its suite is
``tests/test_NN_slug.py``.
"""

from __future__ import annotations

import re
from pathlib import Path

SUITE_NAME = re.compile(r"test_(\d\d)_\w+")
STEP_FOLDER = re.compile(r"(\d\d)-[\w-]+")


def read_step_file(step_dir: Path, name: str) -> str | None:
    """The text of the file `name` in a learner's step folder; None when there is none, or it
    (or a folder on its way) is a link out of the step folder. A hand-in's link may point at
    any file of the grader's: its text must not reach a check, whose message could show it."""
    path = step_dir / name
    if not path.is_file() or not path.resolve().is_relative_to(step_dir.resolve()):
        return None
    return path.read_text(encoding="utf-8", errors="replace")


def step_of(suite: Path) -> str | None:
    """ "04" for tests/test_04_create_bookmark.py; None for a module that is not a step suite."""
    match = SUITE_NAME.fullmatch(suite.stem)
    return match.group(1) if match else None


def step_folders(steps_dir: Path, number: str | None = None) -> dict[str, list[Path]]:
    """The step folders in steps_dir, by number: {"04": [steps_dir/04-create-bookmark], ...};
    with `number`, only that step's. A folder that holds nothing but Python's caches is no
    step: git leaves one behind where a step folder was renamed (its __pycache__ is not tracked)."""
    found: dict[str, list[Path]] = {}
    if steps_dir.is_dir():
        for path in sorted(steps_dir.glob(f"{number}-*" if number else "*")):
            match = STEP_FOLDER.fullmatch(path.name)
            if match and path.is_dir() and not only_caches(path):
                found.setdefault(match.group(1), []).append(path)
    return found


def only_caches(folder: Path) -> bool:
    """The folder has files, and all are compiled Python (a link counts as no cache). Stops at
    the first other file: a step folder's main.py comes first."""
    seen = False
    for path in folder.rglob("*"):
        if path.is_dir() and not path.is_symlink():
            continue
        if path.is_symlink() or path.parent.name != "__pycache__" or path.suffix != ".pyc":
            return False
        seen = True
    return seen


def find_step_folder(steps_dir: Path, number: str) -> Path:
    """The one folder NN-* in steps_dir; raises LookupError with a learner's message otherwise."""
    found = step_folders(steps_dir, number).get(number, [])
    if not found:
        raise LookupError(f"step {number}: there is no folder {number}-* in {steps_dir}")
    if found[0].is_symlink():
        # A link is not the learner's work: a link to the reference steps would earn its points.
        raise LookupError(f"step {number}: {found[0].name} is a link, not a folder: hand in the folder itself")
    if len(found) > 1:
        names = ", ".join(path.name for path in found)
        raise LookupError(f"step {number}: more than one folder {number}-* in {steps_dir}: {names}")
    return found[0]
