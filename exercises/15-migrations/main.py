"""Bookmark Manager API: the app, wired from the parts in the folder bookmarks/.

Run it from this folder with:  uvicorn main:app --reload
Then open http://127.0.0.1:8000/docs to try every route in the browser.
The bookmarks are kept in the file bookmarks.db here (or at DATABASE_URL).

Each part has one job: bookmarks/settings.py (what changes from one computer to
the next), schemas.py (the data's rules), database.py (the table and the
sessions), store.py (the bookmarks), routes.py (the HTTP routes), errors.py
(the error answers). This file only puts them together, so its order is the
app's order.
"""

from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from sqlalchemy.exc import OperationalError
from sqlmodel import Session
from starlette.middleware.base import BaseHTTPMiddleware

from bookmarks import database, errors, routes, store
from bookmarks.settings import Settings
from bookmarks.store import BookmarkNotFound

# Read once, when the app starts: the environment, then .env, then the defaults.
# A wrong value stops the app here, with a message that names the setting.
settings = Settings()

# One engine for the whole app: it opens connections to the database as requests need them.
engine = database.make_engine(settings.database_url)


# The lifespan runs once when the app starts (before the first request) and once
# when it stops (after `yield`). Not at import: importing main.py changes nothing.
@asynccontextmanager
async def lifespan(app: FastAPI):
    if database.migrate(engine):  # a new database: the first start
        with Session(engine) as session:
            store.add_samples(session)
    yield
    engine.dispose()  # close the connections it kept


# `app` is what uvicorn runs: `uvicorn main:app` means "the object app in main.py".
app = FastAPI(title="Bookmark Manager", lifespan=lifespan)
# Where every request's session comes from (database.get_session).
app.state.engine = engine

# Middleware added later wraps middleware added earlier: the error middleware
# first, so that CORS wraps it and its 500 gets the CORS headers too.
# (app.add_middleware(BaseHTTPMiddleware, dispatch=f) is what @app.middleware("http") does.)
app.add_middleware(BaseHTTPMiddleware, dispatch=errors.unexpected_errors_become_json)
app.add_middleware(
    CORSMiddleware,
    allow_origins=settings.allowed_origins,
    # The methods the page sends; a JSON POST, a PUT or a DELETE is asked for
    # first with a preflight (OPTIONS), which must allow the method and Content-Type.
    allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
    allow_headers=["Content-Type"],
)

# A handler for one kind of error runs inside every middleware: CORS headers and all.
app.add_exception_handler(RequestValidationError, errors.validation_errors_without_input)
app.add_exception_handler(BookmarkNotFound, errors.bookmark_not_found)
app.add_exception_handler(OperationalError, errors.database_unavailable)

# Every route of routes.py, under /bookmarks.
app.include_router(routes.router)


@app.get("/")
def read_root():
    # FastAPI turns the returned dict into JSON for the client.
    return {"message": "Hello, world! The Bookmark Manager API is running."}
