"""Exercise 15 (migrations): a favourite mark, added to a database that already holds bookmarks.

    pytest tests/test_exercise_15_migrations.py --app=path/to/your/folder

Your folder is step 15 plus a field `favorite` (false unless a PATCH or a PUT says
true) and an Alembic migration that adds its column. One test starts your app on a
new database; the other on a database that step 15 made, with bookmarks in it: your
app must migrate it at start and keep every bookmark.
"""

import sqlite3

from workshop_checks import create_bookmark, expect_json, expect_success, list_bookmarks

REFERENCE = "exercises/15-migrations"

# The table exactly as step 15's create_all made it, with two bookmarks of a learner's.
STEP_14_TABLE = (
    "CREATE TABLE bookmarks (\n\tid INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, \n\turl VARCHAR NOT NULL, "
    "\n\ttitle VARCHAR NOT NULL, \n\tdescription VARCHAR NOT NULL\n)"
)
OLD_BOOKMARKS = [
    (1, "https://fastapi.tiangolo.com/", "FastAPI", "Kept from step 15."),
    (7, "https://alembic.sqlalchemy.org/", "Alembic", "Also kept."),
]


def a_step_14_database(folder) -> bytes:
    """The bytes of a SQLite file as step 14's app left it (made in the test's own folder)."""
    path = folder / "step-14.db"
    with sqlite3.connect(path) as connection:
        connection.execute(STEP_14_TABLE)
        connection.executemany("INSERT INTO bookmarks VALUES (?, ?, ?, ?)", OLD_BOOKMARKS)
    connection.close()
    return path.read_bytes()


def test_a_new_bookmark_is_no_favourite_until_a_patch_says_so(learner_app):
    client = learner_app.client
    created = create_bookmark(client, title="Mark me")
    assert created.get("favorite") is False, f"a new bookmark should have \"favorite\": false, got {created!r}"
    response = client.patch(f"/bookmarks/{created['id']}", json={"favorite": True})
    expect_success(response)
    assert expect_json(response).get("favorite") is True, f"PATCH {{\"favorite\": true}} answered {response.text!r}"
    learner_app.restart(keep_data=True)
    again = client.get(f"/bookmarks/{created['id']}")
    assert expect_json(again).get("favorite") is True, (
        f"after a restart the favourite is gone: {again.text!r}. Store it in a column of the table"
    )


def test_a_database_of_step_14_is_migrated_and_keeps_its_bookmarks(learner_app, tmp_path):
    learner_app.stop()
    learner_app.write_file("bookmarks.db", a_step_14_database(tmp_path))  # never through a link of the app's
    learner_app.start(keep_data=True)
    listed = list_bookmarks(learner_app.client)
    found = {bookmark["id"]: bookmark for bookmark in listed}
    for id_, _url, title, _description in OLD_BOOKMARKS:
        assert id_ in found and found[id_].get("title") == title, (
            f"the bookmark {id_} ({title!r}) of the step-14 database is gone after the app started: "
            f"it lists {[(b.get('id'), b.get('title')) for b in listed]}. Migrate the table (add its column), "
            "never delete the database or create the table again"
        )
        assert found[id_].get("favorite") is False, (
            f"an old bookmark should get \"favorite\": false from the migration, got {found[id_]!r}"
        )
    expect_success(learner_app.client.patch("/bookmarks/7", json={"favorite": True}))
    learner_app.restart(keep_data=True)
    assert expect_json(learner_app.client.get("/bookmarks/7")).get("favorite") is True
    new = create_bookmark(learner_app.client, title="After the migration")
    assert new["id"] > 7, f"the new bookmark got the id {new['id']}: ids 1 to 7 were given by step 15 already"
