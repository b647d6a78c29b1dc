"""Bookmark Manager API: the app, wired from the parts in the folder bookmarks/.

Run it from this folder with:  uvicorn main:app --reload
Then open http://127.0.0.1:8000/docs to try every route in the browser.

Each part has one job: bookmarks/settings.py (what changes from one computer to
the next), schemas.py (the data's rules), store.py (the bookmarks), routes.py
(the HTTP routes), errors.py (the error answers). This file only puts them
together, so its order is the app's order.
"""

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from starlette.middleware.base import BaseHTTPMiddleware

from bookmarks import errors, routes
from bookmarks.settings import get_settings
from bookmarks.store import BookmarkNotFound

# Read once, when the app starts: the environment, then .env, then the defaults.
# A wrong value stops the app here, with a message that names the setting.
settings = get_settings()

# `app` is what uvicorn runs: `uvicorn main:app` means "the object app in main.py".
app = FastAPI(title="Bookmark Manager")

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

# Every route of routes.py, under /bookmarks.
app.include_router(routes.router)


@app.get("/")
def read_root():
    # FastAPI turns the returned dict into JSON for the client.
    return {"message": "Hello, world! The Bookmark Manager API is running."}
