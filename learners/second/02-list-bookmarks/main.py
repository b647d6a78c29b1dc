"""My Bookmark Manager API.

Start it from this folder with:  uvicorn main:app --reload
and try it at http://127.0.0.1:8000/docs
"""

from fastapi import APIRouter, FastAPI
from pydantic import BaseModel

# uvicorn looks for this name: `uvicorn main:app` = the object `app` in main.py.
app = FastAPI(title="My Bookmarks")

# Every /bookmarks route hangs on this router, so the prefix is written once.
# The router is plugged into the app at the very end of the file.
router = APIRouter(prefix="/bookmarks", tags=["bookmarks"])


# --- Models ----------------------------------------------------------------

class NewBookmark(BaseModel):
    """The body a client sends. No id: the server chooses ids, never the client."""

    url: str
    title: str
    description: str = ""


class Bookmark(BaseModel):
    """What the API answers. I write every field out instead of inheriting
    from NewBookmark, so each model can be read on its own."""

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


# include_router copies the routes that exist *now*, so this line comes last.
app.include_router(router)
