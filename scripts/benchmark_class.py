"""Build a class from copies of the reference steps, some with typical mistakes, grade it, check it.

    python scripts/benchmark_class.py [--learners 30] [--jobs N] [--keep DIR]

Learner 1 has one typical mistake of the list below, learner 2 the next, and so
on; the others hand in the reference steps unchanged. The class is graded with
scripts/grade_class.py, and the script checks that every learner lost exactly
the steps of their mistake (each with a reason) and that a clean copy got full
points. It prints the time it took: the class benchmark. Exits 1 when a learner
was graded wrongly.
"""

from __future__ import annotations

import argparse
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

ROUTE_LOOP = "    while True:  # a route that never returns\n        pass\n"


def replace(text: str, old: str, new: str) -> str:
    assert old in text, f"the mistake is stale: {old!r} is not in the reference step"
    return text.replace(old, new, 1)


def insert_after(text: str, line_start: str, body: str) -> str:
    """Insert `body` after the (def) line that starts with line_start."""
    index = text.index(line_start)
    end = text.index("\n", index) + 1
    return text[:end] + body + text[end:]


# name: (step folder prefix, what it does to main.py (None: the folder is deleted), what it is)
MISTAKES = {
    "wrong-status": ("04", lambda t: replace(t, "status_code=201", "status_code=200"),
                     "POST answers 200 instead of 201"),
    "missing-404": ("03", lambda t: replace(
        t, 'raise HTTPException(status_code=404, detail="Bookmark not found")', "return None"),
        "an unknown id answers 200 null"),
    "put-creates": ("05", lambda t: replace(
        t, "find_bookmark(bookmark_id)  # 404 for an unknown id: PUT never creates", "pass"),
        "PUT creates a missing bookmark"),
    "delete-keeps": ("06", lambda t: replace(t, "del bookmarks[bookmark_id]", "pass"),
                     "DELETE does not delete"),
    "syntax-error": ("02", lambda t: t + "\ndef list_bookmarks(:\n", "a syntax error"),
    "import-hangs": ("03", lambda t: t + "\nwhile True:  # an import that never returns\n    pass\n",
                     "an endless loop at the top level"),
    "missing-step": ("05", None, "no folder 05-*"),
    "route-hangs": ("04", lambda t: insert_after(t, "def create_bookmark(", ROUTE_LOOP),
                    "POST never answers"),
    "prints-endlessly": ("06", lambda t: insert_after(
        t, "def delete_bookmark(", '    while True:\n        print("deleting", bookmark_id)\n'),
        "DELETE prints forever"),
    "exits-python": ("02", lambda t: t + "\nimport os\nos._exit(0)\n", "main.py ends Python at import"),
    "deletes-tests": ("01", lambda t: t + '\nimport shutil\nshutil.rmtree("tests", ignore_errors=True)\n',
                      "main.py deletes the folder tests/ of the current directory at import"),
}


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
            prefix, change, _ = MISTAKES[mistake]
            folder = next(steps.glob(f"{prefix}-*"))
            if change is None:
                shutil.rmtree(folder)
            else:
                main = folder / "main.py"
                main.write_text(change(main.read_text()))
        expected[learner] = MISTAKES[mistake][0] if mistake else None
    return expected


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=30)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--timeout", type=float, default=10, help="seconds one test may take")
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
        import csv
        with open(out / "grades.csv", encoding="utf-8") as stream:
            rows = list(csv.reader(stream))
        header, lines = rows[0], rows[1:]
        step_columns = header[1:-2]
        reference = {}
        for line in lines:
            if expected[line[0]] is None:
                reference = dict(zip(step_columns, line[1:-2]))
                break
        for line in lines:
            learner, points = line[0], dict(zip(step_columns, line[1:-2]))
            broken = expected[learner]
            if broken is None:
                if line[-2] != line[-1]:
                    problems.append(f"{learner}: a clean copy got {line[-2]} of {line[-1]} points")
                continue
            lost = [step for step in step_columns if points[step] != reference.get(step)]
            if lost != [broken]:
                problems.append(f"{learner}: lost steps {lost or 'none'}, expected exactly [{broken!r}]")
            card = (out / learner / "card.txt").read_text()
            row = next((l for l in card.splitlines() if l.startswith(f"{broken}-")), "")
            if not row or row.rstrip().endswith(" ok"):
                problems.append(f"{learner}: the card gives no reason for step {broken}")

        steps = len(step_columns)
        print(f"\nBENCHMARK: {args.learners} learners x {steps} steps graded in {seconds:.0f} s "
              f"({args.jobs} at once, {os.cpu_count()} CPUs, {platform.machine()}, Python {platform.python_version()}); "
              f"{min(args.learners, len(MISTAKES))} learners with a mistake")
        for problem in problems:
            print("PROBLEM:", problem)
        return 1 if problems else 0
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
