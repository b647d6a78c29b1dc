"""Write the generated parts of the docs pages, in docs/generated/.

    python scripts/build_docs_parts.py           # write them again
    python scripts/build_docs_parts.py --check   # only say which are stale (exit 1 if any)

The step pages and the home page include these parts with snippet lines
(``--8<-- "docs/generated/08-fetch-list/code.md"``), so any tool that reads mkdocs.yml
and pymdownx.snippets builds the same site: no MkDocs hook runs. For each step folder
steps/NN-slug/:

* ``NN-slug/code.md``: the new and changed parts of each file, the whole file collapsed,
  unchanged files named (docs_parts/changes.py);
* ``NN-slug/changed.md``: the lines to type, and the diff from the step before;
* ``NN-slug/examples.md``: the curl examples of docs/examples/NN-slug.console, with their
  Windows forms (docs_parts/curl_examples.py);
* ``NN-slug/exercises.md``: the exercises of docs/exercises/NN-slug.md with their solutions
  (docs_parts/exercises.py);

and for the home page ``step-map.md`` and ``home-screenshot.md`` (docs_parts/step_map.py).

Run it after changing a step folder, an example, an exercise or a step page's title; the
parts are committed, and tests/test_docs_parts.py fails while one is stale.
"""

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from docs_parts import changes, curl_examples, exercises, step_map  # noqa: E402

GENERATED = REPO / "docs" / "generated"
HEADER = "<!-- Written by scripts/build_docs_parts.py: change its sources, not this file. -->\n\n"


def step_parts(step: str) -> dict[str, Callable[[str], str]]:
    """The parts a step has: the examples and exercises only where their source exists."""
    parts: dict[str, Callable[[str], str]] = {"code.md": changes.code_part, "changed.md": changes.changed_part}
    if (curl_examples.EXAMPLES / f"{step}.console").is_file():
        parts["examples.md"] = curl_examples.examples_part
    if (exercises.EXERCISE_TEXTS / f"{step}.md").is_file():
        parts["exercises.md"] = exercises.exercises_part
    return parts


def all_parts() -> dict[Path, str]:
    """Every part's path and text, as they should be."""
    texts = {
        GENERATED / "step-map.md": step_map.step_map_part(),
        GENERATED / "home-screenshot.md": step_map.home_screenshot_part(),
    }
    for step in changes.step_folders():
        for name, make in step_parts(step).items():
            texts[GENERATED / step / name] = make(step)
    return {path: HEADER + text for path, text in texts.items()}


def stale(parts: dict[Path, str]) -> list[str]:
    """The parts that differ from what is on disk, and the files there that are no part."""
    wrong = [path for path, text in parts.items() if not path.is_file() or path.read_text(encoding="utf-8") != text]
    extra = [path for path in GENERATED.rglob("*") if path.is_file() and path not in parts]
    return sorted(str(path.relative_to(REPO)) for path in wrong + extra)


def write(parts: dict[Path, str]) -> None:
    for path in GENERATED.rglob("*"):
        if path.is_file() and path not in parts:
            path.unlink()
    for path, text in parts.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path.relative_to(REPO)}")
    for folder in sorted(GENERATED.rglob("*"), reverse=True):
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if a part is stale")
    arguments = parser.parse_args()
    try:
        parts = all_parts()
    except (changes.PartError, curl_examples.ExampleError) as error:
        print(f"cannot write the docs parts: {error}", file=sys.stderr)
        return 1
    if arguments.check:
        wrong = stale(parts)
        for name in wrong:
            print(f"stale: {name}")
        if wrong:
            print("Write them again: python scripts/build_docs_parts.py", file=sys.stderr)
        return 1 if wrong else 0
    write(parts)
    return 0


if __name__ == "__main__":
    sys.exit(main())
