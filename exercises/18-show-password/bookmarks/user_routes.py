"""The user routes: sign up, log in, log out, and who am I.

The login lives in a cookie the browser keeps and sends back by itself with
every request to this site. Its attributes are the point of this step:
HttpOnly (the page's JavaScript cannot read it, so a script slipped into the
page cannot steal it), SameSite=Lax (another site's page cannot make the
browser send it with a POST, PUT, PATCH or DELETE), Path=/ (every route gets
it), Max-Age (it ends with the login), and Secure when the site is served over
HTTPS (settings.secure_cookies): then it never travels unencrypted.
"""

from fastapi import APIRouter, Response

from bookmarks import auth
from bookmarks.auth import COOKIE_NAME, CurrentUser, LoginCookie
from bookmarks.database import SessionDep
from bookmarks.schemas import ErrorMessage, User, UserIn
from bookmarks.settings import SettingsDep

router = APIRouter(tags=["users"])


@router.post("/users", status_code=201, responses={409: {"model": ErrorMessage, "description": "Name taken"}})
def sign_up(data: UserIn, session: SessionDep) -> User:
    return auth.sign_up(session, data)


@router.post("/login", responses={401: {"model": ErrorMessage, "description": "Wrong name or password"}})
def log_in(data: UserIn, session: SessionDep, settings: SettingsDep, response: Response) -> User:
    user = auth.check_password(session, data)
    secret = auth.start_login(session, user.id, settings.login_days)
    # `response` is the answer FastAPI will send: the cookie goes into its headers.
    response.set_cookie(
        COOKIE_NAME,
        secret,
        max_age=settings.login_days * 86400,  # seconds
        path="/",
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
    )
    return user


@router.post("/logout")
def log_out(secret: LoginCookie, session: SessionDep, settings: SettingsDep, response: Response) -> dict[str, str]:
    # The login ends on the server, not only in this browser: deleting the
    # cookie alone would leave a copy of it working until it expires.
    if secret:
        auth.end_login(session, secret)
    # An expired cookie of the same name, path and attributes: the browser drops it.
    response.delete_cookie(COOKIE_NAME, path="/", httponly=True, samesite="lax", secure=settings.secure_cookies)
    return {"message": "Logged out."}


@router.get("/users/me", responses={401: {"model": ErrorMessage, "description": "Not logged in"}})
def who_am_i(user: CurrentUser) -> User:
    return user
