"""`workshop`: the learner's one short command.

    workshop start 04             copy your step 03 (or the reference's) to my-work/04-create-bookmark
    workshop check [FOLDER]       run that step's checks on FOLDER (default: the folder you are in)
    workshop watch [FOLDER]       the same, again on every save
    workshop progress [DIR]       the grade card of every step in DIR (default: my-work)

It wraps the same pytest suites the instructors grade with (``--app``,
``--steps-dir``) and reads their results from ``--grade-json``: nothing here
decides a result.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from workshop.steps import STEP_FOLDER, find_step_folder, step_folders

REPOSITORY = Path(__file__).resolve().parents[2]
MY_WORK = REPOSITORY / "my-work"
SITE = "http://127.0.0.1:8001"  # where `mkdocs serve` shows the pages
IGNORED = shutil.ignore_patterns("__pycache__", ".venv", "node_modules", "*.pyc")


def shown(path: Path) -> str:
    """A path as the learner typed it: from the repository's folder when it is inside."""
    return str(path.relative_to(REPOSITORY)) if path.is_relative_to(REPOSITORY) else str(path)


def step_of_folder(folder: Path) -> str:
    match = STEP_FOLDER.fullmatch(folder.name)
    if match is None:
        raise SystemExit(
            f"{folder} is not a step folder (named like 04-create-bookmark): "
            "name the step, e.g. `workshop check --step 04`"
        )
    return match.group(1)


def reference(number: str) -> Path:
    try:
        return find_step_folder(REPOSITORY / "steps", number)
    except LookupError as error:
        raise SystemExit(str(error)) from error


def suite(number: str) -> Path:
    found = sorted((REPOSITORY / "tests").glob(f"test_{number}_*.py"))
    if not found:
        raise SystemExit(f"there is no step {number}")
    return found[0]


def pytest_results(arguments: list[str]) -> tuple[dict[str, Any] | None, str]:
    """Run pytest in the repository; answer its results.json (None when it wrote none) and its output."""
    with tempfile.TemporaryDirectory(prefix="workshop-check-") as tmp:
        results = Path(tmp) / "results.json"
        command = [
            sys.executable,
            "-m",
            "pytest",
            *arguments,
            f"--grade-json={results}",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:schemathesis",  # the fuzz tests' plugin: half a second a run, for tests not run here
        ]
        run = subprocess.run(command, cwd=REPOSITORY, capture_output=True, text=True)
        document = json.loads(results.read_text()) if results.is_file() else None
        return document, run.stdout + run.stderr


def show_check(folder: Path, number: str) -> bool:
    """Each check passed or failed, the first failure in words, and where to read about it."""
    started = time.monotonic()
    document, output = pytest_results([str(suite(number)), f"--app={folder}"])
    if document is None:
        print(output[-3000:])
        print("The checks could not run (see above).")
        return False
    tests = [test for test in document["tests"] if test.get("status")]
    checks: dict[str, list[bool]] = {}  # one line per check, its examples counted together
    for test in tests:
        name = test["name"].split(": ", 1)[-1].split("[", 1)[0].removeprefix("test_").replace("_", " ")
        checks.setdefault(name, []).append(test["status"] == "passed")
    for name, passed in checks.items():
        count = f" ({sum(passed)} of {len(passed)})" if len(passed) > 1 and not all(passed) else ""
        print(f"  {'ok  ' if all(passed) else 'FAIL'} {name}{count}")
    failed = [test for test in tests if test["status"] == "failed"]
    seconds = time.monotonic() - started
    print(f"\nstep {number}: {len(tests) - len(failed)} of {len(tests)} checks pass ({seconds:.1f} s)")
    page = f"{SITE}/steps/{reference(number).name}.html"
    if failed:
        print(f"\nNext: {failed[0]['output']}")
        print(f"Read the box 'What the checks expect' on the step's page: {page}")
    else:
        following = f"{int(number) + 1:02d}"
        if following in step_folders(REPOSITORY / "steps"):
            print(f"\nAll green. Next: `workshop start {following}`")
        else:
            print("\nAll green: that was the last step.")
    return not failed


def start(number: str) -> Path:
    """my-work/NN-slug, copied from your previous step, or the reference's if you skipped it."""
    target = MY_WORK / reference(number).name
    if target.exists():
        raise SystemExit(f"{shown(target)} exists already: work on in it")
    previous = f"{int(number) - 1:02d}"
    mine = step_folders(MY_WORK).get(previous, [])
    if mine:
        source = mine[0]
    elif previous in step_folders(REPOSITORY / "steps"):
        source = reference(previous)
    else:
        target.mkdir(parents=True)
        print(f"Created {shown(target)}: write your main.py there.")
        return target
    shutil.copytree(source, target, ignore=IGNORED)
    print(f"Copied {shown(source)} to {shown(target)}: work on in it.")
    return target


def watch(folder: Path, number: str) -> None:
    from watchfiles import watch as changes  # installed with uvicorn[standard]

    show_check(folder, number)
    print(f"\nWatching {folder} (Ctrl+C to stop)...")
    for _ in changes(folder, watch_filter=lambda _change, path: path.endswith((".py", ".html", ".js", ".css"))):
        print("\n" + "-" * 60)
        show_check(folder, number)


def progress(steps_dir: Path) -> int:
    document, output = pytest_results([f"--steps-dir={steps_dir}"])
    print(document["output"] if document else output[-3000:])
    return 0 if document and document["score"] == document["max_score"] else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="workshop", description="The Bookmark Manager workshop's checks.")
    commands = parser.add_subparsers(dest="command", required=True)
    for name, text in (("check", "run a step's checks on your folder"), ("watch", "check again on every save")):
        command = commands.add_parser(name, help=text)
        command.add_argument("folder", nargs="?", type=Path, default=Path.cwd())
        command.add_argument("--step", help="the step's number, when the folder's name does not say it")
    commands.add_parser("start", help="copy your previous step into my-work/").add_argument("step")
    command = commands.add_parser("progress", help="the grade card of all your steps")
    command.add_argument("steps_dir", nargs="?", type=Path, default=MY_WORK)
    args = parser.parse_args(argv)

    if args.command == "start":
        start(f"{int(args.step):02d}")
        return 0
    if args.command == "progress":
        return progress(args.steps_dir.resolve())
    folder = args.folder.resolve()
    number = f"{int(args.step):02d}" if args.step else step_of_folder(folder)
    if args.command == "watch":
        try:
            watch(folder, number)
        except KeyboardInterrupt:
            pass
        return 0
    return 0 if show_check(folder, number) else 1


if __name__ == "__main__":
    sys.exit(main())
