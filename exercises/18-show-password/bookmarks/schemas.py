"""The data: what a client sends, and what the API sends back.

FastAPI checks every request against these models (422 when a rule is broken)
and shows them in /docs. They know nothing of HTTP or of where bookmarks are kept.
"""

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, HttpUrl, StringConstraints, field_validator

# The rules for a title and a description, written once for every model below.
# NO_NUL: any text without the NUL character (\x00). PostgreSQL's text cannot hold
# it (a 500 there), SQLite's can: the API keeps one rule for both databases, a 422.
NO_NUL = r"^[^\x00]*$"
Title = Annotated[str, Field(min_length=1, max_length=200, pattern=NO_NUL)]
Description = Annotated[str, Field(max_length=1000, pattern=NO_NUL)]


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


# --- Users -----------------------------------------------------------------------

# A user name is trimmed like a title, and has no NUL either; a password never is
# trimmed: a space in it counts. (A password may hold a NUL: only its hash is stored.)
Username = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50, pattern=NO_NUL)]
# At least 8 characters (NIST's minimum); at most 200, so a megabyte of "password"
# cannot keep the server busy.
Password = Annotated[str, Field(min_length=8, max_length=200)]


class UserIn(BaseModel):
    """What a client sends to sign up, and to log in."""

    username: Username
    password: Password


class User(BaseModel):
    """What the API says about a user: never the password, nor its hash."""

    id: int
    username: str


class ErrorMessage(BaseModel):
    """An error in words, as errors.py sends it: {"detail": "..."}. For /docs."""

    detail: str
