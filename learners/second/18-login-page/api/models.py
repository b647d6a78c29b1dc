"""What the API accepts and what it answers."""

from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints


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


def no_nul(text: str) -> str:
    """Refuse the NUL character: PostgreSQL cannot store it in a text column (SQLite
    can), and the API should answer the same whichever database it runs on."""
    if "\x00" in text:
        raise ValueError("must not contain the NUL character (\\u0000)")
    return text


NoNul = AfterValidator(no_nul)
WebLink = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=2000), AfterValidator(web_link), NoNul
]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), NoNul]
Description = Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000), NoNul]


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
    """The body of a PATCH: only the fields to change, each with NewBookmark's rules."""

    url: Annotated[WebLink | None, NotNull] = None
    title: Annotated[Title | None, NotNull] = None
    description: Annotated[Description | None, NotNull] = None


class Bookmark(BaseModel):
    """What the API answers, built only from data that was checked already.
    from_attributes: a route may return a database row, read field by field."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    url: str
    title: str
    description: str = ""


class Credentials(BaseModel):
    """Sign-up and log-in send the same two fields."""

    username: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50), NoNul]
    password: Annotated[str, Field(min_length=8, max_length=200)]


class PersonOut(BaseModel):
    """A person as the API shows them: no password, no hash."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    username: str = Field(validation_alias="name")
