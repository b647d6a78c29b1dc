"""Errors: every answer is JSON with a message a person can read.

Step 12's two handlers, one for the store's BookmarkNotFound, one for a
database that cannot be reached, and three for users (auth.py): not logged in,
a wrong name or password, a name that is taken. main.py installs them on the app, in an
order that matters (see there).
"""

import logging

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError

from bookmarks.auth import NotLoggedIn, UsernameTaken, WrongCredentials
from bookmarks.store import BookmarkNotFound

# Errors the code did not expect are written here: the uvicorn terminal shows them.
logger = logging.getLogger("bookmarks")


# An error the code did not expect (a bug, a lost database) becomes a 500
# with a short, general message. The details go to the server's log, never
# to the client: a traceback can show file paths, queries or passwords.
# A middleware, not a handler for Exception: Starlette runs that handler
# outside every middleware, and its 500 would lack the CORS headers.
async def unexpected_errors_become_json(request: Request, call_next):
    try:
        return await call_next(request)
    except Exception:
        logger.exception("Unexpected error in %s %s", request.method, request.url.path)
        return JSONResponse(
            status_code=500,
            content={"detail": "Something went wrong on the server. Please try again later."},
        )


# A 422 that says which rule ("type"), where ("loc") and what, in words ("msg"),
# without FastAPI's "input": the client has what it sent, a 1 MB title would come
# back whole, and a value JSON cannot carry (NaN, "\ud800") would make it a 500.
async def validation_errors_without_input(request: Request, exc: RequestValidationError):
    problems = [
        {"type": error["type"], "loc": error["loc"], "msg": error["msg"]}
        for error in exc.errors()
    ]
    return JSONResponse(status_code=422, content={"detail": problems})


# The store speaks Python ("no such bookmark"); this says it in HTTP, once for
# every route: 404 with the message of step 03.
async def bookmark_not_found(request: Request, exc: BookmarkNotFound):
    return JSONResponse(status_code=404, content={"detail": "Bookmark not found"})


# SQLAlchemy raises OperationalError when the database cannot do its job at all:
# the server is down or refuses the login, the SQLite file cannot be opened or is
# locked. Not the client's fault and no bug in the code: 503 Service Unavailable
# says "try again later". The error itself (it may name a host, a user, a file)
# goes to the log, never to the client.
async def database_unavailable(request: Request, exc: OperationalError):
    logger.error("Database unavailable in %s %s: %s", request.method, request.url.path, exc)
    return JSONResponse(
        status_code=503,
        content={"detail": "The service is unavailable right now: its database cannot be reached. "
                 "Please try again in a moment."},
    )


# No login cookie, or one whose login ended (log-out, expired) or never was.
async def not_logged_in(request: Request, exc: NotLoggedIn):
    return JSONResponse(status_code=401, content={"detail": "You are not logged in. Please log in."})


# One message for an unknown name and for a wrong password: telling them apart
# would let anyone find out which user names exist.
async def wrong_credentials(request: Request, exc: WrongCredentials):
    return JSONResponse(status_code=401, content={"detail": "Wrong user name or password."})


# 409 Conflict: the request is fine, but clashes with what is there already.
async def username_taken(request: Request, exc: UsernameTaken):
    return JSONResponse(
        status_code=409, content={"detail": "This user name is taken. Please choose another one."}
    )
