"""Step 17: users. Each user signs up, logs in, and sees and changes only their own bookmarks.

What a learner can see, over HTTP: sign-up answers 201 with the user and never the
password; log-in sets an HttpOnly, SameSite cookie; without a login (or with a
made-up one) the bookmark routes answer 401 with a message; two users' bookmarks are
apart, and another user's bookmark answers 404 exactly as one that does not exist; a
taken name answers 409; a wrong password and an unknown name get the same 401;
log-out ends the login on the server and deletes the cookie; the password shows up in
no answer and in nothing the app prints. The page is not checked here: this step's
page is step 16's, unchanged (step 18 gives it the log-in).

Every test creates its users itself, on a fresh app (a fresh database). Each user
here has an HTTP client of their own that sends their login cookie (user_checks.py).

Argon2 is slow on purpose (from 30 to 200 ms of CPU per sign-up and log-in, as the
learner sets it): the apps the checks start hash at argon2-cffi's cheapest costs
(workshop.apphost.cheapest_argon2), and the tests sign up as few users as they can.
"""

import re

import pytest
from pwdlib.hashers.argon2 import Argon2Hasher

import database_fixtures
from api_model import STEP_OPERATIONS, check_against_model
from database_fixtures import stored_text
from user_checks import Account, log_in, make_accounts, set_cookies, sign_up, signed_up_and_logged_in
from workshop_checks import (
    NEW_BOOKMARK,
    create_bookmark,
    expect_json,
    expect_status,
    expect_validation_error,
    list_bookmarks,
)

THE_BOX = 'see the box "What the checks expect" on the step\'s page'
WRONG_PASSWORD = "not the right one 99"
# The run's PostgreSQL server (WORKSHOP_DATABASE=postgresql, else None), this test's database on
# it, and the learner's app started on that database (on SQLite: the plugin's, unchanged).
postgres, database = database_fixtures.postgres, database_fixtures.database
learner_app = database_fixtures.learner_app


@pytest.fixture
def accounts(learner_app):
    """accounts("ana"): a user of this test's app, with a client of their own."""
    yield from make_accounts(learner_app)


def expect_password_absent(response, account: Account, what: str) -> None:
    text = response.text
    assert account.password not in text, f"{what}: the answer contains the password: {text[:300]!r}"
    assert "$argon2" not in text, f"{what}: the answer contains the password's hash: {text[:300]!r}"
    if text.strip().startswith("{"):
        body = response.json()
        keys = [key for key in body if "password" in key.lower()] if isinstance(body, dict) else []
        assert not keys, f"{what}: the answer has the field(s) {keys}: never send a password (nor its hash) back"


def expect_401_with_a_message(response, what: str) -> None:
    assert response.status_code == 401, (
        f"{what} answered {response.status_code}, expected 401 (not logged in). Body: {response.text[:300]!r}. "
        "Every bookmark route needs the logged-in user (user: CurrentUser)"
    )
    body = expect_json(response)
    detail = body.get("detail") if isinstance(body, dict) else None
    assert isinstance(detail, str) and detail.strip(), (
        f'{what}: the 401 should explain itself in words, like {{"detail": "You are not logged in."}}; '
        f"got {response.text[:300]!r}"
    )


# --- Sign-up ----------------------------------------------------------------------


def test_sign_up_answers_201_with_the_user_and_never_the_password(accounts):
    ana = accounts("ana")
    response = sign_up(ana)
    expect_status(response, 201)
    body = expect_json(response)
    assert isinstance(body, dict) and body.get("username") == "ana" and isinstance(body.get("id"), int), (
        f'POST /users should answer the new user, like {{"id": 1, "username": "ana"}}; got {body!r}. {THE_BOX}'
    )
    expect_password_absent(response, ana, "POST /users")


# An Argon2 hash as pwdlib (and argon2-cffi) write it: $argon2id$v=19$m=...,t=...,p=...$salt$hash
ARGON2_HASH = re.compile(rb"\$argon2(?:id|i|d)\$v=\d+\$m=\d+,t=\d+,p=\d+\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+")


def test_the_password_is_stored_only_as_its_argon2_hash(accounts, learner_app, database):
    ana = accounts("ana")
    expect_status(sign_up(ana), 201)
    stored = stored_text(learner_app, database)
    secret = ana.password.encode()
    holding = [where for where, data in stored if secret in data]
    assert not holding, (
        f"after a sign-up the password is written as it is in {holding}: whoever gets the database "
        "gets every password. Store only its hash: password_hash.hash(password) (pwdlib, Argon2)"
    )
    # Argon2 is slow on purpose: a quick hash (SHA-256, base64, a reversed string) lets whoever
    # gets the table try billions of passwords a second. The hash must be Argon2's, of this password.
    hashes = {match.group().decode() for _, data in stored for match in ARGON2_HASH.finditer(data)}
    assert any(Argon2Hasher().verify(ana.password, found) for found in hashes), (
        "after a sign-up the database holds no Argon2 hash of the password"
        + (f" (it holds {len(hashes)} Argon2 hashes of something else)" if hashes else "")
        + ": a quick hash (SHA-256, base64) is guessed billions of times a second. Store "
        "password_hash.hash(password), with pwdlib's Argon2Hasher. " + THE_BOX
    )


def test_a_taken_user_name_answers_409_with_a_message(accounts):
    first, second = accounts("ana"), accounts("ana", "another long password")
    expect_status(sign_up(first), 201)
    response = sign_up(second)
    assert response.status_code == 409, (
        f"a second sign-up as 'ana' answered {response.status_code}, expected 409 (Conflict): the name is taken. "
        f"Body: {response.text[:300]!r}"
    )
    detail = expect_json(response).get("detail")
    assert isinstance(detail, str) and detail.strip(), (
        f'the 409 should say in words that the name is taken, like {{"detail": "..."}}; got {response.text[:300]!r}'
    )
    # The first user keeps their password: the second sign-up changed nothing.
    expect_status(log_in(first), 200)
    expect_status(log_in(second), 401)


@pytest.mark.one_app  # each case: its own refused request, its own answer
@pytest.mark.parametrize(
    ("sent", "wrong"),
    [
        ({"username": "", "password": "long enough 123"}, "username"),
        ({"username": "   ", "password": "long enough 123"}, "username"),
        ({"username": "ana", "password": "short"}, "password"),
        ({"username": "ana"}, "password"),
        ({"password": "long enough 123"}, "username"),
        ({"username": "ana\u0000", "password": "long enough 123"}, "username"),
    ],
    ids=["empty name", "name of spaces", "short password", "no password", "no name", "NUL in the name"],
)
def test_bad_sign_up_input_answers_422(client, sent, wrong):
    response = client.post("/users", json=sent)
    assert response.status_code == 422, (
        f"POST /users {sent} answered {response.status_code}, expected 422 naming '{wrong}'. "
        f"Body: {response.text[:300]!r}. {THE_BOX}"
    )
    expect_validation_error(response, wrong)


# --- Log-in ----------------------------------------------------------------------------


@pytest.mark.points(2)
def test_log_in_sets_an_httponly_samesite_cookie(accounts):
    ana = accounts("ana")
    expect_status(sign_up(ana), 201)
    response = log_in(ana)
    expect_status(response, 200)
    expect_password_absent(response, ana, "POST /login")
    cookies = [cookie for cookie in set_cookies(response) if not cookie.deletes()]
    assert cookies, "POST /login set no cookie (no Set-Cookie header): call response.set_cookie(...)"
    for cookie in cookies:
        assert "httponly" in cookie.attributes, (
            f"the cookie {cookie.name!r} set by POST /login is not HttpOnly: the page's JavaScript (and any "
            "script slipped into the page) could read it and send it elsewhere. Set it with httponly=True"
        )
        samesite = cookie.attributes.get("samesite", "").lower()
        assert samesite in ("lax", "strict"), (
            f"the cookie {cookie.name!r} set by POST /login has SameSite={samesite or '(none)'}: expected Lax "
            "(or Strict), so that another site's page cannot send it along. Set it with samesite=\"lax\""
        )
        assert cookie.value not in (ana.password, ana.name), (
            f"the cookie {cookie.name!r} holds the user's {'password' if cookie.value == ana.password else 'name'}: "
            "anyone could write it. It should hold a random, unguessable secret"
        )
    me = ana.client.get("/users/me")
    assert me.status_code == 200 and expect_json(me).get("username") == "ana", (
        f"GET /users/me with the cookie of the log-in answered {me.status_code} {me.text[:200]!r}; "
        f'expected 200 with {{"id": ..., "username": "ana"}}. {THE_BOX}'
    )


def test_a_wrong_password_and_an_unknown_name_get_the_same_401(accounts):
    ana, nobody = accounts("ana"), accounts("nobody")
    expect_status(sign_up(ana), 201)
    wrong = log_in(ana, WRONG_PASSWORD)
    unknown = log_in(nobody)
    for response, what in ((wrong, "a wrong password"), (unknown, "an unknown user name")):
        assert response.status_code == 401, (
            f"POST /login with {what} answered {response.status_code}, expected 401. Body: {response.text[:300]!r}"
        )
        assert not [cookie for cookie in set_cookies(response) if not cookie.deletes()], (
            f"POST /login with {what} set a cookie: only a right password logs in"
        )
    assert wrong.text == unknown.text, (
        f"POST /login answers a wrong password with {wrong.text!r} and an unknown name with {unknown.text!r}: "
        "the difference tells anyone which user names exist. Answer both with the same message"
    )
    expect_401_with_a_message(ana.client.get("/bookmarks"), "GET /bookmarks after a failed log-in")


def test_the_password_is_never_printed(accounts, learner_app):
    ana = accounts("ana")
    signed_up_and_logged_in(ana)
    log_in(accounts("ana", WRONG_PASSWORD))
    printed = learner_app.output()
    for password in (ana.password, WRONG_PASSWORD):
        assert password not in printed, (
            f"the app printed (or logged) a password it was sent: {password!r} is in its output. "
            "Never print or log a password, nor a request's body that holds one"
        )


# --- No login -------------------------------------------------------------------------


@pytest.mark.points(2)
def test_without_a_login_the_bookmark_routes_answer_401(client, accounts):
    expect_401_with_a_message(client.get("/bookmarks"), "GET /bookmarks without a login")
    expect_401_with_a_message(client.post("/bookmarks", json=NEW_BOOKMARK), "POST /bookmarks without a login")
    for method in ("GET", "PUT", "PATCH", "DELETE"):
        body = NEW_BOOKMARK if method in ("PUT", "PATCH") else None
        expect_401_with_a_message(
            client.request(method, "/bookmarks/1", json=body), f"{method} /bookmarks/1 without a login"
        )
    # A made-up login: the cookie's name, another value.
    ana = signed_up_and_logged_in(accounts("ana"))
    create_bookmark(ana.client)
    real = dict(ana.cookies)
    ana.use({name: value[::-1] + "x" for name, value in real.items()})
    expect_401_with_a_message(ana.client.get("/bookmarks"), "GET /bookmarks with a made-up login cookie")
    expect_401_with_a_message(client.get("/users/me"), "GET /users/me without a login")


# --- Each user's own bookmarks ------------------------------------------------------


@pytest.mark.points(3)  # the step's main promise
def test_each_user_sees_and_changes_only_their_own_bookmarks(accounts):
    ana = signed_up_and_logged_in(accounts("ana"))
    ben = signed_up_and_logged_in(accounts("ben"))
    ana_first = create_bookmark(ana.client, title="Ana's first")
    ana_second = create_bookmark(ana.client, title="Ana's second")
    ben_own = create_bookmark(ben.client, title="Ben's own")

    assert list_bookmarks(ana.client) == [ana_first, ana_second], (
        f"GET /bookmarks as ana lists {[b.get('title') for b in list_bookmarks(ana.client)]}, expected only "
        "ana's two bookmarks: filter the list by the logged-in user (where(... owner ... == user.id))"
    )
    assert list_bookmarks(ben.client) == [ben_own], (
        f"GET /bookmarks as ben lists {[b.get('title') for b in list_bookmarks(ben.client)]}, expected only ben's"
    )

    unknown = max(ana_second["id"], ben_own["id"]) + 1000
    not_there = ben.client.get(f"/bookmarks/{unknown}")
    expect_status(not_there, 404)
    path = f"/bookmarks/{ana_first['id']}"
    attempts = {
        "GET": ben.client.get(path),
        "PUT": ben.client.put(path, json={"url": "https://example.com/ben", "title": "Ben was here"}),
        "PATCH": ben.client.patch(path, json={"title": "Ben was here"}),
        "DELETE": ben.client.delete(path),
    }
    for method, response in attempts.items():
        assert response.status_code == 404, (
            f"{method} {path} as ben (a bookmark of ana's) answered {response.status_code}, expected 404: "
            "another user's bookmark is answered as if it did not exist"
            + (" (403 would tell ben that the id is in use)" if response.status_code == 403 else "")
            + f". Body: {response.text[:200]!r}"
        )
        # The same answer, but for the id itself ("Bookmark 7 not found" is fine).
        same = response.text.replace(str(ana_first["id"]), "ID") == not_there.text.replace(str(unknown), "ID")
        assert same, (
            f"{method} {path} as ben answers {response.text[:200]!r}, an unknown id {not_there.text[:200]!r}: "
            "the two should be the same, so that nothing tells another user's bookmark from a missing one"
        )
    assert list_bookmarks(ana.client) == [ana_first, ana_second], (
        "after ben's PUT, PATCH and DELETE of ana's bookmark, ana's bookmarks changed: "
        "find the bookmark by its id and its owner on every route"
    )
    assert list_bookmarks(ben.client) == [ben_own], "ben's own bookmarks changed after his attempts on ana's"


def test_the_model_holds_for_one_user_beside_another(accounts):
    """The series of requests of suites 04-06, sent as ana, with ben's bookmarks aimed at too."""
    ana = signed_up_and_logged_in(accounts("ana"))
    ben = signed_up_and_logged_in(accounts("ben"))
    bens = [create_bookmark(ben.client, title=f"Ben's {n}") for n in range(2)]
    # 4 series of 20 requests (suites 04-06 send 10): on a database every change is a
    # commit, and these 4 take as long as those 10 in memory.
    others = [bookmark["id"] for bookmark in bens]
    check_against_model(ana.client, STEP_OPERATIONS["06"], others=others, series=4)
    assert list_bookmarks(ben.client) == bens, "ben's bookmarks changed while ana sent her requests"


# --- Log-out ---------------------------------------------------------------------------


@pytest.mark.points(2)
def test_log_out_ends_the_login(accounts):
    ana = signed_up_and_logged_in(accounts("ana"))
    create_bookmark(ana.client)
    kept = dict(ana.cookies)  # a copy of the cookie, as someone who stole it would have
    response = ana.client.post("/logout")
    assert 200 <= response.status_code < 300, (
        f"POST /logout answered {response.status_code}, expected a success (200). Body: {response.text[:300]!r}"
    )
    deleted = {cookie.name for cookie in set_cookies(response) if cookie.deletes()}
    assert set(kept) <= deleted, (
        f"POST /logout does not delete the login cookie {sorted(set(kept) - deleted)}: the browser keeps it. "
        "Call response.delete_cookie(...) with the cookie's name (and the path it was set with)"
    )
    ana.use(kept)
    expect_401_with_a_message(
        ana.client.get("/bookmarks"),
        "GET /bookmarks with the cookie from before the log-out (log-out should end the login on the server, "
        "not only in the browser)",
    )
    again = log_in(ana)
    expect_status(again, 200)
    assert len(list_bookmarks(ana.client)) == 1, "after logging in again, ana's bookmark should be listed"
