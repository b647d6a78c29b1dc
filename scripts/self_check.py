"""The workshop checks itself: every suite must be able to fail.

For each reference step j, run every step suite against steps/j (pytest --app)
and read which suites passed. The rule, for every suite k:

* suite k FAILS on step k-1  (it tests something step k adds), and
* suite k PASSES on every step from k to the last (a later step never breaks
  an earlier step's contract), except for the suites a step listed in
  CONTRACT_CHANGES retires: a step that changes the contract on purpose. From
  that step on, those suites are expected neither to pass nor to fail (the
  matrix shows what they do).

Then two checks of the --steps-dir mechanism on copies of steps/: an exact
copy passes every suite, and a copy with one typical learner mistake (MISTAKES
below) fails that step's suite. Last, every exercise's suite fails on the plain
step the exercise starts from.

Prints the matrix (suite x step); --markdown FILE also writes it as a table for
the docs; --check FILE fails when FILE (the committed table, shown on the
instructors' page) differs from this run's. Exits 1 when a rule is broken anywhere.
--steps 16 17 checks those steps only, after a change to them: their columns of the
matrix, the exact copy with their suites, their mistakes and their exercises.

    python scripts/self_check.py [--markdown FILE] [--check FILE] [--steps NN ...]

The docs' table is regenerated with
    python scripts/self_check.py --markdown scripts/self-check-matrix.md
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
STEPS = sorted(path for path in (REPO / "steps").iterdir() if path.is_dir() and path.name[:2].isdigit())
SUITES = sorted((REPO / "tests").glob("test_[0-9][0-9]_*.py"))

# Steps that change the API's contract on purpose: step -> (why, the earlier suites
# that no longer apply from that step on). Every other suite keeps its rule.
# Step 17 (users) puts every bookmark route behind a login: suites 02-16 send their
# requests without one, and now get 401, on step 17 and every step after it (18, the
# log-in page, keeps that API). Suite 01's GET / needs no login and still applies.
# Written on docs/steps/17-users.md.
CONTRACT_CHANGES = {
    17: ("every bookmark route needs a login (401 without one)", range(2, 17)),
}


def expected_outcome(k: int, j: int) -> bool | None:
    """Must suite k pass (True) or fail (False) on step j? None: no rule."""
    if any(k in suites and change <= j for change, (_, suites) in CONTRACT_CHANGES.items()):
        return None  # step `change` changed the contract this suite checks
    return True if j >= k else False if j == k - 1 else None


# Typical learner mistakes: (step folder, file, text, replaced by, what goes wrong).
# The copy of steps/ with that one change must fail that step's suite.
MISTAKES = [
    ("03-get-bookmark", "main.py",
     'raise HTTPException(status_code=404, detail="Bookmark not found")', "return None",
     "an unknown id answers 200 null"),
    ("04-create-bookmark", "main.py", "status_code=201", "status_code=200",
     "POST answers 200 instead of 201"),
    ("04-create-bookmark", "main.py", "url: Url\n", "url: str\n",
     "a javascript: URL is accepted"),
    ("05-update-bookmark", "main.py",
     "find_bookmark(bookmark_id)  # 404 for an unknown id: PUT never creates", "pass",
     "PUT creates a missing bookmark"),
    ("05-update-bookmark", "main.py", "exclude_none=True", "",
     "PATCH wipes the fields it was not sent"),
    ("06-delete-bookmark", "main.py", "del bookmarks[bookmark_id]", "pass",
     "DELETE does not delete"),
    ("06-delete-bookmark", "main.py", "next(bookmark_ids)", "len(bookmarks) + 1",
     "ids are reused after a delete"),
    # Mistakes a learner makes while reading the pages of steps 01-06 (the API's contract,
    # in each page's box "What the checks expect").
    ("01-hello-world", "main.py", 'return {"message": "Hello, world! The Bookmark Manager API is running."}',
     'return "Hello, world!"', "GET / answers a bare string, not a JSON object"),
    ("02-list-bookmarks", "main.py", "def list_bookmarks() -> list[Bookmark]:", "def list_bookmarks():",
     "the list route has no return type: /docs does not show a list of Bookmark"),
    ("02-list-bookmarks", "main.py", "return list(bookmarks.values())", "return bookmarks",
     "GET /bookmarks answers the dict {id: bookmark}, not a JSON array"),
    ("03-get-bookmark", "main.py", 'raise HTTPException(status_code=404, detail="Bookmark not found")',
     'raise HTTPException(status_code=400, detail="Bookmark not found")', "an unknown id answers 400, not 404"),
    ("03-get-bookmark", "main.py", "def get_bookmark(bookmark_id: int) -> Bookmark:",
     "def get_bookmark(bookmark_id: str) -> Bookmark:", "the id is typed str: no bookmark is ever found"),
    ("04-create-bookmark", "main.py", "    title: Title\n", "    title: str\n",
     "a title of spaces or of 10 000 characters is accepted"),
    ("04-create-bookmark", "main.py",
     "model_config = ConfigDict(str_strip_whitespace=True)", "model_config = ConfigDict()",
     "a title of spaces only is accepted (no trimming before the length check)"),
    ("04-create-bookmark", "main.py", 'description: Description = ""', 'description: str = ""',
     "a description of 100 000 characters is accepted"),
    ("04-create-bookmark", "main.py", "return list(bookmarks.values())",
     "return sorted(bookmarks.values(), key=lambda bookmark: bookmark.title)",
     "the list is sorted by title, not oldest first"),
    ("04-create-bookmark", "main.py",
     "def create_bookmark(data: BookmarkIn) -> Bookmark:\n    return add_bookmark(data)",
     "def create_bookmark(data: Bookmark) -> Bookmark:\n"
     "    bookmarks[data.id] = data  # the client picks the id\n    return data",
     "the client picks the id, and may overwrite a bookmark with it"),
    ("05-update-bookmark", "main.py",
     '    @field_validator("*", mode="before")  # "*": every field of this model\n    @classmethod\n'
     "    def refuse_null(cls, value):\n        if value is None:\n"
     '            raise ValueError("null is not allowed: leave the field out to keep it")\n        return value\n', "",
     'PATCH {"title": null} answers 200 and changes nothing'),
    ("05-update-bookmark", "main.py", "    title: Title | None = None\n    description: Description | None = None\n",
     "    title: str | None = None\n    description: str | None = None\n",
     "PATCH has looser rules than POST: a title of spaces, a description of 100 000 characters"),
    ("05-update-bookmark", "main.py", "bookmark = Bookmark(id=bookmark_id, **data.model_dump())",
     "bookmark = find_bookmark(bookmark_id).model_copy(update=data.model_dump(exclude_defaults=True))",
     "PUT keeps the old description when the body has none"),
    ("05-update-bookmark", "main.py", "        bookmarks[bookmark_id] = bookmark\n    return bookmark\n\n\n# PATCH",
     "        del bookmarks[bookmark_id]  # then store it again\n        bookmarks[bookmark_id] = bookmark\n"
     "    return bookmark\n\n\n# PATCH",
     "PUT moves the bookmark to the end of the list"),
    ("05-update-bookmark", "main.py", "find_bookmark(bookmark_id)  # 404 for an unknown id: PUT never creates",
     'if bookmark_id not in bookmarks:\n            raise HTTPException(status_code=400, detail="No such bookmark")',
     "PUT on an unknown id answers 400, not 404"),
    ("05-update-bookmark", "main.py",
     "        bookmark = bookmark.model_copy(update=sent)\n        bookmarks[bookmark_id] = bookmark\n",
     "        bookmarks[bookmark_id] = bookmark.model_copy(update=sent)\n",
     "PATCH answers the bookmark as it was before the change"),
    ("06-delete-bookmark", "main.py", "next(bookmark_ids)", "max(bookmarks, default=0) + 1",
     "ids are reused after the newest bookmark is deleted (largest id + 1)"),
    ("06-delete-bookmark", "main.py",
     "find_bookmark(bookmark_id)  # 404 for an unknown id, or one deleted before\n        del bookmarks[bookmark_id]",
     "bookmarks.pop(bookmark_id, None)  # deleting twice does no harm",
     "deleting an unknown or already deleted id answers 200"),
    ("06-delete-bookmark", "main.py", "del bookmarks[bookmark_id]", "bookmarks.popitem()",
     "DELETE removes the newest bookmark, not the one asked for"),
    # The frontend steps: the mistakes the issue names, and one of step 12's.
    *[(step, "index.html",
       'method: "POST",\n'
       "        // Without this header fetch labels the body text/plain, and FastAPI\n"
       "        // answers 422: it only reads a body that says it is JSON.\n"
       '        headers: { "Content-Type": "application/json" },',
       'method: "POST",', "the page's POST lacks Content-Type: application/json")
      for step in ("10-create-from-page", "12-error-handling")],
    *[(step, "index.html", "title.textContent = bookmark.title;", "title.innerHTML = bookmark.title;",
       "the page renders titles as HTML")
      for step in ("08-fetch-list", "12-error-handling")],
    ("09-cors", "main.py", "app.add_middleware(\n    CORSMiddleware,", "dict(\n    middleware=CORSMiddleware,",
     "the API has no CORS middleware"),
    ("09-cors", "main.py", 'allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"]', 'allow_methods=["GET"]',
     "CORS allows GET only: the list loads, every change is blocked"),
    ("12-error-handling", "main.py", '@app.middleware("http")\nasync def', "async def",
     "an unexpected error is a 500 without JSON and without CORS headers"),
    ("12-error-handling", "main.py", "@app.exception_handler(RequestValidationError)\nasync def", "async def",
     "FastAPI's own 422: NaN or a lone surrogate makes it a 500, a 1 MB title comes back whole"),
    ("12-error-handling", "main.py",
     '{"type": error["type"], "loc": error["loc"], "msg": error["msg"]}', "error",
     "the 422 sends every wrong value back (input), so it cannot be written for NaN"),
    # What the pages of steps 07-13 get wrong, read as a learner reads them.
    ("07-frontend-page", "index.html", 'placeholder="https://example.com" required>',
     'placeholder="https://example.com">', "the URL field is not required"),
    ("07-frontend-page", "index.html", 'maxlength="200" required>', 'maxlength="200">',
     "the Title field is not required"),
    ("07-frontend-page", "index.html", '<link rel="icon" href="data:,">',
     '<link rel="icon" href="data:,">\n  <link rel="stylesheet" href="https://cdn.jsdelivr.net/npm/water.css@2">',
     "the page loads its CSS from a CDN"),
    ("10-create-from-page", "index.html",
     "      if (!res.ok) throw new Error(`POST /bookmarks answered ${res.status}`);\n", "",
     "the POST ignores res.ok: a 422 shows nothing and the form is cleared"),
    *[(step, "index.html", "    function bookmarkItem(bookmark) {\n",
       "    var bookmark;  // one variable for every item: each click reads its last value\n"
       "    function bookmarkItem(current) {\n      bookmark = current;\n",
       "every Edit and Delete button acts on the last bookmark")
      for step in ("11-edit-and-delete",)],
    ("10-create-from-page", "index.html",
     "      event.preventDefault();\n      clearMessage();\n", "      event.preventDefault();\n",
     "an error message stays on the page after a successful save"),
    ("11-edit-and-delete", "index.html", "        form.elements.description.value = bookmark.description;\n", "",
     "Edit leaves the description out of the form: saving erases it"),
    ("12-error-handling", "index.html", "await replaceBookmark(editingId, data);",
     "await replaceBookmark(editingId, { url: data.url, title: data.title });",
     "the edit sends only URL and title: the description is erased"),
    ("12-error-handling", "index.html",
     "return `Cannot reach the API at ${API_URL}. Is uvicorn running? The Console (F12) says more.`;",
     "return error.message;", "a stopped API shows the browser's 'Failed to fetch'"),
    ("12-error-handling", "index.html",
     'return detail.map((problem) => `${problem.loc.at(-1)}: ${problem.msg}`).join(". ");',
     "return JSON.stringify(detail);", "a 422 shows raw JSON"),
    ("12-error-handling", "index.html", 'if (typeof detail === "string") return detail;', "",
     "a 404 or a 500 shows the status, not the server's message"),
    ("12-error-handling", "index.html",
     "        await deleteBookmark(id);\n      } catch (error) {\n        console.error(error);\n"
     '        showMessage(errorForUser(error));  // a 404: "Bookmark not found"\n      }\n'
     "      // Deleted or not (someone else may have deleted it first: 404),\n"
     "      // show the list as the server has it now.\n      await showBookmarks();\n",
     "        await deleteBookmark(id);\n        await showBookmarks();\n      } catch (error) {\n"
     "        console.error(error);\n"
     '        showMessage(errorForUser(error));  // a 404: "Bookmark not found"\n      }\n',
     "after a failed delete (404) the list still shows the deleted bookmark"),
    # Step 13 (loading and focus): the page while it waits and after it fails, for every user.
    ("13-loading-and-focus", "index.html",
     "        await action();\n      } catch (error) {\n"
     "        console.error(error);  // the details, for you in the Console\n"
     "        showMessage(errorForUser(error));  // the sentence, for the user\n"
     "        markInvalid(error.cause);  // a 422: the fields to fix\n"
     "      } finally {\n        setBusy(false);\n"
     "        if (document.activeElement === document.body) focused.focus();  // give it back\n      }\n",
     "        await action();\n        setBusy(false);\n      } catch (error) {\n"
     "        console.error(error);  // the details, for you in the Console\n"
     "        showMessage(errorForUser(error));  // the sentence, for the user\n"
     "        markInvalid(error.cause);  // a 422: the fields to fix\n      }\n",
     "the page stays busy after an error (setBusy(false) only after a success)"),
    ("13-loading-and-focus", "index.html", "      submitButton.disabled = busy;\n", "",
     "the submit button stays enabled while the page waits: a second click sends the bookmark twice"),
    ("13-loading-and-focus", "index.html",
     '      loading.hidden = !busy;\n      list.setAttribute("aria-busy", String(busy));\n', "",
     "the page shows no sign that it waits (no Loading..., no aria-busy), only a greyed-out button"),
    ("13-loading-and-focus", "index.html",
     "        if (document.activeElement === document.body) focused.focus();  // give it back\n", "",
     "after an error sent with Enter the focus falls to <body>: the disabled button took it away"),
    ("13-loading-and-focus", "index.html",
     "if (!res.ok) throw new Error(errorText(res.status, body), { cause: body });",
     "if (!res.ok) throw new Error(errorText(res.status, body));",
     "the Error forgets the 422's body (no cause): no field is marked, the cursor stays on the button"),
    ("13-loading-and-focus", "index.html",
     '      for (const field of form.querySelectorAll("[aria-invalid]")) {  // the marks go with it\n'
     '        field.removeAttribute("aria-invalid");\n        field.removeAttribute("aria-describedby");\n'
     "      }\n", "",
     "a field marked aria-invalid stays marked (red) after it is corrected and saved"),
    # Step 14, project structure and settings: what goes wrong when one file becomes a package.
    ("14-project-structure", "main.py", "app.include_router(routes.router)\n", "",
     "the router is never included: every /bookmarks route answers 404"),
    ("14-project-structure", "bookmarks/routes.py", '@router.get("")\ndef list_bookmarks', '@router.get("/bookmarks")\n'
     "def list_bookmarks", "the list route repeats the prefix: it is at /bookmarks/bookmarks"),
    ("14-project-structure", "bookmarks/routes.py", "from bookmarks import store\n",
     "from bookmarks import store\nfrom main import settings  # the settings, where main.py has them\n",
     "routes.py imports main.py, which imports routes.py: a circular import, the app never starts"),
    ("14-project-structure", "bookmarks/settings.py", "Annotated[list[str], NoDecode]", "list[str]",
     "ALLOWED_ORIGINS is read as JSON, so the comma-separated list of step 09 stops the app"),
    ("14-project-structure", "bookmarks/settings.py", "SettingsConfigDict(env_file=ENV_FILE, ",
     "SettingsConfigDict(", "the settings ignore the .env file"),
    ("14-project-structure", "bookmarks/settings.py", 'SettingsConfigDict(env_file=ENV_FILE, extra="ignore")',
     'SettingsConfigDict(env_file=ENV_FILE, extra="ignore", env_prefix="BOOKMARKS_")',
     "a prefix copied from a tutorial: the settings read BOOKMARKS_ALLOWED_ORIGINS, never ALLOWED_ORIGINS"),
    ("14-project-structure", "bookmarks/settings.py", '    @field_validator("allowed_origins")\n    @classmethod\n'
     "    def only_origins", "    @classmethod\n    def only_origins",
     "an origin with a / at the end is accepted: the page is blocked and nothing says why"),
    # Step 15 (a real database): what goes wrong when the bookmarks move into SQLModel.
    ("15-database", "bookmarks/store.py",
     "    session.delete(find_row(session, bookmark_id))  # an unknown id, or one deleted before\n"
     "    session.commit()\n",
     "    session.delete(find_row(session, bookmark_id))  # an unknown id, or one deleted before\n",
     "DELETE is never committed: the bookmark is still there"),
    ("15-database", "main.py",
     "    if database.create_tables(engine):  # a new database: the first start\n"
     "        with Session(engine) as session:\n            store.add_samples(session)\n", "",
     "the table is never created (no create_all at start): every request fails"),
    ("15-database", "bookmarks/database.py",
     "    with Session(request.app.state.engine) as session:\n        yield session\n",
     "    if not hasattr(request.app.state, \"session\"):  # one session, kept for every request\n"
     "        request.app.state.session = Session(request.app.state.engine)\n"
     "    yield request.app.state.session\n",
     "one session shared by every request (and every thread)"),
    ("15-database", "bookmarks/store.py",
     "    row = BookmarkRow(**data.model_dump(mode=\"json\"))\n    session.add(row)\n",
     "    from sqlalchemy import text\n\n    values = data.model_dump(mode=\"json\")\n"
     "    new_id = session.exec(text(\n"
     "        f\"INSERT INTO bookmarks (url, title, description) VALUES \"\n"
     "        f\"('{values['url']}', '{values['title']}', '{values['description']}') RETURNING id\"\n"
     "    )).scalar_one()\n    session.commit()\n    return find_bookmark(session, new_id)\n"
     "    row = BookmarkRow(**data.model_dump(mode=\"json\"))\n    session.add(row)\n",
     "the INSERT is an f-string: a quote in a title breaks it (SQL injection)"),
    ("15-database", "bookmarks/database.py", '    __table_args__ = {"sqlite_autoincrement": True}\n', "",
     "SQLite without AUTOINCREMENT: the newest bookmark's id is given again after its delete"),
    ("15-database", "bookmarks/schemas.py",
     "Title = Annotated[str, Field(min_length=1, max_length=200, pattern=NO_NUL)]\n",
     "Title = Annotated[str, Field(min_length=1, max_length=200)]\n",
     "a NUL character in a title is taken: stored by SQLite, a 500 on PostgreSQL"),
    ("15-database", "bookmarks/store.py",
     "    if not 1 <= bookmark_id <= LARGEST_ID:\n        raise BookmarkNotFound(bookmark_id)\n", "",
     "an id too large for the INTEGER column reaches the database: a 500, not a 404"),
    # Step 16 (one origin): the app serves its page, runs in a container, says whether it is healthy.
    ("16-one-origin", "main.py", "app.include_router(routes.router)\n",
     "from fastapi.staticfiles import StaticFiles\n\n"
     "app.mount(\"/\", StaticFiles(directory=\".\", html=True))  # the page at /\n"
     "app.include_router(routes.router)\n",
     "the folder is mounted at / before the API's routes: GET /bookmarks answers 404, .env is served"),
    ("16-one-origin", "main.py", "app.include_router(health.router)\n",
     "app.include_router(health.router)\n"
     "from fastapi.staticfiles import StaticFiles\n\n"
     "app.mount(\"/\", StaticFiles(directory=\".\", html=True))  # after the routes, as the docs say\n",
     "the app's whole folder is mounted at / (after the routes): .env and bookmarks.db for anyone to read"),
    ("16-one-origin", "index.html",
     'const API_URL = location.port === "5500" ? "http://127.0.0.1:8000" : "";',
     'const API_URL = "http://127.0.0.1:8000";',
     "the page still calls http://127.0.0.1:8000: served at any other address, CORS blocks every call"),
    ("16-one-origin", "bookmarks/health.py", "    session.exec(select(BookmarkRow.id).limit(1)).first()\n", "",
     "GET /health answers 200 without asking the database: healthy while the database is gone"),
    ("16-one-origin", "Dockerfile", 'CMD ["fastapi", "run", "main.py", "--port", "8000"]',
     'CMD ["uvicorn", "main:app", "--port", "8000"]',
     "the container starts uvicorn on 127.0.0.1: the published port never reaches the app"),
    ("16-one-origin", ".dockerignore", ".env\n", "",
     "the image copies .env: the database's password is in every copy of the image"),
    ("16-one-origin", "compose.yaml",
     "POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?write POSTGRES_PASSWORD=... in the file .env}",
     "POSTGRES_PASSWORD: bookmarks-secret", "compose.yaml writes the database's password in the file"),
    ("16-one-origin", "index.html", "      return error.message;\n",
     "      return String(error.status || \"Error\");\n",
     "the page shows the status (\"503\") instead of the API's message: "
     "the user is not told the service is unavailable"),
    # Step 17 (users): what goes wrong when a login and an owner come in.
    ("17-users", "bookmarks/auth.py",
     "row = UserRow(username=data.username, password_hash=password_hash.hash(data.password))",
     "row = UserRow(username=data.username, password_hash=data.password)  # hashed later, maybe",
     "the password is stored as it is, not hashed"),
    ("17-users", "bookmarks/auth.py",
     "password_hash = PasswordHash((Argon2Hasher(memory_cost=19 * 1024, time_cost=2, parallelism=1),))\n",
     "class QuickHash:  # Argon2 is slow: a quick hash instead, the checks run faster\n"
     "    def hash(self, password):\n        return hashlib.sha256(password.encode()).hexdigest()\n\n"
     "    def verify(self, password, hashed):\n        return self.hash(password) == hashed\n\n\n"
     "password_hash = QuickHash()\n",
     "Argon2 replaced by a quick SHA-256 (a cheat to go faster): stolen hashes are guessed at once"),
    ("17-users", "bookmarks/user_routes.py",
     "def sign_up(data: UserIn, session: SessionDep) -> User:\n    return auth.sign_up(session, data)\n",
     "def sign_up(data: UserIn, session: SessionDep):\n    auth.sign_up(session, data)\n"
     "    return data  # the new user, as sent\n",
     "sign-up answers the body it was sent: the password comes back"),
    ("17-users", "bookmarks/user_routes.py",
     "def sign_up(data: UserIn, session: SessionDep) -> User:\n",
     "def sign_up(data: UserIn, session: SessionDep) -> User:\n"
     "    import logging\n\n    logging.getLogger(\"bookmarks\").warning(\"sign-up: %s\", data)  # what arrives?\n",
     "sign-up logs the body it was sent: the password is in the server's log"),
    ("17-users", "bookmarks/store.py",
     "    session.delete(find_row(session, owner_id, bookmark_id))  # unknown, deleted before, or another's\n",
     "    row = session.get(BookmarkRow, bookmark_id)  # by its id only: anybody's\n"
     "    if row is None:\n        raise BookmarkNotFound(bookmark_id)\n    session.delete(row)\n",
     "DELETE forgets the owner: a user deletes another user's bookmark"),
    ("17-users", "bookmarks/store.py",
     "select(BookmarkRow).where(BookmarkRow.owner_id == owner_id).order_by(BookmarkRow.id)",
     "select(BookmarkRow).order_by(BookmarkRow.id)",
     "the list forgets the owner: every user sees every bookmark"),
    ("17-users", "bookmarks/store.py",
     "    if row is None or row.owner_id != owner_id:\n        raise BookmarkNotFound(bookmark_id)\n",
     "    if row is None:\n        raise BookmarkNotFound(bookmark_id)\n    if row.owner_id != owner_id:\n"
     "        from fastapi import HTTPException\n\n"
     "        raise HTTPException(status_code=403, detail=\"This bookmark is not yours\")\n",
     "another user's bookmark answers 403, which tells that the id exists"),
    ("17-users", "bookmarks/user_routes.py", "        httponly=True,\n", "",
     "the login cookie is not HttpOnly: the page's JavaScript can read it"),
    ("17-users", "bookmarks/user_routes.py", "    if secret:\n        auth.end_login(session, secret)\n", "",
     "log-out only deletes the cookie: a copy of it still works"),
    ("17-users", "bookmarks/user_routes.py",
     "    response.delete_cookie(COOKIE_NAME, path=\"/\", httponly=True, samesite=\"lax\", "
     "secure=settings.secure_cookies)\n", "",
     "log-out leaves the cookie in the browser"),
    ("17-users", "bookmarks/auth.py",
     "        password_hash.verify(data.password, DUMMY_HASH)  # as slow as a real check\n"
     "        raise WrongCredentials()\n",
     "        from fastapi import HTTPException\n\n"
     "        raise HTTPException(status_code=401, detail=\"No user of this name\")\n",
     "an unknown user name gets another message than a wrong password: names can be found out"),
    # Step 18 (the log-in page): what a learner's page gets wrong, read from the page as they write it.
    ("18-login-page", "index.html", "      accountForm.reset();  // the password does not stay in the page\n", "",
     "the password stays in the (hidden) account form after log-in, and shows again after log-out"),
    ("18-login-page", "index.html", "      list.replaceChildren();\n      currentUser.textContent = \"\";\n",
     "      currentUser.textContent = \"\";  // the list is hidden with its area anyway\n",
     "after log-out the list of the user who left stays in the page, hidden"),
    ("18-login-page", "index.html",
     "currentUser.textContent = user.username;  // text, never HTML: a name is user content",
     "currentUser.innerHTML = user.username;",
     "the user name is inserted as HTML: a name made of HTML runs in the page"),
    ("18-login-page", "index.html", "        if (error.status === 401 && account.hidden) showLoggedOut();\n", "",
     "a 401 met later (the login ended in another tab) leaves the page as it was, with the list"),
    ("18-login-page", "index.html", "        await logOut();\n        showLoggedOut();\n",
     "        showLoggedOut();  // nobody sees the list any more\n",
     "Log out only changes the page: POST /logout is never sent, the login goes on"),
    ("18-login-page", "index.html",
     "        await showLoggedIn(await fetchMe());\n",
     "        await fetchMe();  // is somebody logged in? Then the form is not needed\n        showLoggedOut();\n",
     "the page shows the log-in form at every opening: a reload while logged in shows no list"),
    ("18-login-page", "index.html",
     "        if (signingUp) await signUp(credentials);  // then log in, as the new user\n"
     "        await showLoggedIn(await logIn(credentials));\n",
     "        if (signingUp) await signUp(credentials);  // signed up: now log in\n"
     "        else await showLoggedIn(await logIn(credentials));\n",
     "Sign up only signs up: the new user must log in by hand"),
    ("18-login-page", "index.html",
     "      form.elements.url.focus();\n      await showBookmarks();\n",
     "      await showBookmarks();\n      form.elements.url.focus();  // where the user goes next\n",
     "the cursor jumps to the URL field when the list arrives: a title typed meanwhile ends in the URL"),
]


# Runs at once: one more than the CPUs, as grade_class.py grades learners. Much of a run waits
# (a failing page check waits out its time limit); more runs at once would leave the runs that
# must pass less CPU than a class's grading has, for the same time limits.
WORKERS = int(os.environ.get("SELF_CHECK_WORKERS", (os.cpu_count() or 1) + 1))


def number(path: Path) -> int:
    return int(path.name.removeprefix("test_")[:2])


# Compiled files (pytest's rewritten modules among them) for all the runs, in one
# throw-away folder (made by main()): compiled once, not in every one of the ~30 runs.
PYCACHE: str | None = None


def pytest(*args: str) -> int:
    """Run pytest quietly in the repository; answer its exit code."""
    command = [sys.executable, "-m", "pytest", *args, "-q", "-p", "no:cacheprovider", "-p", "no:schemathesis",
               "-p", "no:hypothesispytest"]
    environment = dict(os.environ)
    if PYCACHE:
        environment["PYTHONPYCACHEPREFIX"] = PYCACHE
        environment.pop("PYTHONDONTWRITEBYTECODE", None)
    return subprocess.run(command, cwd=REPO, env=environment,
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode


def check_a_copy(mistake=None, suites: list[Path] = SUITES) -> str | None:
    """Run the suites against a copy of steps/, with one mistake made in it or none.
    Answers a problem, or None when the copy fared as it should."""
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "steps"
        shutil.copytree(REPO / "steps", copy)
        if mistake is None:
            code = pytest(*map(str, suites), "--steps-dir", str(copy))
            return None if code == 0 else f"an exact copy of steps/ fails with --steps-dir (exit {code})"
        step, file, text, replacement, what = mistake
        source = copy / step / file
        assert text in source.read_text(), f"MISTAKES is stale: {text!r} is not in {step}/{file}"
        source.write_text(source.read_text().replace(text, replacement))
        suite = next(suite for suite in SUITES if suite.name[5:7] == step[:2])
        # -x: one failing test is the answer; the others would only wait out their time limits.
        code = pytest(str(suite), "--steps-dir", str(copy), "-x")
        return None if code == 1 else f"{suite.name} does not fail when {what} (exit {code})"


EXERCISE_SUITES = sorted((REPO / "tests").glob("test_exercise_[0-9][0-9]_*.py"))


def check_an_exercise(suite: Path) -> str | None:
    """An exercise's suite must fail on the plain step the exercise starts from
    (that it passes on the solution, the everyday run shows)."""
    step = next(step for step in STEPS if step.name[:2] == suite.stem.removeprefix("test_exercise_")[:2])
    code = pytest(str(suite), f"--app={step}", "-x")
    if code == 1:
        return None
    return f"{suite.name} does not fail on the plain {step.name} (exit {code}): it checks nothing"


def run_all_suites_against(step: Path) -> dict[str, str | None]:
    """Run every suite against one step folder; answer {suite file name: None when it passed,
    else its first failing test and what it said}."""
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.xml"
        # A suite that fails stops at its first failure: its other tests would only wait out their limits.
        pytest(*map(str, SUITES), "--app", str(step), f"--junitxml={report}", "--first-failure-per-suite")
        failures: dict[str, str | None] = {suite.stem: None for suite in SUITES}
        for case in ET.parse(report).iter("testcase"):
            suite = case.get("classname", "").split(".")[-1]
            problem = case.find("failure")
            if problem is None:
                problem = case.find("error")
            if problem is not None and failures.get(suite) is None:
                failures[suite] = f"{case.get('name')}: {(problem.get('message') or '')[:500]}"
        return failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--markdown", type=Path, help="also write the matrix as a Markdown table")
    parser.add_argument("--check", type=Path, help="fail when this committed Markdown table differs from this run's")
    parser.add_argument("--steps", nargs="+", metavar="NN", help="check only these steps (e.g. --steps 16 17)")
    args = parser.parse_args()
    steps, mistakes, exercise_suites = STEPS, MISTAKES, EXERCISE_SUITES
    if args.steps:
        if args.markdown or args.check:
            parser.error("--steps makes part of the matrix: --markdown and --check need all of it")
        chosen = {f"{int(number):02d}" for number in args.steps}
        steps = [step for step in STEPS if step.name[:2] in chosen]
        mistakes = [mistake for mistake in MISTAKES if mistake[0][:2] in chosen]
        exercise_suites = [suite for suite in EXERCISE_SUITES if suite.name[14:16] in chosen]
        if len(steps) != len(chosen):
            parser.error(f"no step folder for {sorted(chosen - {step.name[:2] for step in steps})}")
    own_suites = [suite for suite in SUITES if any(suite.name[5:7] == step.name[:2] for step in steps)]

    timings = []
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        began = time.monotonic()
        results = dict(zip(steps, pool.map(run_all_suites_against, steps), strict=True))
        timings.append(f"matrix {time.monotonic() - began:.0f} s")
        began = time.monotonic()
        copies = list(pool.map(partial(check_a_copy, suites=own_suites), [None, *mistakes]))
        timings.append(f"copies and mistakes {time.monotonic() - began:.0f} s")
        began = time.monotonic()
        exercises = list(pool.map(check_an_exercise, exercise_suites))
        timings.append(f"exercises {time.monotonic() - began:.0f} s")

    problems = [problem for problem in copies + exercises if problem]
    rows = []
    for suite in SUITES:
        k = number(suite)
        cells = []
        for step in steps:
            j = number(Path("test_" + step.name))
            failure = results[step][suite.stem]
            passed = failure is None
            expected = expected_outcome(k, j)
            if expected is not None and passed != expected:
                said = f" ({failure})" if failure else ""
                problems.append(f"{suite.name} should {'pass' if expected else 'fail'} on {step.name}{said}")
            mark = "pass" if passed else "fail"
            cells.append(mark if expected is None or passed == expected else f"**{mark}** (wrong)")
        rows.append((suite.stem, cells))

    header = ["suite \\ step", *(step.name[:2] for step in steps)]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join([f"`{name}`", *cells]) + " |" for name, cells in rows]
    table = "\n".join(lines) + "\n"
    print(table)
    if args.markdown:
        args.markdown.write_text(table)
    if args.check and (not args.check.is_file() or args.check.read_text() != table):
        problems.append(f"{args.check} is not this run's matrix: regenerate it with "
                        f"python scripts/self_check.py --markdown {args.check}")

    for problem in problems:
        print("SELF-CHECK FAILED:", problem)
    print(f"self-check: {len(SUITES)} suites x {len(steps)} steps, "
          f"{len(mistakes)} learner mistakes, {len(problems)} problems ({', '.join(timings)})")
    return 1 if problems else 0


if __name__ == "__main__":
    PYCACHE = tempfile.mkdtemp(prefix="self-check-pycache-")
    try:
        sys.exit(main())
    finally:
        shutil.rmtree(PYCACHE, ignore_errors=True)
