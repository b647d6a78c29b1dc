"""The grading itself (src/workshop): fast checks of its parts.

The end-to-end check, a whole class with typical mistakes graded by
scripts/grade_class.py, is slow; it is scripts/benchmark_class.py, run by CI.
"""

import json
import os
import shutil
from pathlib import Path

import pytest

from workshop import apps
from workshop.apps import AppFailed, AppHost, LearnerApp, libraries_used
from workshop.results import format_card, gradescope_results, plain_reason, step_rows
from workshop.steps import find_step_folder, read_step_file

# The harness's own checks (points, card, exports, the app host): with the workshop's other
# tooling, in `pytest -m tooling` (CI runs it), not in the everyday run of the steps' checks.
pytestmark = pytest.mark.tooling


def result(step, name, outcome="passed", points=1, reason=""):
    return {
        "nodeid": f"tests/test_{step}_x.py::{name}",
        "step": step,
        "name": name,
        "points": points,
        "outcome": outcome,
        "reason": reason,
    }


RESULTS = [
    result("01", "test_a"),
    result("01", "test_b", points=3),
    result("04", "test_post", "failed", 2, "POST /bookmarks answered 200, expected 201. Body: {}"),
    result("04", "test_later", "failed", 1, "something else"),
    result("04", "test_cors", "skipped", 1, "step 09 replaces this behaviour"),
    result("04", "test_ok"),
]


def test_a_failure_reads_as_the_learners_message_without_pytests_explanation():
    message = "AssertionError: POST /bookmarks answered 200, expected 201. Body: {}\nassert 200 == 201\n +  where"
    assert plain_reason(message) == "POST /bookmarks answered 200, expected 201. Body: {}"
    assert plain_reason("Failed: step 05: there is no folder 05-* in class/ana") == (
        "step 05: there is no folder 05-* in class/ana"
    )


def test_steps_add_up_points_and_keep_the_first_failure():
    rows = step_rows(RESULTS, {"01": "01-hello-world"})
    first, fourth = rows
    assert (first["folder"], first["passed"], first["total"], first["points"], first["max_points"]) == (
        "01-hello-world",
        2,
        2,
        4,
        4,
    )
    # the skipped test counts in neither total
    assert (fourth["passed"], fourth["total"], fourth["points"], fourth["max_points"], fourth["skipped"]) == (
        1,
        3,
        1,
        4,
        1,
    )
    assert fourth["first_failure"].startswith("POST /bookmarks answered 200, expected 201")


def test_the_card_shows_every_step_and_the_total():
    card = format_card(step_rows(RESULTS), "Grade card for ana")
    lines = card.splitlines()
    assert lines[0] == "Grade card for ana"
    assert any(line.startswith("01") and "4/4" in line and line.endswith("ok") for line in lines)
    assert any(line.startswith("04") and "1/3" in line and "answered 200, expected 201" in line for line in lines)
    assert lines[-1].split()[:3] == ["total", "3/5", "5/8"]


def test_the_json_is_gradescopes_results_format():
    rows = step_rows(RESULTS)
    document = json.loads(json.dumps(gradescope_results(RESULTS, rows, "card", 1.234)))
    assert (document["score"], document["max_score"], document["execution_time"]) == (5, 8, 1.23)
    assert sum(test["score"] for test in document["tests"]) == document["score"]
    assert sum(test["max_score"] for test in document["tests"]) == document["max_score"]
    failed = document["tests"][2]
    assert failed["status"] == "failed" and failed["score"] == 0 and failed["max_score"] == 2
    assert failed["name"] == "step 04: test_post" and "expected 201" in failed["output"]
    skipped = document["tests"][4]
    assert skipped["max_score"] == 0 and "status" not in skipped
    assert document["extra_data"]["steps"] == rows


# --- The app host: a learner's app out of process ------------------------------------


@pytest.fixture(scope="module")
def host():
    host = AppHost(import_timeout=1)
    yield host
    host.close()


REPO = Path(__file__).resolve().parent.parent


def learner(tmp_path: Path, name: str, source: str) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    (folder / "main.py").write_text(source)
    return folder


@pytest.mark.parametrize(
    "source, expected",
    [
        ("while True:\n    pass\n", "did not finish importing within 1 s"),
        ("import os\nos._exit(0)\n", "exit code 0"),  # 0 too: the import never got to its end
        (
            "x = 1\nraise ValueError('at import')\n",
            "could not be imported: ValueError (main.py, line 2, <module>): at import",
        ),
        ("from fastapi import FastAPI\nap = FastAPI()\n", "has no `app`"),
        ("def broken(:\n", "could not be imported: SyntaxError (main.py, line 1): "),
    ],
)
@pytest.mark.parametrize("prepared", [False, True], ids=["started", "prepared ahead"])
def test_a_main_py_that_cannot_start_says_why(host, tmp_path, source, expected, prepared):
    folder = learner(tmp_path, "01-hello-world", source)
    if prepared:  # imported while the test before ended: the same reasons, the same time limit
        host.ready()
        host.prepare(folder, {})
    with pytest.raises(AppFailed, match=expected.replace("(", r"\(").replace(")", r"\)")):
        LearnerApp(host, folder).start()


COUNTER = """from fastapi import FastAPI
print("imported")
app = FastAPI()
hits = []

@app.get("/")
def root():
    hits.append(1)
    print("served", len(hits))  # a plain print: it reaches the output while the app runs
    return {"hits": len(hits)}
"""


def test_an_app_prepared_ahead_is_as_fresh_as_one_started_now(host, tmp_path):
    folder = learner(tmp_path, "01-hello-world", COUNTER)
    first = LearnerApp(host, folder).start()
    assert first.client.get("/").json() == {"hits": 1}
    first.stop()
    first.prepare_next()
    second = LearnerApp(host, folder).start()
    assert second.copy != first.copy, "each test gets its own copy"
    assert second.client.get("/").json() == {"hits": 1}
    assert "imported" in second.output() and "served 1" in second.output()
    second.restart(env={"X": "1"})  # other options: not the prepared child, a fresh copy again
    assert second.client.get("/").json() == {"hits": 1}
    second.stop()


def test_the_next_tests_app_is_prepared_while_this_one_runs_and_outlives_its_restarts(host, tmp_path):
    folder = learner(tmp_path, "01-hello-world", COUNTER)
    first = LearnerApp(host, folder).start()
    first.prepare_next()  # as the fixture does right after a test's start: on the other CPU
    spare = host.prepared
    assert spare is not None and spare.copy != first.copy, "the spare imports a copy of its own"
    assert first.client.get("/").json() == {"hits": 1}, "the test's app still serves beside the spare"
    first.restart(keep_data=True)
    first.restart(env={"X": "1"})
    assert host.prepared is spare, "a restart within the test leaves the next test's spare alone"
    assert first.client.get("/").json() == {"hits": 1}
    first.stop()
    first.prepare_next()
    assert host.prepared is spare, "prepared once: the spare from the test's start is still there"
    second = LearnerApp(host, folder).start()
    assert host.prepared is None and second.copy == spare.copy, "the next test takes the spare"
    assert second.client.get("/").json() == {"hits": 1}
    assert second.output().count("imported") == 1
    second.stop()


USES_A_DATABASE = """import sys

PRELOADED = "sqlmodel" in sys.modules  # before main.py imports it: the host did, before the fork

from fastapi import FastAPI
from sqlmodel import SQLModel

app = FastAPI()

@app.get("/")
def root():
    return {"preloaded": PRELOADED}
"""


def test_the_later_steps_libraries_are_imported_for_the_apps_that_use_them(host, tmp_path):
    assert libraries_used(REPO / "steps" / "04-create-bookmark") == []
    assert libraries_used(REPO / "steps" / "15-database") == ["pydantic_settings", "sqlalchemy", "sqlmodel"]
    folder = learner(tmp_path, "15-database", USES_A_DATABASE)
    (folder / "notes.py").write_text("    import pwdlib  # indented: still an import\nimport this_is_not_known\n")
    os.mkfifo(folder / "pipe.py")  # never opened: reading it would wait forever
    (folder / "elsewhere.py").symlink_to(REPO / "steps" / "15-database" / "bookmarks" / "settings.py")  # not read
    assert libraries_used(folder) == ["pwdlib", "sqlmodel"]
    on_postgresql = {"env": {"DATABASE_URL": "postgresql+psycopg://ana:pw@/ana?host=/run/pg"}}
    assert host.libraries(folder, on_postgresql) == ["psycopg", "pwdlib", "sqlmodel"]  # SQLAlchemy's driver
    assert host.libraries(folder, {"env": {"DATABASE_URL": "sqlite:///other.db"}}) == ["pwdlib", "sqlmodel"]
    app = LearnerApp(host, folder).start()
    assert app.client.get("/").json() == {"preloaded": True}
    app.stop()


HASHES_PASSWORDS = """from argon2 import PasswordHasher
from fastapi import FastAPI
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

app = FastAPI()
tutorial = PasswordHash.recommended()  # FastAPI's tutorial: 64 MiB, 3 passes, 4 lanes
owasp = PasswordHash((Argon2Hasher(memory_cost=19 * 1024, time_cost=2, parallelism=1, hash_len=24),))
direct = PasswordHasher(salt_len=12)  # argon2-cffi itself

@app.get("/")
def hashes():
    return {"tutorial": tutorial.hash("pw"), "owasp": owasp.hash("pw"), "argon2": direct.hash("pw")}
"""


def test_the_apps_hash_passwords_with_argon2s_cheapest_costs_and_their_own_type_and_lengths(host, tmp_path):
    from argon2 import extract_parameters
    from argon2.profiles import CHEAPEST
    from pwdlib.hashers.argon2 import Argon2Hasher

    app = LearnerApp(host, learner(tmp_path, "17-users", HASHES_PASSWORDS)).start()
    try:
        hashes = app.client.get("/").json()
    finally:
        app.stop()
    lengths = {"tutorial": (32, 16), "owasp": (24, 16), "argon2": (32, 12)}
    for name, stored in hashes.items():
        assert stored.startswith("$argon2id$v=19$m=8,t=1,p=1$"), (name, stored)
        found = extract_parameters(stored)
        assert (found.time_cost, found.memory_cost, found.parallelism) == (1, 8, 1) == (
            CHEAPEST.time_cost,
            CHEAPEST.memory_cost,
            CHEAPEST.parallelism,
        )
        assert (found.hash_len, found.salt_len) == lengths[name], name
        assert Argon2Hasher().verify("pw", stored) and not Argon2Hasher().verify("not pw", stored)


EXITS_ON_REQUEST = """import os
from fastapi import FastAPI
app = FastAPI()

@app.get("/boom")
def boom():
    return {}["missing"]

@app.get("/say")
def say():
    print("one case printed this")
    return {}

@app.get("/exit")
def leave():
    os._exit(3)
"""


def test_an_app_kept_for_the_next_case_reports_only_that_case(host, tmp_path):
    app = LearnerApp(host, learner(tmp_path, "04-create-bookmark", EXITS_ON_REQUEST)).start()
    assert app.client.get("/boom").status_code == 500
    assert app.client.get("/say").status_code == 200
    assert len(app.report()) == 1 and "one case printed this" in app.output()
    assert app.next_case(), "a running app is kept for the next case (pytest.mark.one_app)"
    assert app.report() == [] and "one case printed this" not in app.output(), "the case before's, not this one's"
    try:
        app.client.get("/exit")
    except Exception:
        pass  # the app ended Python: no answer
    assert not app.next_case(), "an app that is gone is not kept: the next case starts a fresh one"
    app.stop()


ROUTE_RAISES = """from fastapi import FastAPI
app = FastAPI()

@app.get("/")
def root():
    return {}["missing"]
"""


def test_the_apps_exception_is_reported_with_its_own_line(host, tmp_path):
    app = LearnerApp(host, learner(tmp_path, "01-hello-world", ROUTE_RAISES)).start()
    assert app.client.get("/").status_code == 500
    (record,) = app.report()
    assert (record["type"], record["where"]) == ("KeyError", "main.py, line 6, root")
    app.stop()


MEMORY_HOG = """from fastapi import FastAPI
app = FastAPI()

@app.get("/")
def root():
    hoard = bytearray(3 * 2**30)
    return {"size": len(hoard)}
"""


def test_an_app_that_takes_too_much_memory_fails_on_its_own(host, tmp_path):
    app = LearnerApp(host, learner(tmp_path, "01-hello-world", MEMORY_HOG)).start()
    assert app.client.get("/").status_code == 500
    assert app.report()[0]["type"] == "MemoryError"
    app.stop()


ESCAPES = """import os, pathlib
from fastapi import FastAPI
app = FastAPI()

@app.get("/")
def root():
    def tries(action):
        try:
            action()
            return "done"
        except OSError as error:
            return type(error).__name__
    return {
        "read_tests": tries(lambda: pathlib.Path(TESTS).read_text()),
        "write_outside": tries(lambda: pathlib.Path(OUTSIDE).write_text("x")),
        "write_own": tries(lambda: pathlib.Path("data.json").write_text("[]")),
        "write_dev": tries(lambda: pathlib.Path("/dev/mine").write_text("x")),
        "memory_mib": [os.statvfs(p).f_blocks * os.statvfs(p).f_frsize // 2**20 for p in (".", "/tmp", "/dev/shm")],
    }
"""


@pytest.mark.skipif(shutil.which("bwrap") is None, reason="bubblewrap is not installed")
def test_in_the_sandbox_the_app_reaches_only_its_own_copy(tmp_path):
    tests = Path(__file__).resolve()
    outside = tmp_path / "outside.txt"
    source = ESCAPES.replace("TESTS", repr(str(tests))).replace("OUTSIDE", repr(str(outside)))
    host = AppHost(sandbox="bwrap")
    try:
        app = LearnerApp(host, learner(tmp_path, "01-hello-world", source)).start()
        assert app.client.get("/").json() == {
            "read_tests": "FileNotFoundError",
            "write_outside": "FileNotFoundError",
            "write_own": "done",
            "write_dev": "OSError",  # read-only: no file of any size there
            "memory_mib": [512, 256, 64],  # the copies' folder, /tmp and /dev/shm are memory: capped
        }
        assert not outside.exists() and not (tmp_path / "01-hello-world" / "data.json").exists()
    finally:
        host.close()


@pytest.mark.skipif(shutil.which("bwrap") is None, reason="bubblewrap is not installed")
def test_a_bubblewrap_that_cannot_cap_a_folder_in_memory_still_sandboxes_the_app(tmp_path, monkeypatch):
    # bubblewrap before 0.8 (Ubuntu 22.04's 0.6) has no --size: the copies stay on the disk.
    monkeypatch.setattr(apps, "caps_memory_folders", lambda bwrap: False)
    tests, outside = Path(__file__).resolve(), tmp_path / "outside.txt"
    source = ESCAPES.replace("TESTS", repr(str(tests))).replace("OUTSIDE", repr(str(outside)))
    host = AppHost(sandbox="bwrap")
    try:
        app = LearnerApp(host, learner(tmp_path, "01-hello-world", source)).start()
        answer = app.client.get("/").json()
        assert (answer["read_tests"], answer["write_outside"], answer["write_own"]) == (
            "FileNotFoundError",
            "FileNotFoundError",
            "done",
        )
        assert host.sandboxed and app.copy is not None and app.copy.is_relative_to(host.scratch)
        assert app.read_file("data.json") == b"[]"
    finally:
        host.close()


# Links to the grader's files, and a folder swapped for one, planted by the app at import.
PLANTS_LINKS = """import os, pathlib
from fastapi import FastAPI
pathlib.Path("real.db").write_bytes(b"SQLite format 3\\x00 the app's own")
os.symlink(OUTSIDE_FILE, "linked.db")
os.symlink(OUTSIDE_FOLDER, "data")
os.mkfifo("pipe")
os.mkdir("static")
pathlib.Path("static/app.css").write_text("body {}")
os.symlink(OUTSIDE_FILE, "static/linked.css")
here = os.getcwd()
os.rename("static", "static-moved")
os.symlink(OUTSIDE_FOLDER, "static")  # the folder swapped for a link
app = FastAPI()
"""


def test_the_checks_never_follow_a_link_the_app_put_in_its_copy(host, tmp_path):
    outside = tmp_path / "graders"
    outside.mkdir()
    secret = outside / "grader.db"
    secret.write_bytes(b"SQLite format 3\x00 the grader's own")
    (outside / "app.css").write_text("the grader's own")
    source = PLANTS_LINKS.replace("OUTSIDE_FILE", repr(str(secret))).replace("OUTSIDE_FOLDER", repr(str(outside)))
    app = LearnerApp(host, learner(tmp_path, "15-database", source)).start()
    try:
        files = {name: data for name, data in app.files().items() if "__pycache__" not in name}
        assert set(files) == {"main.py", "real.db", "static-moved/app.css"}, "no link, pipe or swapped folder"
        assert files["real.db"].endswith(b"the app's own")
        assert set(app.files(subfolders=False)) == {"main.py", "real.db"}
        assert app.read_file("real.db") == files["real.db"]
        for name in ("linked.db", "data/grader.db", "static/app.css", "pipe", "missing.db", "static-moved"):
            assert app.read_file(name) is None, name
        app.write_file("linked.db", b"the checks' own")  # the link is replaced, never followed
        inode = os.stat(app.copy / "real.db").st_ino
        app.write_file("real.db", b"not a database any more")  # written over in place: the app sees it
        assert os.stat(app.copy / "real.db").st_ino == inode and app.read_file("real.db") == b"not a database any more"
        assert app.read_file("linked.db") == b"the checks' own"
        with pytest.raises(OSError):
            app.write_file("static/app.css", b"x")  # through the swapped folder: refused
        with pytest.raises(ValueError):
            app.read_file("../15-database/main.py")
        assert secret.read_bytes() == b"SQLite format 3\x00 the grader's own"
        assert (outside / "app.css").read_text() == "the grader's own"
    finally:
        app.stop()


def test_a_hand_ins_link_out_of_its_folder_is_never_read(tmp_path):
    secret = tmp_path / "graders-secret.txt"
    secret.write_text("the grader's own")
    step = tmp_path / "16-one-origin"
    (step / "deploy").mkdir(parents=True)
    (step / "deploy" / "Dockerfile").write_text("FROM python")
    (step / "Dockerfile").symlink_to(step / "deploy" / "Dockerfile")  # a link inside the folder: fine
    (step / "compose.yaml").symlink_to(secret)
    (step / "out").symlink_to(tmp_path)
    assert read_step_file(step, "Dockerfile") == "FROM python"
    assert read_step_file(step, "deploy/Dockerfile") == "FROM python"
    for name in ("compose.yaml", "out/graders-secret.txt", "missing.txt", "deploy"):
        assert read_step_file(step, name) is None, name


def test_a_folder_left_with_only_pythons_caches_is_no_step(tmp_path):
    # Where a step folder was renamed, git leaves the old one holding its untracked __pycache__.
    (tmp_path / "13-loading-and-focus").mkdir()
    (tmp_path / "13-loading-and-focus" / "main.py").write_text("app = None\n")
    (tmp_path / "13-project-structure" / "__pycache__").mkdir(parents=True)
    (tmp_path / "13-project-structure" / "__pycache__" / "main.cpython-311.pyc").write_bytes(b"")
    (tmp_path / "14-empty").mkdir()  # an empty folder is still the learner's step: "it has no main.py"
    assert find_step_folder(tmp_path, "13").name == "13-loading-and-focus"
    assert find_step_folder(tmp_path, "14").name == "14-empty"


def test_a_reason_names_the_steps_folder_not_the_graders_paths():
    from types import SimpleNamespace

    from workshop.plugin import Grading

    grading = SimpleNamespace(steps_dir=Path("class/ana/steps"), app_dir=None)
    reason = f"there is no folder 05-* in {Path('class/ana/steps').resolve()}"
    assert Grading.hide_paths(grading, reason) == "there is no folder 05-* in the steps folder"


def test_first_failure_per_suite_skips_the_rest_of_a_failing_suite_only(tmp_path):
    """The self-check's matrix needs to know that a suite fails, not how often: its other
    tests would only wait out their time limits."""
    import subprocess
    import sys
    import xml.etree.ElementTree as ET

    repo = Path(__file__).resolve().parent.parent
    report = tmp_path / "report.xml"
    suites = ["tests/test_01_hello_world.py", "tests/test_03_get_bookmark.py"]
    command = [sys.executable, "-m", "pytest", *suites, "--app=steps/02-list-bookmarks", "--first-failure-per-suite",
               f"--junitxml={report}", "-q", "-p", "no:cacheprovider"]
    done = subprocess.run(command, cwd=repo, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stdout[-2000:]
    outcomes: dict[str, list[str]] = {}
    for case in ET.parse(report).iter("testcase"):
        kind = next((child.tag for child in case if child.tag in ("failure", "error", "skipped")), "passed")
        outcomes.setdefault(case.get("classname", "").split(".")[-1], []).append(kind)
    assert set(outcomes["test_01_hello_world"]) == {"passed"}, outcomes
    third = outcomes["test_03_get_bookmark"]
    assert third.count("failure") == 1 and "skipped" in third, third
