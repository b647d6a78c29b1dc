"""Step 15: a real database. The bookmarks survive a restart of the app.

What a learner can see: bookmarks, changes and deletes are still there after the
app restarts on the same folder; an id is never given twice, across restarts
too; text that looks like SQL is stored as text; DATABASE_URL chooses the
database (by default the file bookmarks.db beside main.py); a database that
cannot be used answers a JSON 503 (or 500) that shows no internals, with the
CORS headers the page needs to read it (the page itself is checked on it in suite
16, which opens it anyway); requests sent at the same time each get their own id.

Every test runs on a database of its own: a fresh copy of the step folder, so a
fresh SQLite file. With WORKSHOP_DATABASE=postgresql (CI) the same tests run
against a real PostgreSQL server (tests/database_servers.py): each test's app gets
DATABASE_URL for a database and a role of its own, dropped after the test.
"""

from concurrent.futures import ThreadPoolExecutor

import pytest

import database_fixtures
from database_fixtures import database_env, take_the_database_down
from workshop_checks import (
    create_bookmark,
    expect_json,
    expect_not_found,
    expect_status,
    expect_success,
    list_bookmarks,
)

DEFAULT_FILE = "bookmarks.db"
THE_BOX = 'see the box "What the checks expect" on the step\'s page'
# The run's PostgreSQL server (or None) and this test's database on it (or None: SQLite).
postgres, database = database_fixtures.postgres, database_fixtures.database


@pytest.fixture
def app(database, learner_app):
    """The learner's app, on this test's database."""
    if database is not None:
        learner_app.restart(env=database_env(database))
    return learner_app


def restart_and_list(app) -> list:
    """Stop the app and start it again on the same folder (its database file stays); list."""
    app.restart(keep_data=True)
    return list_bookmarks(app.client)


# --- Data that survives ---------------------------------------------------------


@pytest.mark.points(2)  # the step's main promise
def test_bookmarks_survive_a_restart(app):
    create_bookmark(app.client, title="Kept A")
    create_bookmark(app.client, title="Kept B", description="Still here after a restart.")
    before = list_bookmarks(app.client)
    after = restart_and_list(app)
    assert after == before, (
        f"after a restart GET /bookmarks lists {len(after)} bookmarks ({[b.get('title') for b in after]}), "
        f"expected the {len(before)} from before the restart, unchanged and in the same order. "
        "The bookmarks should be written to the database (session.add, then session.commit()), "
        "not kept in a dict in memory"
    )


def test_changes_and_deletes_survive_a_restart(app):
    changed = create_bookmark(app.client, title="Before the change")
    deleted = create_bookmark(app.client, title="To delete")
    expect_success(app.client.patch(f"/bookmarks/{changed['id']}", json={"title": "After the change"}))
    expect_success(app.client.delete(f"/bookmarks/{deleted['id']}"))
    app.restart(keep_data=True)
    response = app.client.get(f"/bookmarks/{changed['id']}")
    assert response.status_code == 200, (
        f"after a restart GET /bookmarks/{changed['id']} answered {response.status_code}: "
        "the bookmark should still be in the database"
    )
    assert expect_json(response).get("title") == "After the change", (
        f"after a restart the changed bookmark is {response.json()!r}: the PATCH was not kept. "
        "Commit the change (session.commit()) before answering"
    )
    response = app.client.get(f"/bookmarks/{deleted['id']}")
    assert response.status_code == 404, (
        f"after a restart the deleted bookmark is back (GET /bookmarks/{deleted['id']} answered "
        f"{response.status_code}): commit the delete (session.delete, then session.commit())"
    )


def test_an_id_is_never_given_twice_across_a_restart(app):
    kept = create_bookmark(app.client, title="Kept")
    newest = create_bookmark(app.client, title="Deleted")
    expect_success(app.client.delete(f"/bookmarks/{newest['id']}"))
    ever = {bookmark["id"] for bookmark in restart_and_list(app)} | {newest["id"]}
    assert kept["id"] in ever, (
        "after a restart the bookmarks created before it are gone: keep them in the database"
    )
    after = create_bookmark(app.client, title="After the restart")
    assert after["id"] not in ever, (
        f"the new bookmark got the id {after['id']}, which "
        + ("the deleted bookmark had" if after["id"] == newest["id"] else "another bookmark has")
        + ". With SQLite, a table whose key is a plain INTEGER PRIMARY KEY gives the largest id + 1: "
        'deleting the newest bookmark frees its id. Add __table_args__ = {"sqlite_autoincrement": True}'
    )


# --- Input that looks like SQL --------------------------------------------------

SQL_TITLE = "Robert'); DROP TABLE bookmarks; --"
SQL_DESCRIPTION = "' OR '1'='1"


def test_sql_in_a_field_is_stored_as_text(app):
    before = list_bookmarks(app.client)
    sent = {"url": "https://example.com/?q=1;DROP%20TABLE", "title": SQL_TITLE, "description": SQL_DESCRIPTION}
    response = app.client.post("/bookmarks", json=sent)
    assert response.status_code == 201, (
        f"POST /bookmarks with the title {SQL_TITLE!r} answered {response.status_code}: {response.text[:200]!r}. "
        "A quote in a title is text like any other: let SQLModel send the values (session.add), "
        "never paste them into SQL with an f-string"
    )
    created = expect_json(response)
    for field in ("title", "description"):
        came = created.get(field)
        assert came == sent[field], f"the {field} came back as {came!r}: sent {sent[field]!r}"
    listed = list_bookmarks(app.client)
    assert [b["id"] for b in listed] == [*(b["id"] for b in before), created["id"]], (
        "after a title with SQL in it, GET /bookmarks should list every bookmark from before and the new one"
    )
    fetched = app.client.get(f"/bookmarks/{created['id']}")
    assert expect_json(fetched) == created, f"GET of the bookmark with SQL in its title answered {fetched.text!r}"


# --- Text PostgreSQL cannot store, ids beyond the column -------------------------

NUL = "\u0000"  # the NUL character: SQLite's text can hold it, PostgreSQL's cannot


def expect_refused(response, what: str) -> None:
    assert 400 <= response.status_code < 500, (
        f"{what} answered {response.status_code}, expected a 4xx (422) with a message: {response.text[:200]!r}. "
        "PostgreSQL cannot store the NUL character in text (a 500 there), SQLite can: refuse it on both, "
        f'in the schema\'s rules (for example Field(pattern=r"^[^\\x00]*$")); {THE_BOX}'
    )
    body = expect_json(response)
    assert isinstance(body, dict) and body.get("detail"), (
        f'{what}: the {response.status_code} should say what is wrong, in JSON {{"detail": ...}}; '
        f"got {response.text[:200]!r}"
    )


def test_a_nul_character_in_a_title_or_description_is_refused(app):
    before = list_bookmarks(app.client)
    title = app.client.post("/bookmarks", json={"url": "https://example.com/", "title": f"Nul{NUL}title"})
    expect_refused(title, "POST /bookmarks with a NUL character in the title")
    description = app.client.post(
        "/bookmarks", json={"url": "https://example.com/", "title": "T", "description": f"{NUL}"}
    )
    expect_refused(description, "POST /bookmarks with a NUL character in the description")
    created = create_bookmark(app.client, title="Kept as it is")
    changed = app.client.patch(f"/bookmarks/{created['id']}", json={"title": f"{NUL}"})
    expect_refused(changed, "PATCH /bookmarks/{id} with a NUL character in the title")
    assert list_bookmarks(app.client) == [*before, created], (
        "after requests with a NUL character were refused, GET /bookmarks should list what it listed before, "
        "and the one bookmark created in between, unchanged"
    )


# PostgreSQL's INTEGER holds at most 2**31 - 1, SQLite's 2**63 - 1: a larger id in a
# URL is no bookmark's, and handed to the database as it is, it fails (a 500).
HUGE_IDS = (2**31, 2**63)


def test_an_id_too_large_for_the_database_is_not_found(app):
    create_bookmark(app.client)
    for huge in HUGE_IDS:
        path = f"/bookmarks/{huge}"
        for method, body in (("GET", None), ("PUT", {"url": "https://example.com/", "title": "T"}),
                             ("PATCH", {"title": "T"}), ("DELETE", None)):  # fmt: skip
            response = app.client.request(method, path, json=body)
            assert response.status_code == 404, (
                f"{method} {path} answered {response.status_code}, expected 404: no bookmark has an id that "
                f"large. Body: {response.text[:200]!r}. The database's integer column cannot even hold it "
                "(PostgreSQL's holds at most 2**31 - 1, SQLite's 2**63 - 1): answer 404 before asking it"
            )
            expect_not_found(response)


# --- DATABASE_URL -----------------------------------------------------------------


def test_without_database_url_the_database_is_the_file_bookmarks_db(learner_app):
    # The app as the fixture starts it: no DATABASE_URL at all, the default.
    created = create_bookmark(learner_app.client, title="In the default file")
    made = learner_app.read_file(DEFAULT_FILE) is not None
    assert made, (
        f"with no DATABASE_URL set, the app should keep its bookmarks in the SQLite file {DEFAULT_FILE} "
        f"in the folder it runs from (sqlite:///{DEFAULT_FILE}); there is no such file. {THE_BOX}"
    )
    assert created in restart_and_list(learner_app), (
        f"after a restart with no DATABASE_URL the bookmark is gone: keep it in {DEFAULT_FILE}"
    )


@pytest.mark.points(2)
def test_database_url_chooses_the_database(app, database):
    other = "another-name.db"
    mine = create_bookmark(app.client, title="In the test's database")
    app.restart(keep_data=True, env=database_env(database, DATABASE_URL=f"sqlite:///{other}"))
    elsewhere = list_bookmarks(app.client)
    assert mine not in elsewhere, (
        f"with DATABASE_URL=sqlite:///{other} the app still lists the bookmark of the other database: "
        "read the database's address from the setting DATABASE_URL (settings.database_url)"
    )
    made = app.read_file(other) is not None
    assert made, (
        f"with DATABASE_URL=sqlite:///{other} there is no file {other} in the app's folder: "
        "create the engine from the setting DATABASE_URL"
    )
    create_bookmark(app.client, title="In the other database")
    app.restart(keep_data=True, env=database_env(database))
    back = list_bookmarks(app.client)
    assert mine in back, (
        "back on the first database, its bookmark is gone: each database should keep its own bookmarks"
    )
    assert "In the other database" not in [b["title"] for b in back], (
        "a bookmark created with the other DATABASE_URL shows up in the first database"
    )


# --- A database that cannot be used ---------------------------------------------

ORIGIN = "http://127.0.0.1:5500"  # one of the origins allowed by default (step 09)
INTERNALS = ("sqlite", "psycopg", "postgres", "OperationalError", "DatabaseError", "SELECT ", "INSERT ", "Traceback")


def expect_unavailable(response, what: str) -> None:
    assert response.status_code in (500, 503), (
        f"{what} answered {response.status_code} while the database cannot be used; expected 503 "
        f"(Service Unavailable) or 500, with a JSON message. Body: {response.text[:200]!r}"
    )
    body = expect_json(response)
    assert isinstance(body.get("detail"), str) and body["detail"].strip(), (
        f'{what}: the {response.status_code} should be JSON with a message, like {{"detail": "..."}}; '
        f"got {response.text[:200]!r}"
    )
    leaked = [word for word in INTERNALS if word.lower() in response.text.lower()]
    assert not leaked, (
        f"{what}: the {response.status_code} shows the database's error to the client ({leaked}): "
        f"{response.text[:300]!r}. Log it; send a general message"
    )
    assert response.headers.get("access-control-allow-origin") == ORIGIN, (
        f"{what}: the {response.status_code} has no Access-Control-Allow-Origin: the page would see a CORS "
        "error instead of the message"
    )


def test_a_database_that_cannot_be_used_answers_503_or_500_without_internals(app, postgres, database):
    created = create_bookmark(app.client)
    bring_back = take_the_database_down(app, postgres, database)
    headers = {"Origin": ORIGIN}
    expect_unavailable(app.client.get("/bookmarks", headers=headers), "GET /bookmarks")
    expect_unavailable(app.client.get(f"/bookmarks/{created['id']}", headers=headers), "GET /bookmarks/{id}")
    new = app.client.post("/bookmarks", json={"url": "https://example.com/", "title": "T"}, headers=headers)
    expect_unavailable(new, "POST /bookmarks")
    # The database works again: so must the app, without a restart.
    bring_back()
    again = app.client.post("/bookmarks", json={"url": "https://example.com/back", "title": "Back"})
    assert again.status_code == 201, (
        f"once the database works again, POST /bookmarks answered {again.status_code}: {again.text[:200]!r}. "
        "Give each request a session of its own (a dependency with yield): a session shared by every "
        "request stays broken after one failed request"
    )
    assert created in list_bookmarks(app.client), "once the database works again, its bookmarks should be listed"


# --- Requests at the same time ----------------------------------------------------


def test_requests_at_the_same_time_each_get_their_own_id(app):
    before = list_bookmarks(app.client)

    def create(number: int):
        sent = {"url": f"https://example.com/{number}", "title": f"At once {number}"}
        return app.client.post("/bookmarks", json=sent)

    with ThreadPoolExecutor(max_workers=10) as pool:
        responses = list(pool.map(create, range(30)))
    for response in responses:
        expect_status(response, 201)
    ids = [expect_json(response)["id"] for response in responses]
    assert len(set(ids)) == len(ids), f"30 bookmarks created at the same time got only {len(set(ids))} different ids"
    listed = [b["id"] for b in list_bookmarks(app.client)]
    assert sorted(listed) == sorted([b["id"] for b in before] + ids), (
        "after 30 bookmarks created at the same time, GET /bookmarks should list them all, each once"
    )
    for bookmark_id in ids[:3]:
        expect_success(app.client.get(f"/bookmarks/{bookmark_id}"))
    expect_not_found(app.client.get(f"/bookmarks/{max(ids) + 1000}"))
