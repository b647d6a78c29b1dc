"""What a step changes, worked out from the step folders: the parts of a step page about change.

For a step folder ``steps/NN-slug/`` and the one before it:

* :func:`code_part` is the page's "The code": for each file of the step, a new file in
  full (its stylesheet collapsed, to copy); a changed file as its changed places (the new
  and changed lines highlighted, a few lines around them, numbered as in the file) and the
  whole file one click away, in a collapsed block; an unchanged file named, not printed again.
* :func:`changed_part` is the page's "What changed": how many lines each file gains or
  loses, and the diff from the step before, collapsed.

What "how many lines" means for a learner: a new line (blank lines not counted) is one of

* *to type*: new or changed code, comments included (they are the why);
* *to copy*: inside an HTML ``<style>`` block; styling is not this workshop's lesson, and
  the page gives the stylesheet to copy as it is;
* *moved*: a line the step before had, in this file or another, that the step removes
  there and adds here unchanged but for its indentation (cut and paste: the project
  structure step moves main.py's code into a package), in runs of MIN_MOVED lines or more.

The page shows each kind that is not zero; :func:`lines_typed` counts the first.

The code blocks hold snippet lines (``--8<-- "steps/NN-slug/main.py:12:30"``): the code
on the page is read from the step folder when the site is built, never copied.
"""

import difflib
from dataclasses import dataclass, field
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


# A new line is one of three kinds for the learner, counted apart on the page:
TYPED, COPIED, MOVED = "to type", "to copy", "moved"
MIN_MOVED = 3  # a moved block: this many lines in a row, at least (one `}` or `return x` is typed, not moved)


def style_lines(file: str, lines: list[str]) -> set[int]:
    """1-based numbers of the lines inside the <style> ... </style> blocks of an HTML file:
    the stylesheet, which the page offers to copy (styling is not this workshop's lesson)."""
    inside: set[int] = set()
    if Path(file).suffix != ".html":
        return inside
    open_ = False
    for number, line in enumerate(lines, start=1):
        if "</style>" in line:
            open_ = False
        elif open_:
            inside.add(number)
        elif line.strip().startswith("<style"):
            open_ = True
    return inside


def removed_lines(old: list[str], new: list[str]) -> list[str]:
    """The lines of `old` that `new` removes or replaces, stripped, blank ones left out."""
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    return [
        line.strip()
        for tag, start, end, _, _ in matcher.get_opcodes()
        if tag in ("delete", "replace")
        for line in old[start:end]
        if line.strip()
    ]


@dataclass
class FileChange:
    file: str
    old: list[str]
    new: list[str]
    # New line number -> the file of the step before it was cut from (unchanged but for its indentation).
    moved_from: dict[int, str] = field(default_factory=dict)

    @property
    def new_lines(self) -> list[int]:
        return new_line_numbers(self.old, self.new)

    def kind(self, number: int) -> str | None:
        """What the learner does with new line `number`: TYPED, COPIED, MOVED; None for a blank line."""
        if not self.new[number - 1].strip():
            return None
        if number in style_lines(self.file, self.new):
            return COPIED
        return MOVED if number in self.moved_from else TYPED

    def count(self, kind: str) -> int:
        return sum(1 for number in self.new_lines if self.kind(number) == kind)

    @property
    def typed(self) -> int:
        """The new or changed lines the learner types: not blank, not the stylesheet, not moved."""
        return self.count(TYPED)

    @property
    def copied(self) -> int:
        return self.count(COPIED)

    @property
    def moved(self) -> int:
        return self.count(MOVED)

    @property
    def moved_sources(self) -> list[str]:
        return sorted(set(self.moved_from.values()))

    @property
    def removed(self) -> int:
        return removed_line_count(self.old, self.new)


def runs(numbers: list[int], lines: list[str]) -> list[list[int]]:
    """`numbers` (sorted) in runs of lines that follow each other, blank lines between them allowed."""
    groups: list[list[int]] = []
    for number in numbers:
        between = lines[groups[-1][-1] : number - 1] if groups else ["x"]
        if groups and not any(line.strip() for line in between):
            groups[-1].append(number)
        else:
            groups.append([number])
    return groups


def mark_moved(changes: list[FileChange], pool: dict[str, list[str]]) -> None:
    """Set each change's moved_from: its new lines found, unchanged but for indentation, among
    the lines the step removes (from `pool`: stripped line -> the files it was removed from),
    in runs of MIN_MOVED lines or more. Each removed line is moved once, at most."""
    for change in changes:
        candidates = [n for n in change.new_lines if pool.get(change.new[n - 1].strip())]
        for run in runs(candidates, change.new):
            if len(run) < MIN_MOVED:
                continue
            for number in run:
                sources = pool[change.new[number - 1].strip()]
                if sources:
                    change.moved_from[number] = sources.pop(0)


def removed_pool(before: str, step: str) -> dict[str, list[str]]:
    """Every line the step removes from the files of the step before (a file it drops too):
    stripped line -> the file of each time it was removed."""
    pool: dict[str, list[str]] = {}
    for file in step_files(before):
        for line in removed_lines(read(before, file), read(step, file)):
            pool.setdefault(line, []).append(file)
    return pool


def file_changes(step: str) -> list[FileChange]:
    before = previous_step(step)
    changes = [FileChange(file, read(before, file) if before else [], read(step, file)) for file in step_files(step)]
    if before:
        mark_moved(changes, removed_pool(before, step))
    return changes


def lines_typed(step: str) -> dict[str, int]:
    """File -> the new or changed lines the learner types (blank lines, the stylesheet and
    moved lines not counted)."""
    return {change.file: change.typed for change in file_changes(step) if change.typed}


def lines_copied(step: str) -> dict[str, int]:
    """File -> its new lines of stylesheet, which the page gives to copy."""
    return {change.file: change.copied for change in file_changes(step) if change.copied}


def lines_moved(step: str) -> dict[str, int]:
    """File -> its new lines that were in the step before, unchanged but for indentation."""
    return {change.file: change.moved for change in file_changes(step) if change.moved}


def language(file: str) -> str:
    return LANGUAGES.get(Path(file).suffix, "text")


def indent(text: str, spaces: int = 4) -> str:
    return "\n".join((" " * spaces + line) if line else "" for line in text.splitlines())


def code_block(step: str, file: str, options: str, lines: str = "", lang: str = "") -> str:
    return f'```{lang or language(file)}{options}\n--8<-- "steps/{step}/{file}{lines}"\n```'


def lines_block(step: str, file: str, first: int, last: int, lang: str = "") -> str:
    """Lines first..last of a file, numbered as in the file."""
    return code_block(step, file, f' title="{file}, lines {first}–{last}" linenums="{first}"', f":{first}:{last}", lang)


def plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def line_ranges(numbers: list[int]) -> list[tuple[int, int]]:
    """[3, 4, 5, 9] -> [(3, 5), (9, 9)]."""
    ranges: list[tuple[int, int]] = []
    for number in numbers:
        if ranges and ranges[-1][1] == number - 1:
            ranges[-1] = (ranges[-1][0], number)
        else:
            ranges.append((number, number))
    return ranges


def moved_phrase(count: int, sources: list[str], file: str | None = None) -> str:
    """"3 moved from main.py"; "6 moved or re-indented" when they only move inside `file`."""
    if sources == [file]:
        return f"{count} moved or re-indented"
    return f"{count} moved from " + ", ".join(f"`{source}`" for source in sources)


def new_file_part(step: str, change: FileChange) -> str:
    """A new file in full: its stylesheet, if it has one, collapsed, to copy; its moved lines
    said, and the lines to type highlighted among them."""
    file, stylesheet = change.file, line_ranges(sorted(style_lines(change.file, change.new)))
    if not stylesheet:
        typed = [n for n in change.new_lines if change.kind(n) == TYPED]
        if not change.moved:
            return f"`{file}` is new in this step: all of it is yours to write.\n\n" + code_block(
                step, file, f' title="{file}"'
            )
        intro = (
            f"`{file}` is new in this step: {plural(change.typed, 'line')} to type (highlighted) and "
            f"{moved_phrase(change.moved, change.moved_sources)} of the step before: cut them there "
            "and paste them here."
        )
        options = f' title="{file}" linenums="1" hl_lines="{as_ranges(typed)}"'
        return intro + "\n\n" + code_block(step, file, options)
    text = [
        f"`{file}` is new in this step: type its {plural(change.typed, 'line')} of "
        f"{language(file).upper()}, and copy its stylesheet, the {change.copied} lines inside `<style>`, "
        "as it is (the copy button is at the top right of its block)."
    ]
    first = 1
    for start, end in stylesheet:
        if start > first:
            text.append(lines_block(step, file, first, start - 1))
        css = indent(lines_block(step, file, start, end, "css"))
        text.append(f'??? example "The stylesheet, lines {start}–{end}: copy it as it is"\n\n' + css)
        first = end + 1
    if first <= len(change.new):
        text.append(lines_block(step, file, first, len(change.new)))
    return "\n\n".join(text)


def counts_phrase(change: FileChange, moved_inside: str | None = None) -> str:
    """"12 lines to type, 4 to copy (the stylesheet), 6 moved from `main.py`": the kinds that are not zero."""
    phrases = [f"{plural(change.typed, 'line')} to type"]
    if change.copied:
        phrases.append(f"{change.copied} to copy (the stylesheet)")
    if change.moved:
        phrases.append(moved_phrase(change.moved, change.moved_sources, moved_inside))
    return ", ".join(phrases)


def changed_file_part(step: str, change: FileChange) -> str:
    file, new = change.file, change.new_lines
    places = changed_places(new, len(change.new))
    text = [
        f"`{file}`: {counts_phrase(change, file)}, in {plural(len(places), 'place')} "
        "(new and changed lines highlighted; the numbers are the file's line numbers)."
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
    return "\n\n".join(text)


def code_part(step: str) -> str:
    before = previous_step(step)
    parts = []
    for change in file_changes(step):
        if not change.old:
            parts.append(new_file_part(step, change))
        elif change.old == change.new:
            since = before[:2] if before else ""
            parts.append(f"`{change.file}` is unchanged since step {since}: keep yours as it is.")
        else:
            parts.append(changed_file_part(step, change))
    return "\n\n".join(parts) + "\n"


def total_phrase(changes: list[FileChange]) -> str:
    """"about **126 lines** to type (blank lines not counted), 85 to copy (the stylesheet), ..."."""
    typed = sum(change.typed for change in changes)
    copied = sum(change.copied for change in changes)
    moved: dict[str, int] = {}
    for change in changes:
        for source in change.moved_from.values():
            key = "" if source == change.file else source
            moved[key] = moved.get(key, 0) + 1
    phrases = [f"about **{plural(typed, 'line')}** to type (blank lines not counted)"]
    if copied:
        phrases.append(f"{copied} to copy (the stylesheet)")
    for source, count in sorted(moved.items(), key=lambda item: item[0] == ""):
        phrases.append(f"{count} moved from `{source}`" if source else f"{count} moved or re-indented")
    return ", ".join(phrases)


def changed_part(step: str) -> str:
    before = previous_step(step)
    changes = file_changes(step)
    if before is None:
        return f"The first step: every line is new, {total_phrase(changes).removeprefix('about ')}.\n"
    summary, diffs = [], []
    for change in changes:
        if not change.old:
            summary.append(f"- `{change.file}` is new: {counts_phrase(change)}.")
        elif change.old == change.new:
            summary.append(f"- `{change.file}` is the same as in step {before[:2]}.")
        else:
            removed = f", {plural(change.removed, 'line')} removed or replaced" if change.removed else ""
            summary.append(f"- `{change.file}`: {counts_phrase(change, change.file)}{removed}.")
            diff = difflib.unified_diff(
                change.old, change.new, f"steps/{before}/{change.file}", f"steps/{step}/{change.file}", lineterm=""
            )
            diffs.append("\n".join(diff))
    text = "\n".join(summary) + f"\n\nIn all, {total_phrase(changes)}."
    if diffs:
        body = "````diff\n" + "\n".join(diffs) + "\n````"
        text += f'\n\n??? abstract "The diff from step {before[:2]}"\n\n' + indent(body)
    return text + "\n"
