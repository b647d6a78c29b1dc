"""My Bookmark Manager API.

Start it from this folder with:  uvicorn main:app --reload
and try it at http://127.0.0.1:8000/docs
"""

import logging
import os
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, FastAPI, HTTPException, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from pydantic import AfterValidator, BaseModel, BeforeValidator, StringConstraints
from starlette.middleware.base import BaseHTTPMiddleware

# uvicorn looks for this name: `uvicorn main:app` = the object `app` in main.py.
app = FastAPI(title="My Bookmarks")

# Where unexpected errors are written: uvicorn's terminal shows this log.
log = logging.getLogger("my_bookmarks")


# --- Unexpected errors ------------------------------------------------------

class CrashesBecomeJson(BaseHTTPMiddleware):
    """Turn an exception nobody caught into a JSON 500 with a general message.

    The traceback goes to the server's log only: its text can show file
    names, queries or secrets, which a client must never see.
    """

    async def dispatch(self, request: Request, call_next):
        try:
            return await call_next(request)
        except Exception:
            log.exception("Crash while answering %s %s", request.method, request.url.path)
            return JSONResponse(
                status_code=500,
                content={"detail": "Something went wrong on the server. Please try again."},
            )


# FastAPI's own 422 copies every wrong value back ("input"): a 1 MB title
# comes back whole, and NaN cannot even be written as JSON (a 500). The client
# has what it sent, so my 422 keeps only where, what and why.
@app.exception_handler(RequestValidationError)
async def short_422(request: Request, error: RequestValidationError):
    problems = [{key: problem[key] for key in ("loc", "msg", "type")} for problem in error.errors()]
    return JSONResponse(status_code=422, content={"detail": problems})


# A middleware added later wraps the ones added before it. This one is added
# BEFORE CORSMiddleware, so CORS wraps it and its 500 carries the CORS header
# too. (With @app.exception_handler(Exception) the 500 would be made outside
# CORS: the browser would hide it and report a misleading CORS error.)
app.add_middleware(CrashesBecomeJson)


# --- CORS ----------------------------------------------------------------------

# The page (port 5500) and the API (port 8000) are two different origins, so
# the browser only gives the page an answer that names the page's origin in
# Access-Control-Allow-Origin. CORSMiddleware adds that header, for these
# origins and no others. 127.0.0.1 and localhost count as two origins.
# ALLOWED_ORIGINS (comma-separated) replaces the list, so every deployment can
# list its own real origins instead of "*".
origins = os.getenv("ALLOWED_ORIGINS", "http://127.0.0.1:5500,http://localhost:5500")

app.add_middleware(
    CORSMiddleware,
    allow_origins=[origin.strip() for origin in origins.split(",") if origin.strip()],
    # A JSON POST, a PUT, a PATCH and a DELETE are asked for first by a
    # preflight (OPTIONS); it must allow the method and the Content-Type header.
    allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
    allow_headers=["Content-Type"],
)

# Every /bookmarks route hangs on this router, so the prefix is written once.
# The router is plugged into the app at the very end of the file.
router = APIRouter(prefix="/bookmarks", tags=["bookmarks"])


# --- Rules for what a client may send ----------------------------------------

def web_link(url: str) -> str:
    """Let only a real http:// or https:// address through.

    The page turns every url into a link, and a "javascript:..." link runs
    code when it is clicked, so anything else is refused with a 422.
    """
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        raise ValueError("URL scheme should be 'http' or 'https'")
    # "http://" alone, or an address with spaces in it, is not a real link.
    if not parts.hostname or any(character.isspace() for character in url):
        raise ValueError("URL should be a full address, like https://example.com/")
    try:
        _ = parts.port  # reading it raises ValueError for a port such as 99999
    except ValueError:
        raise ValueError("URL has an impossible port number") from None
    return url


# Each rule is written once and reused by the models below. strip_whitespace
# trims the spaces around a text first, so a title of "   " counts as empty.
WebLink = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=2000), AfterValidator(web_link)
]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Description = Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000)]


# --- Models ----------------------------------------------------------------

class NewBookmark(BaseModel):
    """The body a client sends. No id: the server chooses ids, never the client."""

    url: WebLink
    title: Title
    description: Description = ""


def refuse_null(value):
    if value is None:
        raise ValueError("send a value, or leave the field out to keep it")
    return value


NotNull = BeforeValidator(refuse_null)


class BookmarkChanges(BaseModel):
    """The body of a PATCH: only the fields to change. Each may be left out,
    but a field that is sent obeys the same rules as in NewBookmark."""

    # Left out means "keep it"; sent as null is refused (422), as in POST:
    # a bookmark never has "no title". The check runs on sent fields only.
    url: Annotated[WebLink | None, NotNull] = None
    title: Annotated[Title | None, NotNull] = None
    description: Annotated[Description | None, NotNull] = None


class Bookmark(BaseModel):
    """What the API answers. I write every field out instead of inheriting
    from NewBookmark, so each model can be read on its own. It is only built
    from data that was already checked, so plain `str` is enough here."""

    id: int
    url: str
    title: str
    description: str = ""


# --- Store -------------------------------------------------------------------

# A plain list in memory: it is empty again whenever the server restarts.
bookmarks: list[Bookmark] = []

# The last id handed out. It only ever goes up, so an id is never given twice.
last_id = 0


def store(data: NewBookmark) -> Bookmark:
    """Give the new bookmark the next id and keep it."""
    # All my routes are `async def`: uvicorn runs them one at a time on a single
    # thread, and nothing here awaits, so two requests can never mix in the
    # middle of this function. That is why there is no lock.
    global last_id
    last_id += 1
    bookmark = Bookmark(id=last_id, **data.model_dump())
    bookmarks.append(bookmark)
    return bookmark


def position_of(id: int) -> int:
    """Where the bookmark with this id sits in the list, or a 404 answer."""
    for position, bookmark in enumerate(bookmarks):
        if bookmark.id == id:
            return position
    # Raising HTTPException stops the route; FastAPI answers
    # 404 with {"detail": "Bookmark not found"}.
    raise HTTPException(status_code=404, detail="Bookmark not found")


# Two samples, so the list is not empty the first time I open it.
store(NewBookmark(
    url="https://docs.python.org/3/",
    title="Python documentation",
    description="The language reference and the tutorial.",
))
store(NewBookmark(
    url="https://www.pydantic.dev/",
    title="Pydantic",
    description="Where my models come from.",
))


# --- Routes ------------------------------------------------------------------

@app.get("/")
async def home():
    # The dict I return is sent to the client as a JSON object.
    return {"message": "Hello! My bookmark API is up and running."}


# "" (not "/") so that the address is exactly /bookmarks, with no slash at the end.
# response_model makes FastAPI check what I return and show its shape in /docs.
@router.get("", response_model=list[Bookmark])
async def all_bookmarks():
    return bookmarks


# {id} is a path parameter: FastAPI hands that part of the address to the
# argument of the same name. (`id` hides Python's built-in id() inside this
# function, which I do not use.) The hint `int` turns "2" into 2, and makes
# FastAPI answer 422 by itself for /bookmarks/abc.
@router.get("/{id}", response_model=Bookmark)
async def one_bookmark(id: int):
    return bookmarks[position_of(id)]


# FastAPI checks the JSON body against NewBookmark before calling me: a body
# that breaks a rule gets 422 and never arrives here.
# 201 Created instead of the default 200: something new exists now.
@router.post("", response_model=Bookmark, status_code=status.HTTP_201_CREATED)
async def add_bookmark(data: NewBookmark):
    return store(data)


# PUT sends the whole bookmark again: whatever the body leaves out gets its
# default (a missing description becomes "").
@router.put("/{id}", response_model=Bookmark)
async def replace_bookmark(id: int, data: NewBookmark):
    position = position_of(id)  # 404 first: the server picks ids, PUT never creates
    bookmarks[position] = Bookmark(id=id, **data.model_dump())
    return bookmarks[position]


# PATCH changes only the fields that were sent; the others stay as they are.
@router.patch("/{id}", response_model=Bookmark)
async def change_bookmark(id: int, changes: BookmarkChanges):
    position = position_of(id)
    updated = bookmarks[position].model_dump()
    # exclude_unset: only the fields that were really in the body.
    updated.update(changes.model_dump(exclude_unset=True))
    bookmarks[position] = Bookmark(**updated)
    return bookmarks[position]


# DELETE answers 200 with a short message a page can show.
# (204 No Content, with no body at all, would be correct too.)
@router.delete("/{id}")
async def remove_bookmark(id: int) -> dict[str, str]:
    # 404 for an unknown id, and for a second delete of the same one.
    del bookmarks[position_of(id)]
    # last_id is not touched: the deleted id is never handed out again.
    return {"message": f"Bookmark {id} deleted"}


# include_router copies the routes that exist *now*, so this line comes last.
app.include_router(router)
