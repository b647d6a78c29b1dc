"""The settings: what changes from one computer to the next, read from the environment.

The code stays the same on your laptop and on a server; what differs (which
pages may call the API, later a database's address) comes from outside: an
environment variable, or a line in the file .env beside main.py. pydantic-settings
reads both and checks them like any Pydantic model, so a typo stops the app at
start with a clear message instead of surfacing as a mystery later.
"""

import re
from pathlib import Path
from typing import Annotated

from pydantic import field_validator
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

    # The pages allowed to call the API (CORS), comma-separated as in step 09:
    # ALLOWED_ORIGINS="http://127.0.0.1:5500,http://localhost:5500".
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
