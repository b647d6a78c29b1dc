"""mkdocs hook: what a step page shows about change is generated from the step folders.

On a page ``docs/steps/NN-slug.md`` (for the folder ``steps/NN-slug/``):

* a code block that holds nothing but a snippet line of a step file, e.g.
  ``--8<-- "steps/04-create-bookmark/main.py"``, gets its new lines
  highlighted: the lines that are not in the previous step's same file;
* the line ``<!-- what-changed -->`` becomes the diff of every file of the step
  against the previous step.

Nothing is written by hand, so the page cannot drift from the code.
"""

import difflib
import re
from pathlib import Path

from mkdocs.exceptions import PluginError

REPO = Path(__file__).resolve().parent.parent
STEPS = REPO / "steps"
STEP_PAGE = re.compile(r"steps/(\d\d-[a-z0-9-]+)\.md")
WHAT_CHANGED = "<!-- what-changed -->"
SNIPPET_BLOCK = re.compile(
    r'^(?P<open>```+[a-z]+)(?P<options>[^\n]*)\n'
    r'--8<-- "steps/(?P<step>\d\d-[a-z0-9-]+)/(?P<file>[^"]+)"\n'
    r"(?P<close>```+)$",
    re.MULTILINE,
)


def step_folders() -> list[str]:
    return sorted(path.name for path in STEPS.iterdir() if path.is_dir() and path.name[:2].isdigit())


def previous_step(step: str) -> str | None:
    steps = step_folders()
    index = steps.index(step)
    return steps[index - 1] if index > 0 else None


def read(step: str, file: str) -> list[str]:
    path = STEPS / step / file
    return path.read_text(encoding="utf-8").splitlines() if path.is_file() else []


def new_line_numbers(old: list[str], new: list[str]) -> list[int]:
    """1-based numbers of the lines of `new` that are not in `old`."""
    numbers = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, _, _, start, end in matcher.get_opcodes():
        if tag in ("insert", "replace"):
            numbers.extend(range(start + 1, end + 1))
    return numbers


def as_ranges(numbers: list[int]) -> str:
    """[3, 4, 5, 9] -> "3-5 9", the form of pymdownx.highlight's hl_lines."""
    ranges = []
    for number in numbers:
        if ranges and ranges[-1][1] == number - 1:
            ranges[-1][1] = number
        else:
            ranges.append([number, number])
    return " ".join(str(a) if a == b else f"{a}-{b}" for a, b in ranges)


def highlight_new_lines(block: re.Match) -> str:
    step, file = block["step"], block["file"]
    before = previous_step(step)
    if before is None or not (STEPS / before / file).is_file():
        return block[0]  # the whole file is new: nothing stands out
    lines = as_ranges(new_line_numbers(read(before, file), read(step, file)))
    options = f'{block["options"]} hl_lines="{lines}"' if lines else block["options"]
    return f'{block["open"]}{options}\n--8<-- "steps/{step}/{file}"\n{block["close"]}'


def what_changed(step: str) -> str:
    before = previous_step(step)
    if before is None:
        return "This is the first step: every line is new."
    parts = []
    for file in sorted(path.name for path in (STEPS / step).iterdir() if path.is_file()):
        old, new = read(before, file), read(step, file)
        if not old:
            parts.append(f"`{file}` is new in this step: all of it is shown above.")
        elif old == new:
            parts.append(f"`{file}` is the same as in step {before[:2]}.")
        else:
            diff = difflib.unified_diff(
                old, new, f"steps/{before}/{file}", f"steps/{step}/{file}", lineterm=""
            )
            parts.append("````diff\n" + "\n".join(diff) + "\n````")
    return "\n\n".join(parts)


def on_page_markdown(markdown, page, **kwargs):
    match = STEP_PAGE.fullmatch(page.file.src_uri)
    if match is None:
        return markdown
    step = match[1]
    if not (STEPS / step).is_dir():
        raise PluginError(f"{page.file.src_uri} has no step folder steps/{step}/")
    markdown = SNIPPET_BLOCK.sub(highlight_new_lines, markdown)
    return markdown.replace(WHAT_CHANGED, what_changed(step))
