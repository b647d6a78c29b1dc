"""Grade one submission with the workshop's suites: the one command every engine's adapter runs.

    python grading/grade.py SUBMISSION [--grade-json=FILE] [--junitxml=FILE] [--prairielearn=FILE]
                            [--summary=FILE] [--steps=01-06]

SUBMISSION holds the learner's step folders (directly or in a steps/ inside, as for
scripts/grade_class.py), or is one step's folder with its main.py when --steps names
one step. This script never imports learner code: it runs pytest from this
repository with the same suites, harness, sandbox and time limits as grade_class.py,
then turns pytest's Gradescope results.json into the other engines' formats.
The exit code is pytest's: 0 when every test passed, 1 when one failed.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "scripts"))

from grade_class import learner_steps, step_numbers  # noqa: E402  (scripts/ is no package)

from workshop.steps import SUITE_NAME  # noqa: E402

# grade_class.py's defaults, so that an engine grades as a class run does.
TEST_TIMEOUT = 20  # seconds one test may take
REQUEST_TIMEOUT = 5  # seconds the app may take to answer one request
IMPORT_TIMEOUT = 10  # seconds a main.py may take to import


def suites(steps: set[str] | None) -> list[str]:
    """The step suites to run, as paths relative to the repository: all, or those of `steps`."""
    found = sorted(path for path in (REPO / "tests").glob("test_*.py") if SUITE_NAME.fullmatch(path.stem))
    return [f"tests/{path.name}" for path in found if steps is None or path.name[5:7] in steps]


def pytest_command(submission: Path, chosen: list[str], grade_json: Path, junitxml: Path | None) -> list[str]:
    """pytest on `chosen` suites against the submission's step folders (or its one app folder)."""
    if (submission / "main.py").is_file() and len(chosen) == 1:
        target = f"--app={submission.resolve()}"  # one step's files, e.g. a PrairieLearn file editor
    else:
        target = f"--steps-dir={learner_steps(submission).resolve()}"
    command = [
        sys.executable,
        "-m",
        "pytest",
        *chosen,
        target,
        f"--grade-json={grade_json}",
        "-p",
        "no:cacheprovider",
        "-p",
        "no:schemathesis",
    ]
    command += [
        f"--timeout={TEST_TIMEOUT}",
        f"--request-timeout={REQUEST_TIMEOUT}",
        f"--import-timeout={IMPORT_TIMEOUT}",
    ]
    return command + ([f"--junitxml={junitxml}"] if junitxml else [])


def prairielearn_results(gradescope: dict[str, Any] | None, error: str = "") -> dict[str, Any]:
    """PrairieLearn's results.json (score 0..1) from Gradescope's (points); not gradable without one."""
    if gradescope is None:
        return {"gradable": False, "format_errors": [error or "the workshop's tests did not run"]}
    score, max_score = gradescope["score"], gradescope["max_score"]
    tests = [
        {
            "name": test["name"],
            "points": test["score"],
            "max_points": test["max_score"],
            "message": test.get("status", "not graded"),
            "output": test["output"],
        }
        for test in gradescope["tests"]
    ]
    return {
        "gradable": True,
        "score": score / max_score if max_score else 0.0,
        "message": f"{score:g} of {max_score:g} points",
        "output": gradescope["output"],
        "tests": tests,
    }


def markdown_summary(gradescope: dict[str, Any] | None, error: str = "") -> str:
    """The grade card as a Markdown table (GitHub's job summary)."""
    if gradescope is None:
        return f"## Workshop grade card\n\nThe tests did not run: {error}\n"
    lines = ["## Workshop grade card", "", "| step | tests | points | first failing check |", "|---|---|---|---|"]
    rows = gradescope["extra_data"]["steps"]
    for row in rows:
        check = (row["first_failure"] or "ok").removeprefix(f"step {row['folder']}: ").replace("|", "\\|")
        lines.append(
            f"| {row['folder']} | {row['passed']}/{row['total']} | {row['points']:g}/{row['max_points']:g} | {check} |"
        )
    passed, total = sum(row["passed"] for row in rows), sum(row["total"] for row in rows)
    lines.append(f"| **total** | {passed}/{total} | **{gradescope['score']:g}/{gradescope['max_score']:g}** | |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("submission", type=Path, help="the learner's step folders (or one step's folder)")
    parser.add_argument("--grade-json", type=Path, help="Gradescope's results.json, written here")
    parser.add_argument("--junitxml", type=Path, help="JUnit XML with the step and points of each test")
    parser.add_argument("--prairielearn", type=Path, help="PrairieLearn's results.json, written here")
    parser.add_argument("--summary", type=Path, help="append the card as Markdown (GitHub's $GITHUB_STEP_SUMMARY)")
    parser.add_argument(
        "--steps",
        type=step_numbers,
        default=step_numbers(os.environ["WORKSHOP_STEPS"]) if os.environ.get("WORKSHOP_STEPS") else None,
        help="grade only these steps, e.g. 01-06 or 04,05 (default: $WORKSHOP_STEPS, else every step)",
    )
    args = parser.parse_args(argv)
    chosen = suites(args.steps)
    if not chosen:
        parser.error(f"no step suite for --steps {sorted(args.steps or [])}")
    args.grade_json = args.grade_json or Path(tempfile.mkdtemp(prefix="workshop-")) / "results.json"
    args.grade_json.parent.mkdir(parents=True, exist_ok=True)
    args.grade_json.unlink(missing_ok=True)
    # CI=true: a missing Chromium fails the browser steps instead of skipping them (0/0 would read as "ok").
    environment = {**os.environ, "CI": "true"}
    environment.pop("PYTEST_ADDOPTS", None)
    code = subprocess.run(
        pytest_command(args.submission, chosen, args.grade_json, args.junitxml), cwd=REPO, env=environment
    ).returncode
    gradescope = json.loads(args.grade_json.read_text(encoding="utf-8")) if args.grade_json.is_file() else None
    error = f"pytest ended with exit code {code} and wrote no results (see the log above)"
    if args.prairielearn:
        args.prairielearn.parent.mkdir(parents=True, exist_ok=True)
        args.prairielearn.write_text(json.dumps(prairielearn_results(gradescope, error), indent=2) + "\n", "utf-8")
    if args.summary:
        with open(args.summary, "a", encoding="utf-8") as stream:
            stream.write(markdown_summary(gradescope, error))
    return code


if __name__ == "__main__":
    sys.exit(main())
