"""My Bookmark Manager, put together from the parts in api/: the API and its page.

Start it from this folder with:  uvicorn main:app --reload
and open http://127.0.0.1:8000/ (the page) or http://127.0.0.1:8000/docs
"""

from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import HTMLResponse

from api import bookmarks, people
from api.config import get_config
from api.crashes import CrashesBecomeJson, short_422
from api.db import Base, engine

config = get_config()  # a bad ALLOWED_ORIGINS stops the start right here


@asynccontextmanager
async def lifespan(app: FastAPI):
    # At start: the tables (and the SQLite file) if missing. No samples: whose would they be?
    Base.metadata.create_all(engine)
    yield


app = FastAPI(title="My Bookmarks", lifespan=lifespan)
app.add_exception_handler(RequestValidationError, short_422)
# Before CORSMiddleware, so that CORS wraps it and a 500 has the CORS header too.
app.add_middleware(CrashesBecomeJson)
app.add_middleware(
    CORSMiddleware,
    allow_origins=config.cors_origins,
    allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
    allow_headers=["Content-Type"],
)
app.include_router(people.router)
app.include_router(bookmarks.router)

PAGE = Path(__file__).parent / "index.html"


# The page comes from the API's own origin: its fetch calls carry the login cookie.
@app.get("/", response_class=HTMLResponse)
def home():
    return PAGE.read_text(encoding="utf-8")
