"""The settings: what changes from one computer to the next, read from the environment.

The code stays the same on your laptop and on a server; what differs (which
pages may call the API, the database's address and password) comes from outside: an
environment variable, or a line in the file .env beside main.py. pydantic-settings
reads both and checks them like any Pydantic model, so a typo stops the app at
start with a clear message instead of surfacing as a mystery later.
"""

import re
from pathlib import Path
from typing import Annotated

from fastapi import Depends, Request
from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

# .env beside main.py, wherever uvicorn is started from (a bare ".env" would be
# looked up in the terminal's current folder).
ENV_FILE = Path(__file__).resolve().parent.parent / ".env"

# An origin is scheme://host[:port]: what the browser sends in the Origin header.
# Nothing after it, not even a "/": "http://127.0.0.1:5500/" never matches.
ORIGIN = re.compile(r"https?://[^/\s]+")


class Settings(BaseSettings):
    """Each field is read from the environment variable of the same name (any case),
    else from .env, else it keeps the default written here. The environment wins over
    .env, so one command can override the file: ALLOWED_ORIGINS=... uvicorn main:app."""

    # extra="ignore": a line in .env that is no setting of ours (another tool's) is skipped.
    model_config = SettingsConfigDict(env_file=ENV_FILE, extra="ignore")

    # The pages on other origins allowed to call the API (CORS), comma-separated as
    # in step 09. The page the app serves itself shares its origin and needs none:
    # these defaults are Live Server's, for working on the page with it. A server
    # with no other page sets ALLOWED_ORIGINS= (empty): no page elsewhere may call.
    # NoDecode: pydantic-settings would read a list from the environment as JSON
    # (["http://..."]); this keeps the text as it is, for split_commas below.
    allowed_origins: Annotated[list[str], NoDecode] = [
        "http://127.0.0.1:5500",
        "http://localhost:5500",
    ]

    @field_validator("allowed_origins", mode="before")
    @classmethod
    def split_commas(cls, value):
        if isinstance(value, str):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value

    # A wrong origin would not fail anywhere: the browser would just block the page.
    # Refuse it at start, with the reason.
    @field_validator("allowed_origins")
    @classmethod
    def only_origins(cls, origins: list[str]) -> list[str]:
        for origin in origins:
            if not ORIGIN.fullmatch(origin):
                raise ValueError(
                    f"{origin!r} is not an origin: write scheme://host:port, "
                    "e.g. http://127.0.0.1:5500, with no path and no / at the end"
                )
        return origins

    # Where the bookmarks are kept. By default a SQLite file, bookmarks.db, in the
    # folder uvicorn is started from (the step's folder), made on the first start.
    # A PostgreSQL server instead:
    #   DATABASE_URL=postgresql+psycopg://bookmarks:PASSWORD@localhost:5432/bookmarks
    # The URL may hold a password: it belongs in .env or the environment, never in
    # the code (and .env never in git).
    database_url: str = "sqlite:///bookmarks.db"

    # Hosting services often give postgres://... or postgresql://...; SQLAlchemy would
    # then look for psycopg2, an older driver. Name psycopg (version 3), installed here.
    @field_validator("database_url")
    @classmethod
    def use_psycopg(cls, url: str) -> str:
        for prefix in ("postgres://", "postgresql://"):
            if url.startswith(prefix):
                return "postgresql+psycopg://" + url.removeprefix(prefix)
        return url

    # How long a login lasts, in days: then the cookie expires and the user logs in again.
    login_days: int = Field(default=7, ge=1, le=365)

    # True when the site is served over HTTPS (in production): the browser then sends
    # the login cookie only over HTTPS. False by default, for http://127.0.0.1:8000
    # on your own computer, where there is no HTTPS.
    secure_cookies: bool = False


def get_settings(request: Request) -> Settings:
    """A dependency: the settings main.py read at start."""
    return request.app.state.settings


# A route that names a parameter `settings: SettingsDep` gets them.
SettingsDep = Annotated[Settings, Depends(get_settings)]
