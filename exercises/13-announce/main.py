"""Bookmark Manager API.

Run it from this folder with:  uvicorn main:app --reload
Then open http://127.0.0.1:8000/docs to try every route in the browser.
"""

import logging
import os
from itertools import count
from threading import Lock
from typing import Annotated

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, HttpUrl, field_validator

# `app` is what uvicorn runs: `uvicorn main:app` means "the object app in main.py".
app = FastAPI(title="Bookmark Manager")

# Errors the code did not expect are written here: the uvicorn terminal shows them.
logger = logging.getLogger("bookmarks")


# --- Errors: every answer is JSON with a message a person can read ----------

# An error the code did not expect (a bug, a lost database) becomes a 500
# with a short, general message. The details go to the server's log, never
# to the client: a traceback can show file paths, queries or passwords.
#
# Why a middleware, and not @app.exception_handler(Exception)? Starlette
# runs that handler outside every middleware, CORS included: its 500 would
# lack Access-Control-Allow-Origin, and the browser would report a CORS
# error instead of the real failure. Middleware added later wraps middleware
# added earlier, so this one comes before CORSMiddleware: CORS wraps it.
@app.middleware("http")
async def unexpected_errors_become_json(request: Request, call_next):
    try:
        return await call_next(request)
    except Exception:
        logger.exception("Unexpected error in %s %s", request.method, request.url.path)
        return JSONResponse(
            status_code=500,
            content={"detail": "Something went wrong on the server. Please try again later."},
        )


# A request that breaks a rule of the models gets a 422 with FastAPI's list of
# problems: which rule ("type"), where ("loc") and what, in words ("msg").
# FastAPI's own 422 also sends each wrong value back ("input"). This one does
# not: the client already has what it sent, a 1 MB title would come back
# whole, and a value that JSON cannot carry (NaN, Infinity, a lone "\ud800")
# would break the answer itself and turn the 422 into a 500.
# Unlike a handler for Exception, a handler for one kind of error runs inside
# every middleware: its answer gets the CORS headers.
@app.exception_handler(RequestValidationError)
async def validation_errors_without_input(request: Request, exc: RequestValidationError):
    problems = [
        {"type": error["type"], "loc": error["loc"], "msg": error["msg"]}
        for error in exc.errors()
    ]
    return JSONResponse(status_code=422, content={"detail": problems})


# --- CORS: which pages, from other origins, may read the API's answers ------

# The page comes from port 5500 and the API from port 8000: two origins. The
# browser hands the page an answer only if it carries the header
# Access-Control-Allow-Origin with the page's origin. CORSMiddleware adds it,
# for the origins listed here and no other.
# localhost and 127.0.0.1 are two different origins to the browser: list both.
# The environment variable ALLOWED_ORIGINS replaces the list, comma-separated,
# e.g. ALLOWED_ORIGINS="https://bookmarks.example.com" (the tests use it too).
DEFAULT_ORIGINS = "http://127.0.0.1:5500,http://localhost:5500"
allowed_origins = [
    origin.strip() for origin in os.environ.get("ALLOWED_ORIGINS", DEFAULT_ORIGINS).split(",")
]

app.add_middleware(
    CORSMiddleware,
    allow_origins=allowed_origins,
    # A JSON POST, a PUT or a DELETE makes the browser ask first, with a
    # "preflight" OPTIONS request: may this origin send this method with the
    # header Content-Type? Allowing only GET would load the list and then
    # block every change.
    allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
    allow_headers=["Content-Type"],
)


# --- The data: what a client sends, and what the API sends back -------------

# The rules for a title and a description, written once for every model below.
Title = Annotated[str, Field(min_length=1, max_length=200)]
Description = Annotated[str, Field(max_length=1000)]


# HttpUrl normalises a URL: HTTPS://Example.COM becomes https://example.com/,
# an é becomes %C3%A9, bücher.example becomes xn--bcher-kva.example. Its limit,
# 2083 characters (what old browsers took), is checked on what the client sent;
# the normalised URL, the one stored and sent back, can be longer. So Url checks
# the limit again, on the normalised URL.
def at_most_2083_characters(url: HttpUrl) -> HttpUrl:
    if len(str(url)) > 2083:
        raise ValueError("URL should have at most 2083 characters once normalised")
    return url


Url = Annotated[HttpUrl, AfterValidator(at_most_2083_characters)]


class BookmarkIn(BaseModel):
    """What a client sends to create or replace a bookmark. No id: the server picks it."""

    # Trim spaces around every text, so a title of "   " counts as empty.
    model_config = ConfigDict(str_strip_whitespace=True)

    # HttpUrl accepts only http:// and https:// links. A "javascript:" link
    # would run code in the browser of whoever clicks it.
    url: Url
    title: Title
    description: Description = ""


class BookmarkPatch(BaseModel):
    """What a client sends to change some fields. A field left out stays as it is."""

    model_config = ConfigDict(str_strip_whitespace=True)

    url: Url | None = None
    title: Title | None = None
    description: Description | None = None

    # None above only marks a field the client left out. A client that sends
    # null gets 422, as in POST: a bookmark never has "no title", and an empty
    # description is "". Pydantic runs this on the fields sent, never on defaults.
    @field_validator("*", mode="before")  # "*": every field of this model
    @classmethod
    def refuse_null(cls, value):
        if value is None:
            raise ValueError("null is not allowed: leave the field out to keep it")
        return value


class Bookmark(BookmarkIn):
    """What the API sends back: the fields above, plus the id the server gave it."""

    id: int


# --- The store: bookmarks live in memory and vanish when the server stops ----

bookmarks: dict[int, Bookmark] = {}
bookmark_ids = count(start=1)  # 1, 2, 3, ... an id is never reused

# uvicorn runs plain `def` routes in several threads at once. The lock makes
# two requests that change the store take turns, so no id is handed out twice.
store_lock = Lock()


def add_bookmark(data: BookmarkIn) -> Bookmark:
    with store_lock:
        bookmark = Bookmark(id=next(bookmark_ids), **data.model_dump())
        bookmarks[bookmark.id] = bookmark
    return bookmark


def find_bookmark(bookmark_id: int) -> Bookmark:
    """Return the bookmark with this id, or answer 404 Not Found."""
    bookmark = bookmarks.get(bookmark_id)
    if bookmark is None:
        raise HTTPException(status_code=404, detail="Bookmark not found")
    return bookmark


# A couple of sample bookmarks, so the list is not empty on the first visit.
add_bookmark(BookmarkIn(
    url="https://fastapi.tiangolo.com/",
    title="FastAPI",
    description="The Python web framework this workshop uses.",
))
add_bookmark(BookmarkIn(
    url="https://developer.mozilla.org/en-US/docs/Web/API/Fetch_API",
    title="MDN: Using the Fetch API",
    description="How a web page talks to an API.",
))


# --- The routes: one function for each thing a client can ask ----------------

@app.get("/")
def read_root():
    # FastAPI turns the returned dict into JSON for the client.
    return {"message": "Hello, world! The Bookmark Manager API is running."}


# The return type tells FastAPI what to send: a JSON array of bookmarks,
# and it shows that shape in /docs.
@app.get("/bookmarks")
def list_bookmarks() -> list[Bookmark]:
    return list(bookmarks.values())


# {bookmark_id} is a path parameter. The type hint `int` makes FastAPI turn
# "3" into 3, and answer 422 on its own for an id like "abc".
@app.get("/bookmarks/{bookmark_id}")
def get_bookmark(bookmark_id: int) -> Bookmark:
    return find_bookmark(bookmark_id)


# FastAPI reads the JSON body into a BookmarkIn and checks every rule above.
# A body that breaks one never reaches this function: the client gets 422.
@app.post("/bookmarks", status_code=201)  # 201 Created, not the default 200 OK
def create_bookmark(data: BookmarkIn) -> Bookmark:
    return add_bookmark(data)


# PUT replaces the whole bookmark: a field left out gets its default again.
@app.put("/bookmarks/{bookmark_id}")
def replace_bookmark(bookmark_id: int, data: BookmarkIn) -> Bookmark:
    with store_lock:
        find_bookmark(bookmark_id)  # 404 for an unknown id: PUT never creates
        bookmark = Bookmark(id=bookmark_id, **data.model_dump())
        bookmarks[bookmark_id] = bookmark
    return bookmark


# PATCH changes only the fields the client sent.
@app.patch("/bookmarks/{bookmark_id}")
def update_bookmark(bookmark_id: int, changes: BookmarkPatch) -> Bookmark:
    with store_lock:
        bookmark = find_bookmark(bookmark_id)
        # A field the client left out is None here: keep the stored value.
        sent = changes.model_dump(exclude_none=True)
        bookmark = bookmark.model_copy(update=sent)
        bookmarks[bookmark_id] = bookmark
    return bookmark


@app.delete("/bookmarks/{bookmark_id}")
def delete_bookmark(bookmark_id: int) -> dict[str, str]:
    with store_lock:
        find_bookmark(bookmark_id)  # 404 for an unknown id, or one deleted before
        del bookmarks[bookmark_id]
    # 200 with a message the client can show. 204 No Content is the other
    # common answer: same meaning, but no body at all.
    return {"message": f"Bookmark {bookmark_id} deleted"}
