"""My Bookmark Manager API, put together from the parts in api/.

Start it from this folder with:  fastapi dev main.py
(on a server: fastapi run main.py), and open http://127.0.0.1:8000/ for the page,
http://127.0.0.1:8000/docs for the API. The page is static/index.html.
"""

from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles

from api import bookmarks, health, people
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
app.include_router(health.router)

# The page and its files: static/ holds nothing else. Mounted last, so that the
# routes above answer first; html=True serves static/index.html at /.
app.mount("/", StaticFiles(directory=Path(__file__).parent / "static", html=True), name="page")
