"""`workshop`: the learner's one short command.

    workshop start 04             copy your step 03 (or the reference's) to my-work/04-create-bookmark
    workshop check [FOLDER]       run that step's checks on FOLDER (default: the folder you are in)
    workshop watch [FOLDER]       the same, again on every save
    workshop progress [DIR]       the grade card of every step in DIR (default: my-work)
    workshop doctor               is everything installed? Python, packages, Chromium, bubblewrap, ports

It wraps the same pytest suites the instructors grade with (``--app``,
``--steps-dir``) and reads their results from ``--grade-json``: nothing here
decides a result.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
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
            "-p",
            "no:hypothesispytest",  # its summary imports Hypothesis (0.1 s); tests/conftest.py loads it where used
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


# --- workshop doctor: is everything installed? -----------------------------------

# Each check answers its status and its text; the text's lines after the first say what to do.
OK, NOTE, FAIL = "ok  ", "note", "FAIL"
INSTALL = "Install them: `python -m pip install -r requirements.txt`, in the workshop's folder, with .venv active"
# The ports the pages name: the learner's API, their page's server, this site (`mkdocs serve`).
PORTS = {
    8000: "your API (uvicorn)",
    5500: "your page (python -m http.server 5500)",
    8001: "the docs site (mkdocs serve)",
}
# What the workshop imports, as a module name each: a package can be installed and still broken.
MODULES = ("fastapi", "uvicorn", "httpx2", "pytest", "hypothesis", "playwright.sync_api", "mkdocs", "workshop.fixtures")


def requirements() -> list[str]:
    """The requirement lines of requirements.txt, without comments and the workshop's own `-e .`."""
    lines = (line.split("#", 1)[0].strip() for line in (REPOSITORY / "requirements.txt").read_text().splitlines())
    return [line for line in lines if line and not line.startswith("-")]


def check_python() -> tuple[str, str]:
    version = ".".join(map(str, sys.version_info[:3]))
    where = "in a virtual environment" if sys.prefix != sys.base_prefix else "NOT in a virtual environment"
    if sys.version_info < (3, 10):  # noqa: UP036 - pip refuses the workshop there, this says why
        return (
            FAIL,
            f"Python {version}: the workshop needs 3.10 or newer\nInstall it: https://www.python.org/downloads/",
        )
    return OK, f"Python {version}, {where} ({shown(Path(sys.prefix))})"


def check_packages() -> tuple[str, str]:
    """Every requirement installed in a version it allows, and the workshop's modules importable."""
    from importlib import import_module
    from importlib.metadata import PackageNotFoundError, version

    try:
        from packaging.requirements import Requirement  # installed with pytest
    except ImportError:
        return FAIL, f"packages: pytest is missing\n{INSTALL}"
    problems = []
    for line in requirements():
        wanted = Requirement(line)
        try:
            found = version(wanted.name)
        except PackageNotFoundError:
            problems.append(f"{wanted.name} is missing")
            continue
        if not wanted.specifier.contains(found, prereleases=True):
            problems.append(f"{wanted.name} is {found}, needs {wanted.specifier}")
    for module in MODULES:
        try:
            import_module(module)
        except Exception as error:  # noqa: BLE001 - any failure to import is the answer
            problems.append(f"`import {module}` fails ({type(error).__name__}: {error})")
    if problems:
        return FAIL, "packages: " + "\n".join([*problems, INSTALL])
    return OK, f"packages: all {len(requirements())} of requirements.txt, and the workshop's modules import"


def check_chromium() -> tuple[str, str]:
    """The Chromium the browser checks (steps 07 on) would launch, found as the tests find
    it (workshop.fixtures), started headless and asked to show a page."""
    try:
        from playwright.sync_api import Error, sync_playwright

        from workshop.fixtures import system_chromium
    except ImportError:
        return FAIL, "Chromium: not checked, Playwright is not installed (see packages)"
    how = (
        "Debian: `sudo apt-get install chromium chromium-headless-shell`\n"
        "Ubuntu, other Linux, macOS, Windows: `python -m playwright install chromium`\n"
        "or set CHROMIUM_PATH to the program of a Chrome or Chromium you have"
    )
    with sync_playwright() as playwright:
        system = system_chromium(headless=True)
        executable = system if system and Path(system).is_file() else None
        # else Playwright's own browser (`playwright install chromium`), as the tests fall back to
        path = executable or playwright.chromium.executable_path
        if not Path(path).is_file():
            return FAIL, f"Chromium: none found, so the browser checks (steps 07 on) cannot run\n{how}"
        try:
            browser = playwright.chromium.launch(headless=True, executable_path=executable)
            page = browser.new_page()
            page.set_content("<p>Bookmark Manager</p>")
            shown = page.inner_text("p")
            browser.close()
        except Error as error:
            reason = str(error).strip().splitlines()[0]
            order = "CHROMIUM_PATH, then chromium-headless-shell, chromium, chromium-browser, then Playwright's own"
            return FAIL, f"Chromium: {path} does not start headless: {reason}\n{how}\n(the checks try {order})"
    if shown != "Bookmark Manager":
        return FAIL, f"Chromium: {path} starts, but shows no page\n{how}"
    return OK, f"Chromium starts headless: {path}"


def check_sandbox() -> tuple[str, str]:
    """bubblewrap, found and tried as the tests' app host does (workshop.apps)."""
    from workshop.apps import sandbox_command, sandbox_works

    plain = "the checks run each app as a plain process (--sandbox=auto): fine for your own code"
    grading = "To check code that is not yours (an instructor): `sudo apt-get install bubblewrap`"
    required = os.environ.get("WORKSHOP_SANDBOX") == "bwrap"  # then the checks fail without it
    if not sys.platform.startswith("linux"):
        return (FAIL if required else NOTE), f"no bubblewrap (Linux only): {plain}"
    with tempfile.TemporaryDirectory(prefix="workshop-doctor-") as folder:
        command = sandbox_command(Path(folder))
        works = command is not None and sandbox_works(command)
    if works:
        return OK, "bubblewrap: each app under test runs in a sandbox"
    why = "not installed" if command is None else "installed, but refused to start here (no user namespaces?)"
    return (FAIL if required else NOTE), f"bubblewrap {why}: {plain}\n{grading}"


def port_taken(port: int) -> bool:
    with socket.socket() as probe:
        if os.name != "nt":  # as uvicorn binds: a connection closed a moment ago does not count
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


def check_port(port: int, user: str) -> tuple[str, str]:
    if port_taken(port):
        return NOTE, (
            f"port {port} is taken ({user}): a program you started earlier? The checks do not need it\n"
            "To free it: Ctrl+C in that program's terminal"
        )
    return OK, f"port {port} is free: {user}"


def doctor() -> int:
    """One line per thing the workshop needs: ok, a note, or FAIL with what to do."""
    checks: list[Callable[[], tuple[str, str]]] = [check_python, check_packages, check_chromium, check_sandbox]
    checks += [partial(check_port, port, user) for port, user in PORTS.items()]
    failed = 0
    print("Checking what the workshop needs:")
    for check in checks:
        status, text = check()
        failed += status == FAIL
        print(f"  {status} " + "\n       ".join(text.splitlines()))
    if failed:
        print(f"\n{failed} thing(s) to fix above. The Setup page says how, for every system.")
        return 1
    print("\nAll set. Next: `workshop start 01`, and follow the site.")
    return 0


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
    commands.add_parser("doctor", help="check that everything the workshop needs is installed")
    args = parser.parse_args(argv)

    if args.command == "doctor":
        return doctor()

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
