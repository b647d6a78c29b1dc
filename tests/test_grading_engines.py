"""The grading engines' adapters (grading/), each run on a faked layout of its engine.

A small submission (steps 01 and 02 as the reference has them, a 03 that does not
import) is graded through each adapter with only the suites 01-03, and what the
adapter writes is read back as its engine would read it. The Gradescope adapter runs
from its own zip, unpacked where Gradescope unpacks it. Every adapter must give
the grade scripts/grade_class.py gives the same learner.

Then the same for tests that start a browser, a database and a login, with points of
their own: step 10 as the reference has it (its suite is one browser test), and an
instructor's step 99 (a copy of step 18's folder) whose hidden suite is the login
cookie's check of suite 17 (worth 2 points), the page's first check of suite 18 (worth
3) and one of its own worth 1.5 that fails. Hidden tests go through the Gradescope zip
and grade_class.py alike; three checks instead of suites 17 and 18's eighteen keep each
grading run to about the time of the one of steps 01-03.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
GRADING = REPO / "grading"
sys.path.insert(0, str(GRADING))

import grade  # noqa: E402  (grading/ is no package)
import make_gradescope_zip  # noqa: E402
import test_10_create_from_page as create_suite  # noqa: E402  (tests/ is on the path, as for any suite)
import test_17_users as users_suite  # noqa: E402
import test_18_login_page as login_page_suite  # noqa: E402
from grade import markdown_summary, prairielearn_results  # noqa: E402

STEPS = "01-03"
BROKEN = 'from fastapi import FastAPI\n\napp = FastAPI(\n\n@app.get("/bookmarks/{bookmark_id}")\n'

# A page step and a step with a database and a login; 99 is a step of the instructor's own.
LATER_STEPS = "10,99"
HIDDEN_SUITE = "test_99_users_again.py"
HIDDEN_TESTS = '''"""Step 99, an instructor's own: a check of step 17, one of step 18, and one the reference fails."""

import pytest
from test_17_users import (  # noqa: F401  (imported to be collected here, as step 99's)
    accounts,
    test_log_in_sets_an_httponly_samesite_cookie,
)
from test_18_login_page import test_the_page_signs_up_adds_logs_out_and_logs_in  # noqa: F401


@pytest.mark.points(1.5)
def test_a_hidden_check_that_fails(step_dir):  # no app to start: it reads the folder
    assert (step_dir / "CHANGES.md").is_file(), "a hidden check failed: the folder has no CHANGES.md"
'''

# Slow checks of the workshop's tooling: CI runs them with `pytest -m tooling`.
pytestmark = pytest.mark.tooling


def make_submission(folder: Path) -> Path:
    """Steps 01 and 02 as the reference has them; a 03 whose main.py is a syntax error."""
    for name in ("01-hello-world", "02-list-bookmarks"):
        shutil.copytree(REPO / "steps" / name, folder / name, ignore=shutil.ignore_patterns("__pycache__"))
    (folder / "03-get-bookmark").mkdir(parents=True)
    (folder / "03-get-bookmark" / "main.py").write_text(BROKEN, encoding="utf-8")
    return folder


def make_later_submission(folder: Path) -> Path:
    """Step 10 as the reference has it; step 18's folder as step 99."""
    ignored = shutil.ignore_patterns("__pycache__", "*.db")
    shutil.copytree(REPO / "steps" / "10-create-from-page", folder / "10-create-from-page", ignore=ignored)
    shutil.copytree(REPO / "steps" / "18-login-page", folder / "99-users", ignore=ignored)
    return folder


def run(command: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("PYTEST_") and key not in ("WORKSHOP_STEPS", "WORKSHOP_RESULTS")
    }
    return subprocess.run(
        command, cwd=cwd, env={**environment, **env}, capture_output=True, text=True, timeout=120, check=False
    )


def read_json(path: Path) -> dict:
    assert path.is_file(), f"{path.name} was not written"
    return json.loads(path.read_text(encoding="utf-8"))


def grade_with_grade_class(root: Path, make: Callable[[Path], Path], steps: str, *options: str) -> dict:
    """What scripts/grade_class.py gives the submission `make` writes: the reference for every adapter."""
    make(root / "class" / "ana")
    result = run(
        [
            sys.executable,
            "scripts/grade_class.py",
            str(root / "class"),
            f"--out={root / 'out'}",
            f"--steps={steps}",
            *options,
        ],
        REPO,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return read_json(root / "out" / "ana" / "results.json")


def grade_with_gradescope(root: Path, make: Callable[[Path], Path], steps: str, hidden: Path | None = None) -> Path:
    """/autograder as Gradescope lays it out: the zip in source/, the submission, results/."""
    make_gradescope_zip.build(root / "autograder.zip", steps=steps, hidden=hidden)
    with zipfile.ZipFile(root / "autograder.zip") as archive:
        archive.extractall(root / "source")
    (root / "source" / ".venv").symlink_to(sys.prefix)  # what setup.sh would have installed
    make(root / "submission")
    (root / "results").mkdir()
    result = run(["bash", str(root / "source" / "run_autograder")], root, AUTOGRADER_DIR=str(root))
    assert result.returncode == 0, result.stdout + result.stderr
    return root


@pytest.fixture(scope="module")
def class_grade(tmp_path_factory: pytest.TempPathFactory) -> dict:
    return grade_with_grade_class(tmp_path_factory.mktemp("class"), make_submission, STEPS)


@pytest.fixture(scope="module")
def gradescope(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return grade_with_gradescope(tmp_path_factory.mktemp("autograder"), make_submission, STEPS)


@pytest.fixture(scope="module")
def hidden(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The instructor's hidden tests: step 99's suite."""
    folder = tmp_path_factory.mktemp("hidden")
    (folder / HIDDEN_SUITE).write_text(HIDDEN_TESTS, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def later_class_grade(tmp_path_factory: pytest.TempPathFactory, hidden: Path) -> dict:
    return grade_with_grade_class(
        tmp_path_factory.mktemp("later-class"), make_later_submission, LATER_STEPS, f"--hidden={hidden}"
    )


@pytest.fixture(scope="module")
def later_gradescope(tmp_path_factory: pytest.TempPathFactory, hidden: Path) -> Path:
    return grade_with_gradescope(
        tmp_path_factory.mktemp("later-autograder"), make_later_submission, LATER_STEPS, hidden
    )


def test_the_adapters_time_limits_are_grade_classs_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    import argparse

    import grade_class

    class Parsed(Exception):
        pass

    def parse_args(self: argparse.ArgumentParser, args: list[str] | None = None) -> None:
        raise Parsed(argparse.ArgumentParser.parse_known_args(self, args)[0])

    monkeypatch.setattr(argparse.ArgumentParser, "parse_args", parse_args)
    with pytest.raises(Parsed) as parsed:
        grade_class.main(["class"])
    defaults = parsed.value.args[0]
    assert (grade.TEST_TIMEOUT, grade.REQUEST_TIMEOUT, grade.IMPORT_TIMEOUT) == (
        defaults.timeout,
        defaults.request_timeout,
        defaults.import_timeout,
    )


def outcomes(document: dict) -> dict[str, tuple[float, float]]:
    return {test["name"]: (test["score"], test["max_score"]) for test in document["tests"]}


def test_gradescope_results_have_the_score_of_each_test_and_step(gradescope: Path) -> None:
    document = read_json(gradescope / "results" / "results.json")
    steps = {row["step"]: row for row in document["extra_data"]["steps"]}
    assert sorted(steps) == ["01", "02", "03"], "the zip's workshop-steps.txt chose the suites"
    assert steps["01"]["points"] == steps["01"]["max_points"] > 0
    assert steps["02"]["points"] == steps["02"]["max_points"] > 0
    assert steps["03"]["points"] == 0 < steps["03"]["max_points"]
    assert "could not be imported" in steps["03"]["first_failure"]
    assert document["score"] == sum(test["score"] for test in document["tests"])
    assert document["max_score"] == sum(test["max_score"] for test in document["tests"])
    assert document["output"].startswith("Grade card for")


def test_gradescope_grades_as_grade_class_does(gradescope: Path, class_grade: dict) -> None:
    document = read_json(gradescope / "results" / "results.json")
    assert (document["score"], document["max_score"]) == (class_grade["score"], class_grade["max_score"])
    assert outcomes(document) == outcomes(class_grade)


def test_junit_xml_carries_the_step_and_points_of_each_test(gradescope: Path) -> None:
    document = read_json(gradescope / "results" / "results.json")
    cases = ElementTree.parse(gradescope / "results" / "junit.xml").getroot().iter("testcase")
    earned = 0.0
    steps = set()
    for case in cases:
        properties = {item.get("name"): item.get("value") for item in case.iter("property")}
        steps.add(properties["step"])
        failed = case.find("failure") is not None or case.find("error") is not None
        earned += 0 if failed else float(properties["points"])
    assert steps == {"01", "02", "03"}
    assert earned == document["score"]


def declared_points(test: Callable) -> float:
    """What @pytest.mark.points makes a test function worth (1 without it)."""
    marks = [mark for mark in getattr(test, "pytestmark", []) if mark.name == "points"]
    return marks[0].args[0] if marks else 1


def later_expected() -> dict[str, tuple[float, float]]:
    """Each test of the later submission: (points earned, points it is worth)."""
    passing = {
        "10": [create_suite.test_the_form_creates_a_bookmark],
        "99": [
            users_suite.test_log_in_sets_an_httponly_samesite_cookie,
            login_page_suite.test_the_page_signs_up_adds_logs_out_and_logs_in,
        ],
    }
    expected = {
        f"step {step}: {test.__name__}": (declared_points(test), declared_points(test))
        for step, tests in passing.items()
        for test in tests
    }
    return {**expected, "step 99: test_a_hidden_check_that_fails": (0, 1.5)}


def without_browser(name: str) -> str:
    """A test's name without pytest-playwright's parameter: "test_x[chromium]" -> "test_x"."""
    return re.sub(r"\[chromium\]$", "", name)


def failures(document: dict) -> list[tuple[str, str]]:
    """The failed tests of a results.json, with their reasons: what a mismatch is about."""
    return [(test["name"], test["output"]) for test in document["tests"] if test.get("status") == "failed"]


def test_gradescope_has_the_points_of_each_test_of_a_page_step_and_a_login_step(later_gradescope: Path) -> None:
    document = read_json(later_gradescope / "results" / "results.json")
    expected = later_expected()
    graded = {without_browser(name): points for name, points in outcomes(document).items()}
    assert graded == expected, f"failed: {failures(document)}"
    steps = {row["step"]: row for row in document["extra_data"]["steps"]}
    assert {step: row["folder"] for step, row in steps.items()} == {"10": "10-create-from-page", "99": "99-users"}
    for step, row in steps.items():
        tests = [points for name, points in expected.items() if name.startswith(f"step {step}:")]
        assert (row["points"], row["max_points"]) == (sum(p for p, _ in tests), sum(m for _, m in tests)), step
        assert (row["passed"], row["total"]) == (sum(1 for p, m in tests if p == m), len(tests)), step
    assert steps["10"]["first_failure"] == ""
    assert "a hidden check failed: the folder has no CHANGES.md" in steps["99"]["first_failure"]
    assert document["score"] == sum(p for p, _ in expected.values())
    assert document["max_score"] == sum(m for _, m in expected.values())


def test_junit_xml_has_the_step_and_points_of_each_test_of_a_page_step_and_a_login_step(
    later_gradescope: Path,
) -> None:
    cases, messages = {}, []
    for case in ElementTree.parse(later_gradescope / "results" / "junit.xml").getroot().iter("testcase"):
        properties = {item.get("name"): item.get("value") for item in case.iter("property")}
        failure = case.find("failure") if case.find("failure") is not None else case.find("error")
        points = float(properties["points"])
        cases[f"step {properties['step']}: {without_browser(case.get('name', ''))}"] = (
            0 if failure is not None else points,
            points,
        )
        messages += [] if failure is None else [f"{case.get('name')}: {failure.get('message')}"]
    assert cases == later_expected(), f"failed: {messages}"


def test_gradescope_grades_a_page_step_and_a_login_step_as_grade_class_does(
    later_gradescope: Path, later_class_grade: dict
) -> None:
    document = read_json(later_gradescope / "results" / "results.json")
    assert (document["score"], document["max_score"]) == (later_class_grade["score"], later_class_grade["max_score"])
    assert outcomes(document) == outcomes(later_class_grade), (
        f"failed on Gradescope: {failures(document)}; in grade_class.py: {failures(later_class_grade)}"
    )
    assert document["extra_data"]["steps"] == later_class_grade["extra_data"]["steps"]


def test_the_gradescope_zip_has_its_scripts_at_the_root_and_no_reference_solutions(tmp_path: Path) -> None:
    out = tmp_path / "autograder.zip"
    result = run([sys.executable, "grading/make_gradescope_zip.py", str(out)], REPO)
    assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(out) as archive:
        infos = {info.filename: info for info in archive.infolist()}
    for name in ("setup.sh", "run_autograder"):
        assert stat.S_IMODE(infos[name].external_attr >> 16) & 0o111, f"{name} must be executable"
    assert {".ci/install", "requirements.txt", "src/workshop/plugin.py", "tests/conftest.py"} <= set(infos)
    assert not [name for name in infos if name.startswith(("steps/", "exercises/"))]
    assert "workshop-steps.txt" not in infos, "without --steps every step is graded"


def test_hidden_tests_go_into_the_zip_beside_the_suites_under_names_of_their_own(tmp_path: Path) -> None:
    hidden = tmp_path / "hidden"
    hidden.mkdir()
    (hidden / "test_04_hidden_titles.py").write_text("def test_x(client):\n    pass\n", encoding="utf-8")
    assert "tests/test_04_hidden_titles.py" in make_gradescope_zip.build(tmp_path / "a.zip", hidden=hidden)
    (hidden / "test_04_create_bookmark.py").write_text("", encoding="utf-8")
    with pytest.raises(SystemExit, match="rename it"):
        make_gradescope_zip.build(tmp_path / "b.zip", hidden=hidden)


def test_gradescope_setup_installs_with_the_ci_install_script() -> None:
    setup = (GRADING / "gradescope" / "setup.sh").read_text(encoding="utf-8")
    assert "bash .ci/install" in setup


def test_prairielearn_score_is_gradescopes_fraction(tmp_path: Path, gradescope: Path) -> None:
    make_submission(tmp_path / "student")
    result = run(
        ["bash", str(GRADING / "prairielearn" / "run.sh")], tmp_path, GRADE_DIR=str(tmp_path), WORKSHOP_STEPS=STEPS
    )
    assert result.returncode == 0, result.stdout + result.stderr
    document = read_json(tmp_path / "results" / "results.json")
    graded = read_json(gradescope / "results" / "results.json")
    assert document["gradable"] is True
    assert 0 <= document["score"] <= 1
    assert document["score"] == pytest.approx(graded["score"] / graded["max_score"])
    assert {test["name"] for test in document["tests"]} == {test["name"] for test in graded["tests"]}
    for test in document["tests"]:
        assert 0 <= test["points"] <= test["max_points"]
        assert isinstance(test["message"], str) and isinstance(test["output"], str)
    assert [path.name for path in (tmp_path / "results").iterdir()] == ["results.json"]


def test_prairielearn_grades_one_steps_main_py_from_a_file_editor(tmp_path: Path) -> None:
    (tmp_path / "student").mkdir()
    shutil.copy2(REPO / "steps" / "02-list-bookmarks" / "main.py", tmp_path / "student" / "main.py")
    result = run(
        ["bash", str(GRADING / "prairielearn" / "run.sh")], tmp_path, GRADE_DIR=str(tmp_path), WORKSHOP_STEPS="02"
    )
    assert result.returncode == 0, result.stdout + result.stderr
    document = read_json(tmp_path / "results" / "results.json")
    assert document["score"] == 1.0 and document["tests"]
    assert all(test["name"].startswith("step 02:") for test in document["tests"])


def test_without_results_prairielearn_is_told_the_submission_is_not_gradable() -> None:
    document = prairielearn_results(None, "pytest ended with exit code 4")
    assert document == {"gradable": False, "format_errors": ["pytest ended with exit code 4"]}
    assert "did not run" in markdown_summary(None, "pytest ended with exit code 4")


def github_workspace(tmp_path: Path) -> tuple[Path, Path]:
    """A learner's repository (steps/ inside, a README beside) and a job summary with a line in it."""
    workspace = tmp_path / "learner"
    make_submission(workspace / "steps")
    (workspace / "README.md").write_text("# My workshop\n", encoding="utf-8")
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step's summary\n", encoding="utf-8")
    return workspace, summary


def test_github_actions_fails_a_broken_step_and_shows_the_card(tmp_path: Path, class_grade: dict) -> None:
    workspace, summary = github_workspace(tmp_path)
    result = run(
        ["bash", str(GRADING / "github-actions" / "grade.sh")],
        workspace,
        GITHUB_WORKSPACE=str(workspace),
        GITHUB_STEP_SUMMARY=str(summary),
        WORKSHOP_RESULTS=".workshop-results",
        WORKSHOP_STEPS=STEPS,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("earlier step's summary\n## Workshop grade card"), "the summary is appended to"
    assert re.search(r"\| 01-hello-world \| (\d+)/\1 \|", text)
    assert re.search(r"\| 03-get-bookmark \| 0/\d+ \| 0/\d+ \| 03-get-bookmark/main.py could not be imported", text)
    assert f"**{class_grade['score']:g}/{class_grade['max_score']:g}**" in text
    document = read_json(workspace / ".workshop-results" / "results.json")
    assert outcomes(document) == outcomes(class_grade)
    assert (workspace / ".workshop-results" / "junit.xml").is_file()


def test_github_actions_passes_when_every_step_passes(tmp_path: Path) -> None:
    workspace, summary = github_workspace(tmp_path)
    result = run(
        ["bash", str(GRADING / "github-actions" / "grade.sh")],
        workspace,
        GITHUB_WORKSPACE=str(workspace),
        GITHUB_STEP_SUMMARY=str(summary),
        RUNNER_TEMP=str(tmp_path),
        WORKSHOP_STEPS="01-02",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "| 03-get-bookmark" not in summary.read_text(encoding="utf-8")
    assert read_json(tmp_path / "workshop-results" / "results.json")["score"] > 0


def test_the_workflow_installs_a_pinned_workshop_with_its_install_script_and_grades() -> None:
    workflow = yaml.safe_load((GRADING / "github-actions" / "workshop.yml").read_text(encoding="utf-8"))
    job = workflow["jobs"]["grade"]
    assert "bookworm" in job["container"], "the Debian of CI, where .ci/install works as it is"
    runs = [step.get("run", "") for step in job["steps"]]
    checkouts = [step for step in job["steps"] if step.get("uses", "").startswith("actions/checkout@")]
    assert len(checkouts) == 2 and "with" not in checkouts[0], "the learner's repository, then the workshop"
    assert checkouts[1]["with"] == {
        "repository": "${{ env.WORKSHOP_REPOSITORY }}",
        "ref": "${{ env.WORKSHOP_REF }}",
        "path": ".workshop",
    }
    assert runs.index("bash .workshop/.ci/install") < runs.index("bash .workshop/grading/github-actions/grade.sh")
    assert {"WORKSHOP_REPOSITORY", "WORKSHOP_REF", "WORKSHOP_STEPS"} <= set(workflow["env"])


def test_the_container_installs_with_the_ci_install_script_only() -> None:
    lines = (GRADING / "Containerfile").read_text(encoding="utf-8").splitlines()
    instructions = [line for line in lines if line.strip() and not line.lstrip().startswith("#")]
    assert instructions[0].startswith("FROM ") and "bookworm" in instructions[0]
    runs = [line.removeprefix("RUN ").split("&&") for line in instructions if line.startswith("RUN ")]
    assert len(runs) == 1, "one RUN: the install script"
    commands = [command.strip() for command in runs[0]]
    assert commands[0] == "bash .ci/install"
    assert all(command.startswith("rm ") for command in commands[1:]), "only .ci/install installs anything"
    copied = [source for line in instructions if line.startswith("COPY ") for source in line.split()[1:-1]]
    for name in make_gradescope_zip.NEEDED + ["src/workshop/plugin.py", "tests/conftest.py"]:
        assert any(name == source or name.startswith(source + "/") for source in copied), (
            f"the image lacks {name}, which grading needs (see make_gradescope_zip.NEEDED)"
        )


def test_the_instructors_page_names_only_adapters_that_exist() -> None:
    page = (REPO / "docs" / "instructors.md").read_text(encoding="utf-8")
    section = page.split("## Grading engines", 1)[1].split("\n## ", 1)[0]
    named = set(re.findall(r"grading/[\w./-]+\w", section))
    assert {"grading/gradescope/run_autograder", "grading/prairielearn/run.sh", "grading/Containerfile"} <= named
    assert not [name for name in named if not (REPO / name).exists()]
