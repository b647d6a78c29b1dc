"""Build a class from copies of the reference steps, some with typical mistakes, grade it, check it.

    python scripts/benchmark_class.py [--learners 30] [--jobs N] [--keep DIR]

Learner 1 has one typical mistake of the list below (the API steps' own, then the
frontend steps' from the self-check), learner 2 the next, and so on; the others
hand in the reference steps unchanged. The class is graded with
scripts/grade_class.py, and the script checks that every learner lost exactly
the steps of their mistake (each with a reason) and that a clean copy got full
points. It prints the time it took: the class benchmark. Exits 1 when a learner
was graded wrongly.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "scripts"))
import grade_class  # noqa: E402
import self_check  # noqa: E402

ROUTE_LOOP = "    while True:  # a route that never returns\n        pass\n"


def replace(text: str, old: str, new: str) -> str:
    assert old in text, f"the mistake is stale: {old!r} is not in the reference step"
    return text.replace(old, new, 1)


def insert_after(text: str, line_start: str, body: str) -> str:
    """Insert `body` after the (def) line that starts with line_start."""
    index = text.index(line_start)
    end = text.index("\n", index) + 1
    return text[:end] + body + text[end:]


# name: (step folder prefix, file, what it does to the file (None: the folder is deleted), what it is)
MISTAKES = {
    "wrong-status": ("04", "main.py", lambda t: replace(t, "status_code=201", "status_code=200"),
                     "POST answers 200 instead of 201"),
    "missing-404": ("03", "main.py", lambda t: replace(
        t, 'raise HTTPException(status_code=404, detail="Bookmark not found")', "return None"),
        "an unknown id answers 200 null"),
    "put-creates": ("05", "main.py", lambda t: replace(
        t, "find_bookmark(bookmark_id)  # 404 for an unknown id: PUT never creates", "pass"),
        "PUT creates a missing bookmark"),
    "delete-keeps": ("06", "main.py", lambda t: replace(t, "del bookmarks[bookmark_id]", "pass"),
                     "DELETE does not delete"),
    "syntax-error": ("02", "main.py", lambda t: t + "\ndef list_bookmarks(:\n", "a syntax error"),
    "import-hangs": ("03", "main.py", lambda t: t + "\nwhile True:  # an import that never returns\n    pass\n",
                     "an endless loop at the top level"),
    "missing-step": ("05", "main.py", None, "no folder 05-*"),
    "route-hangs": ("04", "main.py", lambda t: insert_after(t, "def create_bookmark(", ROUTE_LOOP),
                    "POST never answers"),
    "prints-endlessly": ("06", "main.py", lambda t: insert_after(
        t, "def delete_bookmark(", '    while True:\n        print("deleting", bookmark_id)\n'),
        "DELETE prints forever"),
    "exits-python": ("02", "main.py", lambda t: t + "\nimport os\nos._exit(0)\n", "main.py ends Python at import"),
}
# The frontend steps' typical mistakes, as the self-check has them: a page that
# renders titles as HTML, an API without CORS or allowing GET only, a POST without
# its JSON content type, a 500 without JSON.
BROWSER_MISTAKES = {  # name: (step folder, words of the self-check's description)
    "inner-html": ("08-fetch-list", "titles as HTML"),
    "no-cors": ("09-cors", "no CORS middleware"),
    "cors-get-only": ("09-cors", "allows GET only"),
    "post-not-json": ("12-error-handling", "lacks Content-Type"),
    "error-not-json": ("12-error-handling", "500 without JSON"),
}
for _name, (_step, _words) in BROWSER_MISTAKES.items():
    _file, _old, _new, _what = next((file, old, new, what) for step, file, old, new, what in self_check.MISTAKES
                                    if step == _step and _words in what)
    MISTAKES[_name] = (_step[:2], _file, lambda t, old=_old, new=_new: replace(t, old, new), _what)


def build_class(root: Path, learners: int) -> dict[str, str | None]:
    """Write the class into root; answers {learner: the step prefix they broke, or None}."""
    expected = {}
    names = list(MISTAKES)
    for index in range(learners):
        mistake = names[index] if index < len(names) else None
        learner = f"learner{index + 1:02d}-{mistake or 'clean'}"
        steps = root / learner
        shutil.copytree(REPO / "steps", steps, ignore=shutil.ignore_patterns("__pycache__"))
        if mistake:
            prefix, file, change, _ = MISTAKES[mistake]
            folder = next(steps.glob(f"{prefix}-*"))
            if change is None:
                shutil.rmtree(folder)
            else:
                target = folder / file
                target.write_text(change(target.read_text()))
        expected[learner] = MISTAKES[mistake][0] if mistake else None
    return expected


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=30)
    parser.add_argument("--jobs", type=int, default=(os.cpu_count() or 1) + 1, help="as grade_class.py's --jobs")
    parser.add_argument("--timeout", type=float, default=20, help="seconds one test may take (as grade_class.py)")
    parser.add_argument("--steps", help="grade only these steps, e.g. 01-06 (default: every step)")
    parser.add_argument("--keep", type=Path, help="build the class and its grades in this folder and keep them")
    args = parser.parse_args()

    root = args.keep.resolve() if args.keep else Path(tempfile.mkdtemp(prefix="workshop-class-"))
    try:
        class_dir, out = root / "class", root / "grades"
        if class_dir.exists():
            shutil.rmtree(class_dir)
        class_dir.mkdir(parents=True)
        expected = build_class(class_dir, args.learners)
        started = time.monotonic()
        grade_args = ["--out", str(out), "--jobs", str(args.jobs), "--timeout", str(args.timeout), str(class_dir)]
        if args.steps:
            grade_args += ["--steps", args.steps]
        grade_class.main(grade_args)
        seconds = time.monotonic() - started

        problems = []
        with open(out / "grades.csv", encoding="utf-8") as stream:
            header = next(csv.reader(stream))
        step_columns = header[1:-2]
        for learner, broken in expected.items():
            document = json.loads((out / learner / "results.json").read_text(encoding="utf-8"))
            rows = {row["step"]: row for row in document["extra_data"]["steps"]}
            lost = [step for step in step_columns if rows[step]["points"] < rows[step]["max_points"]]
            if broken not in step_columns:  # a clean copy, or its mistake is in a step not graded
                broken = None
            if broken is None:
                if lost:
                    problems.append(f"{learner}: a clean copy lost steps {lost}")
                continue
            if lost != [broken]:
                problems.append(f"{learner}: lost steps {lost or 'none'}, expected exactly [{broken!r}]")
            if not rows[broken]["first_failure"]:
                problems.append(f"{learner}: the card gives no reason for step {broken}")

        steps = len(step_columns)
        print(f"\nBENCHMARK: {args.learners} learners x {steps} steps graded in {seconds:.0f} s "
              f"({args.jobs} at once, {os.cpu_count()} CPUs, {platform.machine()}, "
              f"Python {platform.python_version()}); "
              f"{min(args.learners, len(MISTAKES))} learners with a mistake")
        for problem in problems:
            print("PROBLEM:", problem)
        return 1 if problems else 0
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
