"""My Bookmark Manager API, put together from the parts in api/.

Start it from this folder with:  uvicorn main:app --reload
and try it at http://127.0.0.1:8000/docs
"""

from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware

from api import bookmarks, storage
from api.config import get_config
from api.crashes import CrashesBecomeJson, short_422
from api.db import Base, engine, make_session

config = get_config()  # a bad ALLOWED_ORIGINS stops the start right here


@asynccontextmanager
async def lifespan(app: FastAPI):
    # At start: the table (and the SQLite file) if missing, and the samples if empty.
    Base.metadata.create_all(engine)
    with make_session() as db:
        storage.add_samples_if_empty(db)
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
app.include_router(bookmarks.router)


@app.get("/")
async def home():
    return {"message": "Hello! My bookmark API is up and running."}
