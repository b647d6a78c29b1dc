"""Grading results: what a test is worth, a failure in plain words, the grade card and
Gradescope's results.json. Plain functions over one result model, shared by the
plugin, ``scripts/grade_class.py`` and the self-check.

A result (``Result``) is one test: its step, its points, its outcome and the
first failing check in plain words. A row (``StepRow``) is one step of the card.
"""

from __future__ import annotations

from typing import Any, TypedDict

import pytest

REASON_LIMIT = 300  # characters of a reason kept in the JSON and the progress file
CARD_REASON_WIDTH = 110  # characters of a reason shown on the card


class Result(TypedDict):
    nodeid: str
    step: str
    name: str
    points: float
    outcome: str  # "passed" | "failed" | "skipped"
    reason: str  # the first failing check or the skip reason; "" when it passed


class StepRow(TypedDict):
    step: str
    folder: str
    passed: int
    total: int
    points: float
    max_points: float
    skipped: int
    first_failure: str


def points_of(item: Any) -> float:
    marker = item.get_closest_marker("points")
    if marker is None:
        return 1
    value = marker.args[0] if marker.args else marker.kwargs.get("n")
    if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
        raise pytest.UsageError(f"{item.nodeid}: @pytest.mark.points needs a number >= 0, got {value!r}")
    return value


def plain_reason(text: str) -> str:
    """The first line a learner can act on, from a failure's message.

    "AssertionError: POST /bookmarks answered 200, expected 201. Body: {...}\\nassert 200 == 201"
    becomes "POST /bookmarks answered 200, expected 201. Body: {...}".
    """
    text = text.strip()
    for prefix in ("AssertionError: ", "Failed: ", "E   "):
        text = text.removeprefix(prefix)
    first = text.split("\n", 1)[0].strip()
    if not first and "\n" in text:
        first = text.split("\n", 2)[1].strip()
    return first[:REASON_LIMIT] + ("..." if len(first) > REASON_LIMIT else "")


def report_reason(report: Any) -> str:
    longrepr = report.longrepr
    if longrepr is None:
        return ""
    if isinstance(longrepr, tuple):  # a skip: (file, line, reason)
        return plain_reason(str(longrepr[2]).removeprefix("Skipped: "))
    crash = getattr(longrepr, "reprcrash", None)
    if crash is not None:
        return plain_reason(crash.message)
    return plain_reason(str(longrepr))


def short(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 3] + "..."


def step_rows(results: list[Result], folders: dict[str, str] | None = None) -> list[StepRow]:
    """One row per step: tests passed/total, points earned/possible, the first failure.

    Skipped tests count in neither total (a check of behaviour a later step replaces, on an app that has it)."""
    folders = folders or {}
    rows: dict[str, StepRow] = {}
    for result in results:
        step = result["step"]
        row = rows.setdefault(
            step,
            {
                "step": step,
                "folder": folders.get(step, step),
                "passed": 0,
                "total": 0,
                "points": 0,
                "max_points": 0,
                "skipped": 0,
                "first_failure": "",
            },
        )
        if result["outcome"] == "skipped":
            row["skipped"] += 1
            continue
        row["total"] += 1
        row["max_points"] += result["points"]
        if result["outcome"] == "passed":
            row["passed"] += 1
            row["points"] += result["points"]
        elif not row["first_failure"]:
            row["first_failure"] = result["reason"] or "failed"
    return [rows[step] for step in sorted(rows)]


def number(value: float) -> str:
    return f"{value:g}"


def format_card(rows: list[StepRow], title: str) -> str:
    """The grade card as text, a table of steps, and a total."""
    lines = [title]
    header = ("step", "tests", "points", "first failing check")
    table = [header]
    for row in rows:
        check = row["first_failure"] or ("ok" if row["total"] else "not graded (every test skipped)")
        for prefix in (f"step {row['folder']}: ", f"step {row['step']}: "):
            check = check.removeprefix(prefix)
        if row["skipped"] and not row["first_failure"] and row["total"]:
            check = f"ok ({row['skipped']} skipped)"
        table.append(
            (
                row["folder"],
                f"{row['passed']}/{row['total']}",
                f"{number(row['points'])}/{number(row['max_points'])}",
                short(check, CARD_REASON_WIDTH),
            )
        )
    passed = sum(row["passed"] for row in rows)
    total = sum(row["total"] for row in rows)
    points = sum(row["points"] for row in rows)
    max_points = sum(row["max_points"] for row in rows)
    steps_ok = sum(1 for row in rows if row["total"] and row["passed"] == row["total"])
    table.append(
        (
            "total",
            f"{passed}/{total}",
            f"{number(points)}/{number(max_points)}",
            f"{steps_ok} of {len(rows)} steps complete",
        )
    )
    widths = [max(len(line[column]) for line in table) for column in range(3)]
    for index, line in enumerate(table):
        if index == len(table) - 1:
            lines.append("-" * (sum(widths) + 6 + 20))
        lines.append(f"{line[0]:<{widths[0]}}  {line[1]:>{widths[1]}}  {line[2]:>{widths[2]}}  {line[3]}".rstrip())
        if index == 0:
            lines.append("-" * (sum(widths) + 6 + 20))
    return "\n".join(lines) + "\n"


def gradescope_results(
    results: list[Result], rows: list[StepRow], card: str, execution_time: float | None = None
) -> dict[str, Any]:
    """Gradescope's results.json: score and max_score at the top, one entry per test.

    Skipped tests are listed with max_score 0 and no status, so they neither
    count nor show as failed. extra_data.steps holds the card's rows."""
    tests = []
    for index, result in enumerate(results, 1):
        entry = {
            "name": f"step {result['step']}: {result['name']}",
            "number": f"{result['step']}.{index}",
            "score": result["points"] if result["outcome"] == "passed" else 0,
            "max_score": 0 if result["outcome"] == "skipped" else result["points"],
            "output": result["reason"] if result["outcome"] != "skipped" else f"not graded: {result['reason']}",
            "tags": [f"step-{result['step']}"],
            "visibility": "visible",
        }
        if result["outcome"] != "skipped":
            entry["status"] = result["outcome"]
        tests.append(entry)
    document = {
        "score": sum(row["points"] for row in rows),
        "max_score": sum(row["max_points"] for row in rows),
        "output": card,
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
        "extra_data": {"steps": rows},
    }
    if execution_time is not None:
        document["execution_time"] = round(execution_time, 2)
    return document
