"""Exercise 17 (change password): PUT /users/me/password, for a logged-in user.

    pytest tests/test_exercise_17_change_password.py --app=path/to/your/folder

The folder holds your step 17 app with the new route. With the body
{"current_password": ..., "new_password": ...} and the login cookie it answers a 2xx:
the new password logs in, the old one no longer does, every other login of the user
ends and the one that asked stays. A wrong current password answers 401 (or 403) and
changes nothing; a new password shorter than 8 characters answers 422; no login, 401.
"""

import pytest

from user_checks import Account, log_in, make_accounts, signed_up_and_logged_in
from workshop_checks import expect_json, expect_status, expect_validation_error, list_bookmarks

REFERENCE = "exercises/17-change-password"
ROUTE = "/users/me/password"
NEW_PASSWORD = "a brand new password 7"


@pytest.fixture
def accounts(learner_app):
    yield from make_accounts(learner_app)


def change(account: Account, current: str, new: str = NEW_PASSWORD):
    return account.client.put(ROUTE, json={"current_password": current, "new_password": new})


def test_the_new_password_logs_in_and_the_old_one_does_not(accounts):
    ana = signed_up_and_logged_in(accounts("ana"))
    response = change(ana, ana.password)
    assert 200 <= response.status_code < 300, (
        f"PUT {ROUTE} with the right current password answered {response.status_code}, expected 200. "
        f"Body: {response.text[:300]!r}"
    )
    assert ana.password not in response.text and NEW_PASSWORD not in response.text, (
        f"PUT {ROUTE} sends a password back: {response.text[:300]!r}"
    )
    old = log_in(accounts("ana"))
    assert old.status_code == 401, f"after the change, the old password still logs in ({old.status_code})"
    expect_status(log_in(accounts("ana", NEW_PASSWORD)), 200)


def test_other_logins_end_and_the_one_asking_stays(accounts):
    here = signed_up_and_logged_in(accounts("ana"))
    elsewhere = accounts("ana")
    expect_status(log_in(elsewhere), 200)
    expect_status(change(here, here.password), 200)
    assert list_bookmarks(here.client) == [], "the login that changed the password should still work"
    response = elsewhere.client.get("/bookmarks")
    assert response.status_code == 401, (
        f"after the change, another login of the same user still works (GET /bookmarks answered "
        f"{response.status_code}): end every other login of the user, so that whoever knew the old "
        "password is out"
    )


def test_a_wrong_current_password_changes_nothing(accounts):
    ana = signed_up_and_logged_in(accounts("ana"))
    response = change(ana, "not my password at all")
    assert response.status_code in (401, 403), (
        f"PUT {ROUTE} with a wrong current password answered {response.status_code}, expected 401 (or 403). "
        f"Body: {response.text[:300]!r}"
    )
    detail = expect_json(response).get("detail")
    assert isinstance(detail, str) and detail.strip(), f"the {response.status_code} should say why, in words"
    expect_status(log_in(accounts("ana")), 200)
    assert log_in(accounts("ana", NEW_PASSWORD)).status_code == 401, "the refused change changed the password"


def test_a_short_new_password_answers_422(accounts):
    ana = signed_up_and_logged_in(accounts("ana"))
    response = change(ana, ana.password, "short")
    expect_validation_error(response, "new_password")
    expect_status(log_in(accounts("ana")), 200)


def test_without_a_login_answers_401(client):
    response = client.put(ROUTE, json={"current_password": "whatever it is", "new_password": NEW_PASSWORD})
    expect_status(response, 401)
