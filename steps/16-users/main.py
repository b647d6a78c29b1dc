"""Bookmark Manager: the app, wired from the parts in the folder bookmarks/.

Run it from this folder with:  uvicorn main:app --reload
Then open http://127.0.0.1:8000/ for the page, http://127.0.0.1:8000/docs to try
every route (log in there first: POST /login; the browser keeps the cookie).
The users and their bookmarks are kept in the file bookmarks.db here (or at DATABASE_URL).

Each part has one job: bookmarks/settings.py (what changes from one computer to
the next), schemas.py (the data's rules), database.py (the tables and the
sessions), auth.py (users, passwords, logins), store.py (the bookmarks),
user_routes.py and routes.py (the HTTP routes), errors.py (the error answers).
This file only puts them together, so its order is the app's order.
"""

from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse
from sqlalchemy.exc import OperationalError
from starlette.middleware.base import BaseHTTPMiddleware

from bookmarks import database, errors, routes, user_routes
from bookmarks.auth import NotLoggedIn, UsernameTaken, WrongCredentials
from bookmarks.settings import Settings
from bookmarks.store import BookmarkNotFound

# Read once, when the app starts: the environment, then .env, then the defaults.
# A wrong value stops the app here, with a message that names the setting.
settings = Settings()

# One engine for the whole app: it opens connections to the database as requests need them.
engine = database.make_engine(settings.database_url)

# The page, beside this file.
PAGE = Path(__file__).resolve().parent / "index.html"


# The lifespan runs once when the app starts (before the first request) and once
# when it stops (after `yield`). Not at import: importing main.py changes nothing.
@asynccontextmanager
async def lifespan(app: FastAPI):
    database.create_tables(engine)  # no samples any more: a new user starts with an empty list
    yield
    engine.dispose()  # close the connections it kept


# `app` is what uvicorn runs: `uvicorn main:app` means "the object app in main.py".
app = FastAPI(title="Bookmark Manager", lifespan=lifespan)
# Where every request's session and the settings come from (database.get_session, settings.get_settings).
app.state.engine = engine
app.state.settings = settings

# One origin: the page and the API come from this app, so the browser needs no CORS.
app.add_middleware(BaseHTTPMiddleware, dispatch=errors.unexpected_errors_become_json)

# A handler for one kind of error runs inside every middleware.
app.add_exception_handler(RequestValidationError, errors.validation_errors_without_input)
app.add_exception_handler(BookmarkNotFound, errors.bookmark_not_found)
app.add_exception_handler(OperationalError, errors.database_unavailable)
app.add_exception_handler(NotLoggedIn, errors.not_logged_in)
app.add_exception_handler(WrongCredentials, errors.wrong_credentials)
app.add_exception_handler(UsernameTaken, errors.username_taken)

# The user routes (/users, /login, /logout) and every route of routes.py, under /bookmarks.
app.include_router(user_routes.router)
app.include_router(routes.router)


# The page itself, at the site's root: http://127.0.0.1:8000/.
@app.get("/", include_in_schema=False)
def page() -> FileResponse:
    return FileResponse(PAGE)
