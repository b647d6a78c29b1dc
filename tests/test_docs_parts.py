"""The pages' generated parts are up to date, and show what changed as they should.

The step pages include parts that scripts/build_docs_parts.py writes into docs/generated/
(the code that changed, the diff, the curl examples, the exercises, the step map): no
MkDocs hook builds them, so any tool that reads mkdocs.yml builds the same site. A part
that no longer matches its sources (a step folder, an example, an exercise) fails here,
with the command that writes it again.
"""

import importlib
import re
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


def shown_lines(part: str, step: str, change) -> list[int]:
    """The line numbers of a file that the part's snippet lines include."""
    shown: list[int] = []
    for first, last in re.findall(rf'--8<-- "steps/{step}/{re.escape(change.file)}(?::(\d+):(\d+))?"', part):
        shown.extend(range(int(first), int(last) + 1) if first else range(1, len(change.new) + 1))
    return shown


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
            # whole, or in pieces around its stylesheet: each line once
            assert sorted(shown_lines(part, step, change)) == list(range(1, len(change.new) + 1)), (
                f"{step}: the new file {change.file} should be printed once, whole"
            )
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


def test_the_lines_of_a_stylesheet_are_to_copy_not_to_type():
    page = ["<head>", "  <style>", "    body { margin: 0; }", "", "    h1 { color: red; }", "  </style>", "</head>"]
    change = changes.FileChange("index.html", [], page)
    assert (change.typed, change.copied, change.moved) == (4, 2, 0)  # the tags are typed, the rules copied
    assert changes.FileChange("notes.txt", [], page).copied == 0  # a <style> block is one in HTML only


def test_lines_cut_from_a_file_and_pasted_into_another_are_moved_not_typed():
    old_main = ["import x", "def helper():", "    a = 1", "    return a", "def other():", "    return a", "app = x()"]
    new_main = ["import x", "from tools import helper", "", "app = x()"]
    tools = ["# Why the helper lives here.", "class Tools:", "    def helper():", "        a = 1", "        return a"]
    main, new = changes.FileChange("main.py", old_main, new_main), changes.FileChange("tools.py", [], tools)
    pool: dict[str, list[str]] = {}
    for line in changes.removed_lines(old_main, new_main):
        pool.setdefault(line, []).append("main.py")
    changes.mark_moved([main, new], pool)
    # unchanged but for their indentation: moved; the comment (the why) and the class are typed
    assert (new.typed, new.moved, new.moved_sources) == (2, 3, ["main.py"])
    assert (main.typed, main.moved) == (1, 0)
    # a line or two that only look like removed ones (a `return a`) are typed: a moved block is MIN_MOVED long
    alone = changes.FileChange("more.py", [], ["def more():", "    return a"])
    changes.mark_moved([alone], {"return a": ["main.py"]})
    assert (alone.typed, alone.moved) == (2, 0)


@pytest.mark.parametrize("step", STEPS)
def test_what_changed_counts_each_kind_of_new_line(step):
    text = changes.changed_part(step)
    found = changes.file_changes(step)
    typed = sum(change.typed for change in found)
    assert typed == sum(changes.lines_typed(step).values())
    assert f"**{typed} line" in text and "to type" in text
    copied = sum(change.copied for change in found)
    assert (f"{copied} to copy (the stylesheet)" in text) == bool(copied)
    summary = text.split("??? abstract", 1)[0]  # not the diff
    assert bool(re.search(r"\d+ moved", summary)) == any(change.moved for change in found)


def test_the_first_page_types_its_html_and_copies_its_stylesheet():
    first_page = next(step for step in STEPS if "index.html" in changes.step_files(step))
    assert changes.lines_copied(first_page).get("index.html", 0) > 50
    assert "copy it as it is" in changes.code_part(first_page)
    assert sum(changes.lines_typed(first_page).values()) < 80


def test_the_project_structure_step_moves_code_out_of_main_py():
    moved = {step: changes.lines_moved(step) for step in STEPS}
    packages = [step for step in STEPS if any(file.startswith("bookmarks/") for file in moved[step])]
    assert packages, "no step moves code from main.py into the package bookmarks/"
    assert "moved from `main.py`" in changes.changed_part(packages[0])
