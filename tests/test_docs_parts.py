"""The pages' generated parts are up to date, and show what changed as they should.

The step pages include parts that scripts/build_docs_parts.py writes into docs/generated/
(the code that changed, the diff, the curl examples, the exercises, the step map): no
MkDocs hook builds them, so any tool that reads mkdocs.yml builds the same site. A part
that no longer matches its sources (a step folder, an example, an exercise) fails here,
with the command that writes it again.
"""

import importlib
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))  # docs_parts/, the code that writes the pages' generated parts
changes = importlib.import_module("docs_parts.changes")
STEPS = changes.step_folders()


def test_the_generated_parts_are_up_to_date():
    result = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "build_docs_parts.py"), "--check"],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, (
        "the docs' generated parts do not match their sources:\n"
        f"{result.stdout}{result.stderr}"
        "write them again with `python scripts/build_docs_parts.py` and commit them"
    )


def test_changed_places_hold_every_new_line_with_a_little_context():
    places = changes.changed_places([5, 6, 7, 20, 40, 41], length=42)
    around = changes.CONTEXT
    assert [(place.first, place.last, place.new) for place in places] == [
        (5 - around, 7 + around, [5, 6, 7]),
        (20 - around, 20 + around, [20]),
        (40 - around, 42, [40, 41]),  # not beyond the file's last line
    ]
    # Two changes a few lines apart are one place, not two blocks repeating the lines between.
    assert len(changes.changed_places([10, 10 + changes.JOIN], length=100)) == 1


@pytest.mark.parametrize("step", STEPS)
def test_every_new_line_is_highlighted_once_and_unchanged_files_are_not_printed(step):
    part = changes.code_part(step)
    before = changes.previous_step(step)
    for change in changes.file_changes(step):
        included = part.count(f'--8<-- "steps/{step}/{change.file}')
        if change.old == change.new:
            assert included == 0, f"{step}: {change.file} is unchanged, yet printed"
            assert f"`{change.file}` is unchanged since step {before[:2]}" in part
        elif not change.old:
            assert included == 1, f"{step}: the new file {change.file} should be printed once, whole"
        else:
            places = changes.changed_places(change.new_lines, len(change.new))
            # each place, then the whole file, collapsed
            assert included == len(places) + 1
            assert f'??? example "The whole {change.file}"' in part
            shown = {number for place in places for number in range(place.first, place.last + 1)}
            assert set(change.new_lines) <= shown


def test_the_lines_to_type_are_counted_without_blank_lines():
    change = changes.FileChange("main.py", ["a", "b"], ["a", "", "new()", "b", "  "])
    assert change.new_lines == [2, 3, 5]
    assert change.typed == 1
