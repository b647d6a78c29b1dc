"""What a step changes, worked out from the step folders: the parts of a step page about change.

For a step folder ``steps/NN-slug/`` and the one before it:

* :func:`code_part` is the page's "The code": for each file of the step, a new file in
  full; a changed file as its changed places (the new and changed lines highlighted, a few
  lines around them, numbered as in the file) and the whole file one click away, in a
  collapsed block; an unchanged file named, not printed again.
* :func:`changed_part` is the page's "What changed": how many lines each file gains or
  loses, how many lines the learner types, and the diff from the step before, collapsed.

The code blocks hold snippet lines (``--8<-- "steps/NN-slug/main.py:12:30"``): the code
on the page is read from the step folder when the site is built, never copied.
"""

import difflib
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
STEPS = REPO / "steps"
LANGUAGES = {".py": "python", ".html": "html", ".js": "javascript", ".css": "css"}
CONTEXT = 2  # unchanged lines shown before and after a changed place
JOIN = 2 * CONTEXT + 2  # changed places closer than this are shown as one


class PartError(ValueError):
    """A source of a page part (a page, an exercise, an example) that cannot be used as it is."""


def step_folders() -> list[str]:
    return sorted(path.name for path in STEPS.iterdir() if path.is_dir() and path.name[:2].isdigit())


def previous_step(step: str) -> str | None:
    steps = step_folders()
    index = steps.index(step)
    return steps[index - 1] if index > 0 else None


# What a step folder holds that is not the learner's code: caches, a learner's own settings, a database file.
NOT_CODE = {"__pycache__", ".env", ".venv", ".pytest_cache"}
NOT_CODE_SUFFIXES = {".pyc", ".db", ".sqlite", ".sqlite3"}


def step_files(step: str) -> list[str]:
    """The files of a step folder, those in its subfolders too (bookmarks/routes.py), as
    relative paths; not __pycache__, .env and the like."""
    folder = STEPS / step
    return sorted(
        path.relative_to(folder).as_posix()
        for path in folder.rglob("*")
        if path.is_file()
        and not NOT_CODE.intersection(path.relative_to(folder).parts)
        and path.suffix not in NOT_CODE_SUFFIXES
    )


def read(step: str, file: str) -> list[str]:
    path = STEPS / step / file
    return path.read_text(encoding="utf-8").splitlines() if path.is_file() else []


def new_line_numbers(old: list[str], new: list[str]) -> list[int]:
    """1-based numbers of the lines of `new` that are not in `old`."""
    numbers: list[int] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, _, _, start, end in matcher.get_opcodes():
        if tag in ("insert", "replace"):
            numbers.extend(range(start + 1, end + 1))
    return numbers


def removed_line_count(old: list[str], new: list[str]) -> int:
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    return sum(end - start for tag, start, end, _, _ in matcher.get_opcodes() if tag in ("delete", "replace"))


def as_ranges(numbers: list[int]) -> str:
    """[3, 4, 5, 9] -> "3-5 9", the form of pymdownx.highlight's hl_lines."""
    ranges: list[list[int]] = []
    for number in numbers:
        if ranges and ranges[-1][1] == number - 1:
            ranges[-1][1] = number
        else:
            ranges.append([number, number])
    return " ".join(str(a) if a == b else f"{a}-{b}" for a, b in ranges)


@dataclass
class Place:
    """A changed place of a file: lines first..last (1-based, inclusive), and its new lines."""

    first: int
    last: int
    new: list[int]


def changed_places(new_lines: list[int], length: int) -> list[Place]:
    """The new lines, grouped into places with CONTEXT lines around them."""
    places: list[Place] = []
    for number in new_lines:
        if places and number - places[-1].new[-1] <= JOIN:
            places[-1].new.append(number)
        else:
            places.append(Place(0, 0, [number]))
    for place in places:
        place.first = max(1, place.new[0] - CONTEXT)
        place.last = min(length, place.new[-1] + CONTEXT)
    return places


@dataclass
class FileChange:
    file: str
    old: list[str]
    new: list[str]

    @property
    def new_lines(self) -> list[int]:
        return new_line_numbers(self.old, self.new)

    @property
    def typed(self) -> int:
        """The new or changed lines the learner types, blank lines not counted."""
        return sum(1 for number in self.new_lines if self.new[number - 1].strip())

    @property
    def removed(self) -> int:
        return removed_line_count(self.old, self.new)


def file_changes(step: str) -> list[FileChange]:
    before = previous_step(step)
    return [FileChange(file, read(before, file) if before else [], read(step, file)) for file in step_files(step)]


def lines_typed(step: str) -> dict[str, int]:
    """File -> the new or changed lines of the step, blank lines not counted."""
    return {change.file: change.typed for change in file_changes(step) if change.typed}


def language(file: str) -> str:
    return LANGUAGES.get(Path(file).suffix, "text")


def indent(text: str, spaces: int = 4) -> str:
    return "\n".join((" " * spaces + line) if line else "" for line in text.splitlines())


def code_block(step: str, file: str, options: str, lines: str = "") -> str:
    return f'```{language(file)}{options}\n--8<-- "steps/{step}/{file}{lines}"\n```'


def plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def code_part(step: str) -> str:
    before = previous_step(step)
    parts = []
    for change in file_changes(step):
        file = change.file
        if not change.old:
            parts.append(
                f"`{file}` is new in this step: all of it is yours to write.\n\n"
                + code_block(step, file, f' title="{file}"')
            )
            continue
        if change.old == change.new:
            parts.append(f"`{file}` is unchanged since step {before[:2] if before else ''}: keep yours as it is.")
            continue
        new = change.new_lines
        places = changed_places(new, len(change.new))
        text = [
            f"`{file}`: {plural(change.typed, 'new or changed line')} to type, in "
            f"{plural(len(places), 'place')} (highlighted; the numbers are the file's line numbers)."
            if new
            else f"`{file}`: only lines removed, see the diff below."
        ]
        for place in places:
            highlighted = as_ranges([number - place.first + 1 for number in place.new])
            title = f"{file}, lines {place.first}–{place.last}"
            options = f' title="{title}" linenums="{place.first}" hl_lines="{highlighted}"'
            text.append(code_block(step, file, options, f":{place.first}:{place.last}"))
        whole = f' title="steps/{step}/{file}" linenums="1"' + (f' hl_lines="{as_ranges(new)}"' if new else "")
        text.append(f'??? example "The whole {file}"\n\n' + indent(code_block(step, file, whole)))
        parts.append("\n\n".join(text))
    return "\n\n".join(parts) + "\n"


def changed_part(step: str) -> str:
    before = previous_step(step)
    total = sum(lines_typed(step).values())
    if before is None:
        return f"The first step: every line is new, {plural(total, 'line')} to type (blank lines not counted).\n"
    summary, diffs = [], []
    for change in file_changes(step):
        if not change.old:
            summary.append(f"- `{change.file}` is new: {plural(change.typed, 'line')} to type.")
        elif change.old == change.new:
            summary.append(f"- `{change.file}` is the same as in step {before[:2]}.")
        else:
            removed = f", {plural(change.removed, 'line')} removed or replaced" if change.removed else ""
            summary.append(f"- `{change.file}`: {plural(change.typed, 'line')} to type{removed}.")
            diff = difflib.unified_diff(
                change.old, change.new, f"steps/{before}/{change.file}", f"steps/{step}/{change.file}", lineterm=""
            )
            diffs.append("\n".join(diff))
    text = "\n".join(summary) + f"\n\nIn all, about **{plural(total, 'line')}** to type (blank lines not counted)."
    if diffs:
        body = "````diff\n" + "\n".join(diffs) + "\n````"
        text += f'\n\n??? abstract "The diff from step {before[:2]}"\n\n' + indent(body)
    return text + "\n"
