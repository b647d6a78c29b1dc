"""The grading itself (tests/workshop_grading.py): fast checks of its parts.

The end-to-end check, a whole class with typical mistakes graded by
scripts/grade_class.py, is slow; it is scripts/benchmark_class.py, run by CI.
"""

import json
import threading

import pytest

from workshop_grading import (
    FileGuard,
    format_card,
    gradescope_results,
    plain_reason,
    probe_imports,
    step_rows,
)


def result(step, name, outcome="passed", points=1, reason=""):
    return {"nodeid": f"tests/test_{step}_x.py::{name}", "step": step, "name": name,
            "points": points, "outcome": outcome, "reason": reason}


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
        "step 05: there is no folder 05-* in class/ana")


def test_steps_add_up_points_and_keep_the_first_failure():
    rows = step_rows(RESULTS, {"01": "01-hello-world"})
    first, fourth = rows
    assert (first["folder"], first["passed"], first["total"], first["points"], first["max_points"]) == (
        "01-hello-world", 2, 2, 4, 4)
    # the skipped test counts in neither total
    assert (fourth["passed"], fourth["total"], fourth["points"], fourth["max_points"], fourth["skipped"]) == (
        1, 3, 1, 4, 1)
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


def test_the_guard_puts_back_files_deleted_outside_the_steps_own_folder(tmp_path):
    (tmp_path / "tests").mkdir()
    suite = tmp_path / "tests" / "test_01_x.py"
    suite.write_text("def test(): pass\n")
    own = tmp_path / "steps" / "01-a"
    own.mkdir(parents=True)
    (own / "data.json").write_text("[]")
    guard = FileGuard([tmp_path / "steps"], [suite], restore=True)
    (own / "data.json").write_text("[1]")  # the step may change its own files
    assert guard.check(own) == []
    suite.unlink()
    assert guard.check(own) == [suite.resolve()]
    assert suite.read_text() == "def test(): pass\n"


def test_in_the_repository_the_guard_reports_a_deleted_file_and_writes_nothing(tmp_path):
    suite = tmp_path / "test_01_x.py"
    suite.write_text("def test(): pass\n")
    guard = FileGuard([], [suite])
    suite.write_text("def test(): assert True  # an instructor's edit\n")
    assert guard.check(None) == []
    assert "instructor's edit" in suite.read_text()
    suite.unlink()
    assert guard.check(None) == [suite.resolve()]
    assert guard.check(None) == []  # reported once
    assert not suite.exists()


@pytest.mark.parametrize("child", ["forked", "a new Python"])
def test_a_main_py_that_never_finishes_importing_is_caught_in_a_child_process(tmp_path, monkeypatch, child):
    if child == "a new Python":  # as on Windows, or in a process with threads
        monkeypatch.setattr(threading, "active_count", lambda: 2)
    mains = {
        "loops": "while True:\n    pass\n",
        "exits": "import os\nos._exit(0)\n",  # 0 too: the import never got to its end
        "raises": "raise ValueError('the harness reports this one')\n",
    }
    for name, source in mains.items():
        (tmp_path / name).mkdir()
        (tmp_path / name / "main.py").write_text(source)
    verdicts = probe_imports([tmp_path / name for name in mains], 1)
    assert "did not finish importing within 1 s" in verdicts[tmp_path / "loops"]
    assert "exit code 0" in verdicts[tmp_path / "exits"]
    assert verdicts[tmp_path / "raises"] is None
