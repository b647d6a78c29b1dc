"""Users and their logins: who is asking?

Sign-up stores a user with the Argon2 hash of the password (pwdlib, as in FastAPI's
security tutorial), never the password. Log-in checks the password against the
hash and starts a login: a random secret that the browser keeps in an HttpOnly
cookie (user_routes.py sets it) and the table "logins" keeps as a SHA-256 hash.
Every bookmark route asks for `user: CurrentUser`: FastAPI reads the cookie,
looks the login up, and hands the route the user, or answers 401 (errors.py).

Plain Python, no HTTP, like store.py: a function here answers or raises, and
the routes decide what the client gets.
"""

import hashlib
import secrets
import time
from typing import Annotated

from fastapi import Depends
from fastapi.security import APIKeyCookie
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from bookmarks.database import LoginRow, SessionDep, UserRow
from bookmarks.schemas import User, UserIn

# The cookie's name: any name will do; the page never reads it (it cannot: HttpOnly).
COOKIE_NAME = "bookmarks_login"

# Argon2id, the winner of the Password Hashing Competition. Hashing is slow and
# memory-hungry on purpose: one guess is nothing for a user logging in, billions
# are out of reach for someone who stole the table. Each hash has its own random
# salt, so two users with the same password get different hashes.
# The cost, set here, is OWASP's minimum for Argon2id: 19 MiB of memory, 2 passes,
# 1 lane (about 30 ms of CPU). PasswordHash.recommended(), as in FastAPI's tutorial,
# uses 64 MiB, 3 passes and 4 lanes: safer still, six times the CPU. The
# parameters are written into each hash, so raising them later keeps old hashes valid.
password_hash = PasswordHash((Argon2Hasher(memory_cost=19 * 1024, time_cost=2, parallelism=1),))
# For a user name nobody has, log-in still checks the password, against this
# hash: the answer takes as long as for a real user with a wrong password, so
# its timing does not tell which names exist.
DUMMY_HASH = password_hash.hash("not anybody's password")


class NotLoggedIn(Exception):
    """No login cookie, or one that is unknown, ended or expired."""


class WrongCredentials(Exception):
    """The user name or the password is wrong (which one, nobody is told)."""


class UsernameTaken(Exception):
    """Another user has this name already."""


def to_user(row: UserRow) -> User:
    """What the API shows of a user: id and name; the hash stays here."""
    return User.model_validate(row, from_attributes=True)


def find_user_row(session: Session, username: str) -> UserRow | None:
    return session.exec(select(UserRow).where(UserRow.username == username)).first()


def sign_up(session: Session, data: UserIn) -> User:
    if find_user_row(session, data.username) is not None:
        raise UsernameTaken(data.username)
    row = UserRow(username=data.username, password_hash=password_hash.hash(data.password))
    session.add(row)
    try:
        session.commit()
    except IntegrityError:  # two sign-ups with one name at the same moment: the table's
        session.rollback()  # unique rule let only the first in
        raise UsernameTaken(data.username) from None
    session.refresh(row)
    return to_user(row)


def check_password(session: Session, data: UserIn) -> User:
    """The user whose name and password these are, or WrongCredentials."""
    row = find_user_row(session, data.username)
    if row is None:
        password_hash.verify(data.password, DUMMY_HASH)  # as slow as a real check
        raise WrongCredentials()
    if not password_hash.verify(data.password, row.password_hash):
        raise WrongCredentials()
    return to_user(row)


def digest(secret: str) -> str:
    """What the table keeps of a login's secret. SHA-256 is enough here (unlike for a
    password): the secret is 256 random bits, nobody can guess it from its hash."""
    return hashlib.sha256(secret.encode()).hexdigest()


def start_login(session: Session, user_id: int, days: int) -> str:
    """A new login for the user; answers its secret, for the cookie."""
    secret = secrets.token_urlsafe(32)  # 32 random bytes from the system: unguessable
    session.add(LoginRow(secret_hash=digest(secret), user_id=user_id, expires_at=int(time.time()) + days * 86400))
    session.commit()
    return secret


def end_login(session: Session, secret: str) -> None:
    """Log-out: the login is gone from the table, so a copy of the cookie is worthless."""
    row = session.get(LoginRow, digest(secret))
    if row is not None:
        session.delete(row)
        session.commit()


def logged_in_user(session: Session, secret: str | None) -> User:
    row = session.get(LoginRow, digest(secret)) if secret else None
    if row is None or row.expires_at < time.time():
        raise NotLoggedIn()
    user = session.get(UserRow, row.user_id)
    if user is None:
        raise NotLoggedIn()
    return to_user(user)


# The cookie, read by FastAPI. As a "security scheme" it also puts a lock on the
# routes in /docs. auto_error=False: without the cookie the route still runs its
# dependency, which raises NotLoggedIn: our 401 with our message.
login_cookie = APIKeyCookie(name=COOKIE_NAME, auto_error=False, description="Set by POST /login.")
LoginCookie = Annotated[str | None, Depends(login_cookie)]


def current_user(session: SessionDep, secret: LoginCookie) -> User:
    """A dependency: the user who sent the request, or NotLoggedIn (401)."""
    return logged_in_user(session, secret)


# A route that names a parameter `user: CurrentUser` runs only for a logged-in user.
CurrentUser = Annotated[User, Depends(current_user)]
