"""Bookmark Manager: the API and its page, one app on one origin, for many users.

While you work on it, run it from this folder with:  fastapi dev main.py
(or uvicorn main:app --reload, as before). On a server:  fastapi run main.py
Then open http://127.0.0.1:8000/ for the page, /docs to try every route (log in
there first, with POST /login: the browser keeps the cookie for the other routes).
The users and their bookmarks are kept in the file bookmarks.db here (or at DATABASE_URL).

Each part has one job: bookmarks/settings.py (what changes from one computer to
the next), schemas.py (the data's rules), database.py (the tables and the
sessions), auth.py (users, passwords, logins), store.py (the bookmarks),
user_routes.py and routes.py (the HTTP routes), errors.py (the error answers),
health.py (is the app able to work?). This file only puts them together, so its
order is the app's order.
"""

from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse
from sqlalchemy.exc import OperationalError
from starlette.middleware.base import BaseHTTPMiddleware

from bookmarks import database, errors, health, routes, user_routes
from bookmarks.auth import NotLoggedIn, UsernameTaken, WrongCredentials
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
    # No sample bookmarks any more: they would belong to nobody. A new user's list is empty.
    database.create_tables(engine)
    yield
    engine.dispose()  # close the connections it kept


# `app` is what uvicorn runs: `uvicorn main:app` means "the object app in main.py".
app = FastAPI(title="Bookmark Manager", lifespan=lifespan)
# Where every request's session and the settings come from (database.get_session,
# settings.get_settings).
app.state.engine = engine
app.state.settings = settings

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
app.add_exception_handler(NotLoggedIn, errors.not_logged_in)
app.add_exception_handler(WrongCredentials, errors.wrong_credentials)
app.add_exception_handler(UsernameTaken, errors.username_taken)

# The user routes (/users, /login, /logout, /users/me), every route of routes.py
# under /bookmarks, and GET /health. The API's routes come first: a request goes
# to the first route that matches its path.
app.include_router(user_routes.router)
app.include_router(routes.router)
app.include_router(health.router)

# The page, beside this file. Served by the app itself, it has the API's origin:
# its fetch("/bookmarks") goes to this app, and the browser asks nothing of CORS.
PAGE = Path(__file__).resolve().parent / "index.html"


# One address, two answers (HTTP calls it content negotiation): a browser opening
# http://127.0.0.1:8000/ says in its Accept header that it wants HTML, and gets the
# page; a script or curl (Accept: */*) gets step 01's greeting, as before. The
# header Vary: Accept tells caches that the answer depends on it: none may hand the
# JSON to a browser, or the page to a script.
# Only this one file is served: never the whole folder, which holds .env (the
# database's password) and bookmarks.db. A site of many files (pictures, CSS) would
# keep them in a folder of their own, mounted after every route:
#   app.mount("/", StaticFiles(directory="static", html=True))
@app.get("/", response_model=None)
def read_root(request: Request, response: Response) -> FileResponse | dict[str, str]:
    if "text/html" in request.headers.get("accept", ""):
        return FileResponse(PAGE, headers={"Vary": "Accept"})
    response.headers["Vary"] = "Accept"
    # FastAPI turns the returned dict into JSON for the client.
    return {"message": "Hello, world! The Bookmark Manager API is running."}
