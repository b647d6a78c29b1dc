"""Exercise 14 (read-only): a setting READ_ONLY that switches every change off.

    pytest tests/test_exercise_14_read_only.py --app=path/to/your/folder

The folder holds your step 14 app (main.py and its package) with the new setting.
With READ_ONLY=true in the environment, POST, PUT, PATCH and DELETE answer 403 with
a message, and change nothing; reads answer as before. Without it, or with
READ_ONLY=false, everything works as in step 14. A value that is no yes or no stops
the app at start, with an error that names the setting.
"""

import pytest

from workshop.apps import AppFailed
from workshop_checks import NEW_BOOKMARK, expect_json, expect_status

REFERENCE = "exercises/14-read-only"

CHANGES = [
    ("POST", "/bookmarks", NEW_BOOKMARK),
    ("PUT", "/bookmarks/1", NEW_BOOKMARK),
    ("PATCH", "/bookmarks/1", {"title": "Changed"}),
    ("DELETE", "/bookmarks/1", None),
]


@pytest.mark.parametrize("value", ["true", "1"])
def test_read_only_refuses_every_change(learner_app, value):
    client = learner_app.restart(env={"READ_ONLY": value}).client
    before = expect_json(client.get("/bookmarks"))
    for method, path, body in CHANGES:
        response = client.request(method, path, json=body)
        assert response.status_code == 403, (
            f"with READ_ONLY={value}, {method} {path} answered {response.status_code}, expected 403 Forbidden. "
            f"Body: {response.text[:200]}"
        )
        detail = expect_json(response).get("detail")
        assert isinstance(detail, str) and detail, f"the 403 should say why in 'detail', got {response.text[:200]!r}"
    after = client.get("/bookmarks")
    expect_status(after, 200)
    assert expect_json(after) == before, "with READ_ONLY, a refused change changed the bookmarks all the same"


@pytest.mark.parametrize("env", [{}, {"READ_ONLY": "false"}], ids=["not set", "false"])
def test_without_read_only_changes_work(learner_app, env):
    client = learner_app.restart(env=env, unset=[] if env else ["READ_ONLY"]).client
    expect_status(client.post("/bookmarks", json=NEW_BOOKMARK), 201)
    expect_status(client.delete("/bookmarks/1"), 200)


def test_a_value_that_is_no_yes_or_no_stops_the_app(learner_app):
    try:
        learner_app.restart(env={"READ_ONLY": "maybe"})
    except AppFailed as error:
        said = f"{error}\n{learner_app.output()}".lower()
        assert "read_only" in said, f"the app stopped, but its error does not name READ_ONLY: {str(error)[:300]!r}"
        return
    pytest.fail("with READ_ONLY=maybe the app started: make the setting a bool, so Pydantic refuses what is not one")
