"""Errors: every answer is JSON with a message a person can read.

Step 12's two handlers, a third for the store's BookmarkNotFound, and a fourth
for a database that cannot be reached. main.py installs them on the app, in an
order that matters (see there).
"""

import logging

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError

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
