"""Grade a whole class: one subfolder per learner, each holding that learner's step folders.

    python scripts/grade_class.py CLASS_DIR [--out DIR] [--hidden DIR] [--steps 01-06] [--jobs N] [--request-timeout S]

CLASS_DIR/ana/01-hello-world/main.py, CLASS_DIR/ana/02-.../ (or CLASS_DIR/ana/steps/NN-*/)
and so on for every learner. Prints one table, learner x step -> points, and writes
into --out (default: CLASS_DIR-grades beside the class folder):

* grades.csv: the same table, one row per learner;
* cards.txt: every learner's grade card, with the first failing check of each step;
* LEARNER/results.json: Gradescope's results.json for that learner (upload as is);
* LEARNER/card.txt and LEARNER/pytest.log: the card, and pytest's own output.

Learner code is untrusted, and never runs in a process that grades. Each learner
is graded by its own pytest process (a fork of one process that imported pytest
once), in a temporary folder holding fresh copies of the instructor's tests (plus
--hidden) and of the learner's steps. That pytest starts the learner's apps in the
workshop's app host (src/workshop/apps.py): out of process, and on Linux in a
bubblewrap sandbox that sees neither the tests nor any other learner, and whose
processes all end with the run. Every request has a time limit (--request-timeout)
and every test one too (--timeout). Outside, a watchdog
kills the process group when no test has finished for --stall seconds (a call that
blocks forever) or the output file grows past 64 MB (endless printing): the test in
progress is charged with the reason, the rest of its step is lost, and the run
goes on with the remaining steps in a new process. See docs/instructors.md.
"""

from __future__ import annotations

import argparse
import csv
import json
import multiprocessing
import os
import resource
import shutil
import signal
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from workshop.apps import copy_ignored
from workshop.results import format_card, gradescope_results, short, step_rows
from workshop.steps import SUITE_NAME

REPO = Path(__file__).resolve().parent.parent

OUTPUT_LIMIT = 64 * 1024 * 1024  # bytes a learner's run may write to one file
# The import path of a learner's pytest: Python's own, without this script's folder.
SITE_PATH = [path for path in sys.path if path and Path(path).resolve() != Path(__file__).resolve().parent]


def learner_steps(folder: Path) -> Path:
    """Where a learner's step folders are: the folder itself, or its steps/."""
    inner = folder / "steps"
    if inner.is_dir() and any(path.is_dir() and path.name[:2].isdigit() for path in inner.iterdir()):
        return inner
    return folder


def make_kit(work: Path, hidden: Path | None) -> Path:
    """A fresh copy of the instructor's tests (and hidden tests) for one learner's run."""
    kit = work / "kit"
    (kit / "tests").mkdir(parents=True)
    shutil.copy2(REPO / "pyproject.toml", kit / "pyproject.toml")
    for source in (REPO / "tests").glob("*.py"):
        shutil.copy2(source, kit / "tests" / source.name)
    if hidden is not None:
        for source in hidden.glob("*.py"):
            if (kit / "tests" / source.name).exists():
                raise SystemExit(f"--hidden: {source.name} has the name of one of the workshop's tests; rename it")
            shutil.copy2(source, kit / "tests" / source.name)
    return kit


def read_progress(path: Path) -> list[dict]:
    events = []
    if path.is_file():
        with open(path, encoding="utf-8", errors="replace") as stream:
            for line in stream:
                try:
                    events.append(json.loads(line))
                except json.JSONDecodeError:
                    break  # a line cut short by a kill
    return events


# Every learner's pytest is a fork of one process that has imported these once
# (multiprocessing's fork server), not a new Python that imports them again:
# about a second less per learner. The fork is made by that server process,
# which never runs learner code.
FORKS = multiprocessing.get_context("forkserver")
FORKS.set_forkserver_preload(["pytest", "httpx2", "playwright.sync_api", "workshop.plugin"])


def kill_group(pid: int) -> None:
    """Kill a process and its process group: whatever it started goes too."""
    for kill in (os.killpg, os.kill):
        try:
            kill(pid, signal.SIGKILL)
        except OSError:
            pass


def pytest_process(arguments: list[str], kit: str, environment: dict, log_path: str) -> None:
    """In the forked child: a process group of its own (so that the watchdog can kill
    whatever the learner's code starts), a cap on the size of the files it writes
    (endless printing fills no disk), output to the log; then pytest, then exit."""
    os.setsid()
    try:
        resource.setrlimit(resource.RLIMIT_FSIZE, (OUTPUT_LIMIT, OUTPUT_LIMIT))
    except (ValueError, OSError):
        pass
    log = os.open(log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.chdir(kit)
    os.environ.clear()
    os.environ.update(environment)
    sys.pycache_prefix, sys.dont_write_bytecode = environment["PYTHONPYCACHEPREFIX"], False
    sys.path[:] = [kit, *SITE_PATH]  # what `python -m pytest` in the kit would have
    import pytest

    code = pytest.main(arguments)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(int(code))


def run_pytest(
    kit: Path, steps: Path, suites: list[str], progress: Path, log_path: Path, args
) -> tuple[int | None, str]:
    """One pytest process on `suites`; answers (exit code or None when killed, why it was killed)."""
    arguments = [
        *suites,
        f"--rootdir={kit}",
        f"--steps-dir={steps}",
        f"--timeout={args.timeout}",
        f"--import-timeout={args.import_timeout}",
        f"--request-timeout={args.request_timeout}",
        f"--grade-progress={progress}",
        "-q",
        "-p",
        "no:cacheprovider",
        "-p",
        "no:schemathesis",  # the fuzz tests' plugin: half a second a run, for tests not run here
        "-p",
        "no:hypothesispytest",  # its summary imports Hypothesis (0.1 s); tests/conftest.py loads it where used
        # FastAPI came with the fork, and with it anyio, whose pytest plugin pytest
        # would have rewritten: it says so, harmlessly (no test of ours is in it).
        "-W",
        "ignore::pytest.PytestAssertRewriteWarning",
    ]
    # Compiled files (and pytest's rewritten test modules) go to one cache for the
    # whole class, never into the learner's folders or the virtual environment:
    # the libraries' modules are compiled for the first learner only.
    environment = {**os.environ, "PYTHONPYCACHEPREFIX": str(args.pycache), "COLUMNS": "120"}
    environment.pop("PYTHONDONTWRITEBYTECODE", None)
    environment.pop("PYTEST_ADDOPTS", None)
    process = FORKS.Process(target=pytest_process, args=(arguments, str(kit), environment, str(log_path)))
    process.start()
    started = last_change = time.monotonic()
    last_size = -1
    why = ""
    while process.exitcode is None:
        time.sleep(0.2)
        now = time.monotonic()
        size = progress.stat().st_size if progress.exists() else 0
        if size != last_size:
            last_size, last_change = size, now
        if now - last_change > args.stall:
            why = f"no test finished within {args.stall:g} s"
        elif now - started > args.learner_timeout:
            why = f"grading took longer than {args.learner_timeout:g} s"
        if why:
            kill_group(process.pid)
            process.join()
            process.close()
            return None, why
    kill_group(process.pid)  # whatever the learner's code left running goes too
    code = process.exitcode
    process.close()
    return code, ""


def copy_hand_in(folder: Path, steps: Path) -> str | None:
    """Copy a learner's step folders for grading; answers why it cannot be, or None.

    Links are copied as links (in the sandbox they lead nowhere); a hand-in that is itself
    a link is refused (a link to the reference steps is not the learner's work); named
    pipes and devices are left out (a pipe would block the copy)."""
    source = learner_steps(folder)
    if folder.is_symlink() or source.is_symlink():
        return "the hand-in is a link to another folder, not the learner's own folder"
    try:
        shutil.copytree(source, steps, symlinks=True, ignore=copy_ignored)
    except (OSError, shutil.Error) as error:
        return f"the hand-in could not be copied: {short(str(error), 200)}"
    return None


def step_dirs(steps: Path) -> list[Path]:
    """The copied step folders (none when the hand-in could not be copied)."""
    return [path for path in steps.iterdir() if path.is_dir() and path.name[:2].isdigit()] if steps.is_dir() else []


def lose_suite(suite: str, why: str, collected: dict[str, dict], results: dict[str, dict]) -> None:
    """One failed entry for a whole suite that could not run."""
    step = SUITE_NAME.fullmatch(Path(suite).stem).group(1)
    nodeid = f"{suite}::(grading)"
    results[nodeid] = {
        "nodeid": nodeid,
        "step": step,
        "name": "(grading)",
        "points": 1,
        "outcome": "failed",
        "reason": f"could not grade: {why}",
    }
    collected.setdefault(nodeid, results[nodeid])


def grade_learner(folder: Path, out: Path, args) -> dict:
    """Grade one learner; answers {"learner", "results", "rows", "card", "seconds"}."""
    started = time.monotonic()
    name = folder.name
    learner_out = out / name
    learner_out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f"grade-{name}-"))
    try:
        kit = make_kit(work, args.hidden)
        steps = work / "steps"
        problem = copy_hand_in(folder, steps)
        suites = sorted(
            f"tests/{path.name}"
            for path in (kit / "tests").iterdir()
            if (path.suffix == ".py" and SUITE_NAME.fullmatch(path.stem))
            and (not args.steps or path.name[5:7] in args.steps)
        )
        collected: dict[str, dict] = {}
        results: dict[str, dict] = {}
        pending = list(suites)
        log_path = learner_out / "pytest.log"
        log_path.write_bytes(b"")
        if problem:  # nothing can be graded: every step is lost, with the reason
            for suite in pending:
                lose_suite(suite, problem, collected, results)
            pending = []
        for attempt in range(len(suites) + 1):
            if not pending:
                break
            progress = work / f"progress-{attempt}.jsonl"
            code, why = run_pytest(kit, steps, pending, progress, log_path, args)
            events = read_progress(progress)
            started_ids, done_ids = [], set()
            for event in events:
                if event["event"] == "collected":
                    for test in event["tests"]:
                        collected.setdefault(test["nodeid"], test)
                elif event["event"] == "start":
                    started_ids.append(event["nodeid"])
                elif event["event"] == "result":
                    results[event["nodeid"]] = {key: value for key, value in event.items() if key != "event"}
                elif event["event"] == "done":
                    done_ids.add(event["nodeid"])
            unfinished = [nodeid for nodeid in collected if nodeid not in results and nodeid.split("::")[0] in pending]
            if code in (0, 1) and not why and not unfinished:
                break  # a normal end: every collected test has its result
            # Killed, or the process died: charge the test in progress and its step.
            if code is not None and code < 0 and -code == signal.SIGXFSZ:
                why = f"the code wrote more than {OUTPUT_LIMIT // 2**20} MB of output (does it print endlessly?)"
            elif not why:
                why = f"the test run ended abruptly (exit code {code}): does main.py call os._exit or crash Python?"
            if not events:
                for suite in pending:  # nothing ran at all: the whole attempt is lost
                    lose_suite(suite, f"{why}; see pytest.log", collected, results)
                break
            in_progress = started_ids[-1] if started_ids and started_ids[-1] not in done_ids else None
            lost_step = collected[in_progress]["step"] if in_progress in collected else None
            if in_progress and in_progress not in results:
                results[in_progress] = {**collected[in_progress], "outcome": "failed", "reason": why}
            for nodeid, test in collected.items():
                if nodeid not in results and test["step"] == lost_step:
                    results[nodeid] = {
                        **test,
                        "outcome": "failed",
                        "reason": f"not run: an earlier test of this step was stopped ({why})",
                    }
            pending = sorted(
                {
                    nodeid.split("::")[0]
                    for nodeid, test in collected.items()
                    if nodeid not in results and nodeid.split("::")[0] in pending
                }
            )
        ordered = [
            results.get(nodeid) or {**test, "outcome": "failed", "reason": "not run (grading was stopped)"}
            for nodeid, test in collected.items()
        ]
        folders = {path.name[:2]: path.name for path in step_dirs(steps)}
        for suite in suites:  # the card names every step by its reference folder when the learner's is missing
            step = SUITE_NAME.fullmatch(Path(suite).stem).group(1)
            folders.setdefault(step, next((p.name for p in (REPO / "steps").glob(f"{step}-*")), step))
        rows = step_rows(ordered, folders)
        card = format_card(rows, f"Grade card for {name}")
        seconds = time.monotonic() - started
        (learner_out / "card.txt").write_text(card, encoding="utf-8")
        document = gradescope_results(ordered, rows, card, seconds)
        (learner_out / "results.json").write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
        return {"learner": name, "results": ordered, "rows": rows, "card": card, "seconds": seconds}
    finally:
        shutil.rmtree(work, ignore_errors=True)


def class_table(graded: list[dict]) -> tuple[list[str], list[list[str]]]:
    steps = sorted({row["step"] for learner in graded for row in learner["rows"]})
    header = ["learner", *steps, "total", "max"]
    lines = []
    for learner in graded:
        rows = {row["step"]: row for row in learner["rows"]}
        points = [f"{rows[step]['points']:g}" if step in rows else "-" for step in steps]
        total = sum(row["points"] for row in learner["rows"])
        maximum = sum(row["max_points"] for row in learner["rows"])
        lines.append([learner["learner"], *points, f"{total:g}", f"{maximum:g}"])
    return header, lines


def print_table(header, lines, graded) -> None:
    maxima = {}
    for learner in graded:
        for row in learner["rows"]:
            maxima[row["step"]] = max(maxima.get(row["step"], 0), row["max_points"])
    first = max([len(header[0]), *(len(line[0]) for line in lines)])
    widths = [first, *(max(4, len(h)) for h in header[1:])]

    def show(cells):
        print("  ".join(f"{cell:<{widths[0]}}" if i == 0 else f"{cell:>{widths[i]}}" for i, cell in enumerate(cells)))

    show(header)
    show(["(points)", *(f"{maxima[step]:g}" for step in header[1:-2]), "", ""])
    for line in lines:
        show(line)


def step_numbers(text: str) -> set[str]:
    """ "01-06" -> {"01", ..., "06"}; "04,07" -> {"04", "07"}."""
    numbers = set()
    for part in text.split(","):
        first, _, last = part.strip().partition("-")
        numbers.update(f"{n:02d}" for n in range(int(first), int(last or first) + 1))
    return numbers


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("class_dir", type=Path, help="one subfolder per learner")
    parser.add_argument("--out", type=Path, help="where to write the grades (default: CLASS_DIR-grades)")
    parser.add_argument("--hidden", type=Path, help="a folder of extra test files (test_NN_*.py) learners never see")
    parser.add_argument(
        "--jobs",
        type=int,
        default=(os.cpu_count() or 1) + 1,
        help="learners graded at once (default: one more than the CPUs, which a "
        "learner's run leaves idle while it waits on the browser)",
    )
    parser.add_argument("--timeout", type=float, default=20, help="seconds one test may take (default 20)")
    parser.add_argument(
        "--request-timeout", type=float, default=5, help="seconds the app may take to answer one request (default 5)"
    )
    parser.add_argument("--import-timeout", type=float, default=10, help="seconds a main.py may take to import")
    parser.add_argument(
        "--stall",
        type=float,
        default=None,
        help="kill a learner's run when no test finished for this long (default 3 x timeout + import-timeout)",
    )
    parser.add_argument("--learner-timeout", type=float, default=900, help="seconds for one learner, at most")
    parser.add_argument("--steps", type=step_numbers, help="grade only these steps, e.g. 01-06 or 04,05")
    parser.add_argument("--quiet", action="store_true", help="print the table only")
    args = parser.parse_args(argv)
    if args.stall is None:
        args.stall = 3 * args.timeout + args.import_timeout
    class_dir = args.class_dir.resolve()
    if not class_dir.is_dir():
        parser.error(f"{args.class_dir} is not a folder")
    if args.hidden is not None:
        args.hidden = args.hidden.resolve()
        if not args.hidden.is_dir():
            parser.error(f"--hidden {args.hidden}: there is no such folder")
    out = (args.out or class_dir.with_name(class_dir.name + "-grades")).resolve()
    out.mkdir(parents=True, exist_ok=True)
    learners = sorted(path for path in class_dir.iterdir() if path.is_dir() and not path.name.startswith("."))
    if not learners:
        parser.error(f"{class_dir} holds no learner folders")

    started = time.monotonic()
    args.pycache = Path(tempfile.mkdtemp(prefix="grade-pycache-"))
    try:
        with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            graded = list(pool.map(lambda folder: grade_learner(folder, out, args), learners))
    finally:
        shutil.rmtree(args.pycache, ignore_errors=True)
    seconds = time.monotonic() - started

    header, lines = class_table(graded)
    with open(out / "grades.csv", "w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(header)
        writer.writerows(lines)
    (out / "cards.txt").write_text("\n".join(learner["card"] for learner in graded), encoding="utf-8")

    print_table(header, lines, graded)
    if not args.quiet:
        print()
        for learner in graded:
            for row in learner["rows"]:
                if row["passed"] < row["total"]:
                    print(f"{learner['learner']}: {row['folder']}: {short(row['first_failure'], 100)}")
    print(
        f"\n{len(learners)} learners graded in {seconds:.0f} s ({args.jobs} at once); "
        f"grades.csv, cards.txt and one results.json per learner in {out}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
