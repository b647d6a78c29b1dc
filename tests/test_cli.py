"""The learner's `workshop` command (src/workshop/cli.py): start, check, progress."""

import os
import re
import shutil
import socket
import subprocess
import sys
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


def doctor(**environment: str) -> tuple[int, str]:
    """`workshop doctor` as a learner runs it, in a Python of its own: it starts Playwright,
    which will not start inside this process once a browser test has run here."""
    command = [sys.executable, "-c", "import sys; from workshop import cli; sys.exit(cli.main(['doctor']))"]
    done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, **environment}, timeout=120)
    return done.returncode, done.stdout


def test_doctor_says_ok_to_each_requirement_here():
    # CI and the workshop's machines have everything: Chromium, bubblewrap (ports may be taken).
    code, out = doctor()
    assert code == 0, out
    for line in ("ok   Python 3.", "ok   packages: all", "ok   Chromium starts headless", "ok   bubblewrap"):
        assert line in out, f"doctor should say {line!r}:\n{out}"
    assert all(f"port {port} is" in out for port in (8000, 5500, 8001)), out
    assert "All set." in out


def test_doctor_fails_without_chromium_and_says_how_to_install_it(tmp_path):
    code, out = doctor(
        CHROMIUM_PATH=str(tmp_path / "no-chromium"),  # not a file: the tests' lookup goes on
        PLAYWRIGHT_BROWSERS_PATH=str(tmp_path / "no-browsers"),  # and finds no Playwright browser
    )
    assert code == 1, out
    assert "FAIL Chromium: none found" in out
    assert "sudo apt-get install chromium chromium-headless-shell" in out and "playwright install chromium" in out
    assert "1 thing(s) to fix above" in out


def test_doctor_fails_on_a_missing_package(monkeypatch, capsys):
    monkeypatch.setattr(cli, "requirements", lambda: ["pytest>=8", "bookmark-workshop-no-such-package>=1"])
    assert cli.check_packages() == (
        cli.FAIL,
        "packages: bookmark-workshop-no-such-package is missing\n" + cli.INSTALL,
    )


def test_doctor_notes_a_taken_port_and_a_missing_sandbox_without_failing(monkeypatch):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        status, text = cli.check_port(taken.getsockname()[1], "your API (uvicorn)")
    assert status == cli.NOTE and "is taken" in text and "Ctrl+C" in text
    monkeypatch.setattr(shutil, "which", lambda name: None)  # no bwrap on the PATH
    monkeypatch.delenv("WORKSHOP_SANDBOX", raising=False)
    status, text = cli.check_sandbox()
    assert status == cli.NOTE and "plain process" in text and "apt-get install bubblewrap" in text
    monkeypatch.setenv("WORKSHOP_SANDBOX", "bwrap")  # where the checks must sandbox, it is a failure
    assert cli.check_sandbox()[0] == cli.FAIL


def test_the_setup_pages_doctor_output_is_the_doctors():
    """docs/setup.md shows the doctor's answer on a machine with everything: the same lines
    the doctor prints here (the Python version aside; a port taken here is not compared)."""
    page = (REPO / "docs" / "setup.md").read_text(encoding="utf-8")
    shown = page.split("<!-- doctor-output -->\n```text\n", 1)[1].split("```", 1)[0].splitlines()
    code, out = doctor()
    assert code == 0, out
    printed = out.splitlines()

    def same(line: str) -> str:
        return re.sub(r"Python \d+\.\d+\.\d+", "Python 3.X", line)

    taken = {line.split(" is taken")[0].split()[-1] for line in printed if " is taken" in line}
    expected = [same(line) for line in shown if not any(f"port {port} " in line for port in taken)]
    got = [same(line) for line in printed]
    missing = [line for line in expected if line not in got]
    assert not missing, f"docs/setup.md shows doctor lines it no longer prints: {missing}\nIt prints:\n" + "\n".join(
        printed
    )
