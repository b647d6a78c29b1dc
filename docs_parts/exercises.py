"""The exercises of a step page, with their reference solutions.

The part ``docs/generated/NN-slug/exercises.md`` (written by scripts/build_docs_parts.py,
included by the page ``docs/steps/NN-slug.md``) is the text of
``docs/exercises/NN-slug.md`` (1 to 3 exercises, each with a collapsible hint).
In that text, a line ``<!-- solution: exercises/NN-name -->`` becomes a collapsed
"Solution" block: every file of that folder, its new lines (compared with the
step's own file) highlighted, and the command that checks it. The folder must
have its test suite ``tests/test_exercise_NN_name.py`` (with
``REFERENCE = "exercises/NN-name"``), or writing the part fails.

docs/examples/ and docs/exercises/ are left out of the site (``exclude_docs``
in mkdocs.yml): they are sources of the step pages' parts, not pages.
"""

import re
from pathlib import Path

from .changes import PartError, as_ranges, new_line_numbers

REPO = Path(__file__).resolve().parent.parent
EXERCISE_TEXTS = REPO / "docs" / "exercises"
SOLUTION = re.compile(r"^<!-- solution: (exercises/(\d\d)-([a-z0-9-]+)) -->$", re.MULTILINE)
LANGUAGES = {".py": "python", ".html": "html", ".js": "javascript", ".css": "css"}


def suite_for(folder: str) -> Path:
    """exercises/02-search -> tests/test_exercise_02_search.py"""
    name = Path(folder).name
    return REPO / "tests" / f"test_exercise_{name.replace('-', '_')}.py"


def solution_block(match: re.Match[str], step: str) -> str:
    folder, number = match[1], match[2]
    where = REPO / folder
    if not where.is_dir():
        raise PartError(f"docs/exercises/{step}.md names the solution {folder}/, which does not exist")
    if number != step[:2]:
        raise PartError(f"docs/exercises/{step}.md: the solution {folder}/ belongs to another step")
    suite = suite_for(folder)
    if not suite.is_file():
        raise PartError(f"{folder}/ has no test suite tests/{suite.name}")
    if f'REFERENCE = "{folder}"' not in suite.read_text(encoding="utf-8"):
        raise PartError(f'tests/{suite.name} should say REFERENCE = "{folder}"')

    blocks, unchanged = [], []
    # Every file, in subfolders too (step 14's package bookmarks/), by its path in the folder.
    files = sorted(
        path for path in where.rglob("*")
        if path.is_file() and path.suffix in LANGUAGES and "__pycache__" not in path.parts
    )
    for file in files:
        name = file.relative_to(where).as_posix()
        step_file = REPO / "steps" / step / name
        if step_file.is_file() and step_file.read_bytes() == file.read_bytes():
            unchanged.append(f"`{name}`")
            continue
        options = f' title="{folder}/{name}"'
        if step_file.is_file():
            new = new_line_numbers(
                step_file.read_text(encoding="utf-8").splitlines(),
                file.read_text(encoding="utf-8").splitlines(),
            )
            if new:
                options += f' hl_lines="{as_ranges(new)}"'
        blocks.append(f'```{LANGUAGES[file.suffix]}{options}\n--8<-- "{folder}/{name}"\n```')
    if not blocks:
        raise PartError(f"{folder}/ holds no file that differs from steps/{step}/")
    same = (
        f" {' and '.join([', '.join(unchanged[:-1]), unchanged[-1]] if len(unchanged) > 1 else unchanged)} "
        f"{'is' if len(unchanged) == 1 else 'are'} step {step[:2]}'s, unchanged."
        if unchanged else ""
    )
    body = (
        f"A complete solution, in the repository's `{folder}/` folder; the highlighted lines "
        f"are the ones that differ from step {step[:2]}.{same}\n\n"
        + "\n\n".join(blocks)
        + f"\n\nIts tests pass on it: `pytest tests/{suite.name}`."
    )
    indented = "\n".join(("    " + line) if line else "" for line in body.splitlines())
    return f'??? success "Solution"\n\n{indented}\n'


def exercises_part(step: str) -> str:
    source = EXERCISE_TEXTS / f"{step}.md"
    if not source.is_file():
        raise PartError(f"docs/steps/{step}.md has exercises, but there is no docs/exercises/{source.name}")
    text = source.read_text(encoding="utf-8")
    if not SOLUTION.search(text):
        raise PartError(f"docs/exercises/{source.name} names no solution (<!-- solution: exercises/NN-name -->)")
    return SOLUTION.sub(lambda m: solution_block(m, step), text)
