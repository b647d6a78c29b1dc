"""The learner's `workshop` command (src/workshop/cli.py): start, check, progress."""

import shutil
from pathlib import Path

import pytest

from workshop import cli

# Slow checks of the workshop's tooling (each check runs pytest): CI runs them with `pytest -m tooling`.
pytestmark = pytest.mark.tooling

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def my_work(tmp_path, monkeypatch):
    monkeypatch.setattr(cli, "MY_WORK", tmp_path / "my-work")
    return tmp_path / "my-work"


def test_start_copies_the_learners_previous_step_else_the_reference(my_work, capsys):
    first = cli.start("02")
    assert (first / "main.py").read_text() == (REPO / "steps/01-hello-world/main.py").read_text()
    (first / "main.py").write_text((first / "main.py").read_text() + "\n# mine\n")
    second = cli.start("03")
    assert (second / "main.py").read_text().endswith("# mine\n"), "step 03 should start from the learner's 02"
    with pytest.raises(SystemExit, match="exists already"):
        cli.start("03")


def test_check_says_all_green_or_the_first_failure_and_the_page(tmp_path, capsys):
    folder = tmp_path / "01-hello-world"
    shutil.copytree(REPO / "steps/01-hello-world", folder)
    assert cli.main(["check", str(folder)]) == 0
    assert "All green. Next: `workshop start 02`" in capsys.readouterr().out
    (folder / "main.py").write_text("from fastapi import FastAPI\napp = FastAPI()\n")
    assert cli.main(["check", str(folder)]) == 1
    out = capsys.readouterr().out
    assert "FAIL" in out and "Next: GET / answered 404" in out
    assert "/steps/01-hello-world.html" in out
