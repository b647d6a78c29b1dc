"""Configuration: everything that is different on another computer.

Values come from environment variables first, then from the file .env in the
folder uvicorn is started from, then from the defaults below.
"""

from functools import lru_cache
from urllib.parse import urlsplit

from pydantic import computed_field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Config(BaseSettings):
    # I start uvicorn from the step's folder, where .env lives. Lines in .env
    # that are not mine are skipped instead of refused.
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    # Kept as the text from the variable, comma-separated (as in step 09); the
    # list is cors_origins below. A plain str is never parsed as JSON.
    allowed_origins: str = "http://127.0.0.1:5500,http://localhost:5500"

    @field_validator("allowed_origins")
    @classmethod
    def every_item_is_an_origin(cls, text: str) -> str:
        cleaned = []
        for item in text.split(","):
            item = item.strip().rstrip("/")  # "http://host:5500/" means http://host:5500
            if not item:
                continue
            parts = urlsplit(item)
            if parts.scheme not in ("http", "https") or not parts.netloc or parts.path:
                raise ValueError(f"ALLOWED_ORIGINS: {item!r} should look like http://127.0.0.1:5500")
            cleaned.append(item)
        return ",".join(cleaned)

    # Where the bookmarks are stored. No DATABASE_URL: the file bookmarks.db in the
    # folder uvicorn is started from. A PostgreSQL URL (with its password) goes in
    # .env, never in the code.
    database_url: str = "sqlite:///bookmarks.db"

    @computed_field
    @property
    def cors_origins(self) -> list[str]:
        return [item for item in self.allowed_origins.split(",") if item]


@lru_cache
def get_config() -> Config:
    """Read the configuration the first time it is asked for, then keep it."""
    return Config()
