"""Step folders and step suites: the one place that knows how they are named.

A step folder is ``NN-slug`` (``04-create-bookmark``); its suite is
``tests/test_NN_slug.py``.
"""

from __future__ import annotations

import re
from pathlib import Path

SUITE_NAME = re.compile(r"test_(\d\d)_\w+")
STEP_FOLDER = re.compile(r"(\d\d)-[\w-]+")


def step_of(suite: Path) -> str | None:
    """ "04" for tests/test_04_create_bookmark.py; None for a module that is not a step suite."""
    match = SUITE_NAME.fullmatch(suite.stem)
    return match.group(1) if match else None


def step_folders(steps_dir: Path) -> dict[str, list[Path]]:
    """The step folders in steps_dir, by number: {"04": [steps_dir/04-create-bookmark], ...}."""
    found: dict[str, list[Path]] = {}
    if steps_dir.is_dir():
        for path in sorted(steps_dir.iterdir()):
            match = STEP_FOLDER.fullmatch(path.name)
            if match and path.is_dir():
                found.setdefault(match.group(1), []).append(path)
    return found


def find_step_folder(steps_dir: Path, number: str) -> Path:
    """The one folder NN-* in steps_dir; raises LookupError with a learner's message otherwise."""
    found = step_folders(steps_dir).get(number, [])
    if not found:
        raise LookupError(f"step {number}: there is no folder {number}-* in {steps_dir}")
    if found[0].is_symlink():
        # A link is not the learner's work: a link to the reference steps would earn its points.
        raise LookupError(f"step {number}: {found[0].name} is a link, not a folder: hand in the folder itself")
    if len(found) > 1:
        names = ", ".join(path.name for path in found)
        raise LookupError(f"step {number}: more than one folder {number}-* in {steps_dir}: {names}")
    return found[0]
