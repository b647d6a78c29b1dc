"""People: sign up, log in, log out, and who is asking.

A login is a random token in the cookie "sid" (HttpOnly, SameSite=Strict, for this
browser session only). The table login keeps the token's sha256, so a copy of the
database logs nobody in; logging out deletes the row, so an old copy of the cookie
is worth nothing either.
"""

import hashlib
import secrets
from typing import Annotated

from fastapi import APIRouter, Cookie, Depends, HTTPException, Response, status
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.db import Login, Person, get_db
from api.models import Credentials, PersonOut

COOKIE = "sid"
hasher = PasswordHash((Argon2Hasher(),))
# Checked when the name is unknown, so that the answer takes as long as a wrong password.
NOBODY = hasher.hash("this is nobody's password")

router = APIRouter(tags=["people"])
Db = Annotated[Session, Depends(get_db)]


def sha(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def who_is_asking(db: Db, sid: Annotated[str | None, Cookie()] = None) -> Person:
    """The person whose login the cookie holds, or a 401."""
    login = db.get(Login, sha(sid)) if sid else None
    if login is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Please log in first.")
    return db.get(Person, login.person_id)


# A route parameter `me: Me` is the person logged in.
Me = Annotated[Person, Depends(who_is_asking)]


@router.post("/users", response_model=PersonOut, status_code=status.HTTP_201_CREATED)
def sign_up(data: Credentials, db: Db):
    person = Person(name=data.username, password_hash=hasher.hash(data.password))
    db.add(person)
    try:
        db.commit()  # the unique name is the database's to check
    except IntegrityError:
        db.rollback()
        raise HTTPException(status.HTTP_409_CONFLICT, f"The name {data.username!r} is taken.") from None
    return person


@router.post("/login", response_model=PersonOut)
def log_in(data: Credentials, db: Db, response: Response):
    person = db.scalar(select(Person).where(Person.name == data.username))
    right = hasher.verify(data.password, person.password_hash if person else NOBODY)
    if person is None or not right:
        # One message for both: nobody learns which names exist.
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Name or password is wrong.")
    token = secrets.token_hex(32)
    db.add(Login(token_sha256=sha(token), person_id=person.id))
    db.commit()
    # No max_age: the browser forgets it when it closes.
    response.set_cookie(COOKIE, token, httponly=True, samesite="strict")
    return person


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
def log_out(db: Db, sid: Annotated[str | None, Cookie()] = None):
    if sid:
        login = db.get(Login, sha(sid))
        if login is not None:
            db.delete(login)
            db.commit()
    answer = Response(status_code=status.HTTP_204_NO_CONTENT)
    answer.delete_cookie(COOKIE, httponly=True, samesite="strict")
    return answer


@router.get("/users/me", response_model=PersonOut)
def me(person: Me):
    return person
