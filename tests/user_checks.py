"""Users for the checks of step 17 on: each with an HTTP client of their own that
sends their login cookie. The cookie is read from the log-in's Set-Cookie and sent
back as a browser does (a Secure cookie too, over http://), never kept in the
client shared by the other checks.

A suite makes the fixture with ``make_accounts`` and uses the functions below.
"""

from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

import httpx2

from workshop.apps import new_client

THE_BOX = 'see the box "What the checks expect" on the step\'s page'
PASSWORDS = {"ana": "ana's long secret 1", "ben": "ben's long secret 2"}


# --- Cookies, as a browser reads them --------------------------------------------


@dataclass
class SetCookie:
    """One Set-Cookie header: the cookie's name and value, and its attributes (lower case)."""

    name: str
    value: str
    attributes: dict[str, str] = field(default_factory=dict)

    @classmethod
    def parse(cls, header: str) -> "SetCookie":
        first, *rest = header.split(";")
        name, _, value = first.partition("=")
        attributes = {}
        for part in rest:
            key, _, attribute = part.partition("=")
            attributes[key.strip().lower()] = attribute.strip()
        return cls(name.strip(), value.strip().strip('"'), attributes)

    def deletes(self) -> bool:
        """Does this header tell the browser to drop the cookie? (Max-Age=0 or less, an
        Expires in the past, or an empty value.)"""
        max_age = self.attributes.get("max-age", "")
        if max_age.lstrip("-").isdigit() and int(max_age) <= 0:
            return True
        expires = self.attributes.get("expires")
        if expires:
            try:
                return parsedate_to_datetime(expires) <= datetime.now(timezone.utc)
            except (TypeError, ValueError):
                return False
        return self.value == ""


def set_cookies(response) -> list[SetCookie]:
    return [SetCookie.parse(header) for header in response.headers.get_list("set-cookie")]


# --- Users with a client each ---------------------------------------------------


@dataclass
class Account:
    """A user of the app under test, with an HTTP client that sends their cookies."""

    name: str
    password: str
    client: httpx2.Client
    cookies: dict[str, str] = field(default_factory=dict)

    def use(self, cookies: dict[str, str]) -> None:
        """Send these cookies with every request from now on (as the browser would)."""
        self.cookies = dict(cookies)
        self.client.headers.pop("cookie", None)
        if cookies:
            self.client.headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in cookies.items())


def make_accounts(learner_app):
    """For a fixture: ``yield from make_accounts(learner_app)`` gives make(name), a user of
    the test's app (not signed up yet) with a client of their own; the clients are
    closed after the test."""
    made = []

    def make(name: str, password: str | None = None) -> Account:
        client = new_client(learner_app.url, learner_app.request_timeout)
        account = Account(name, password or PASSWORDS.get(name, f"{name}'s long secret"), client)
        made.append(account)
        return account

    yield make
    for account in made:
        account.client.close()


def sign_up(account: Account):
    return account.client.post("/users", json={"username": account.name, "password": account.password})


def log_in(account: Account, password: str | None = None):
    """POST /login; a success's cookies are sent by this account from now on."""
    sent = {"username": account.name, "password": account.password if password is None else password}
    response = account.client.post("/login", json=sent)
    if 200 <= response.status_code < 300:
        account.use({cookie.name: cookie.value for cookie in set_cookies(response) if not cookie.deletes()})
    return response


def signed_up_and_logged_in(account: Account) -> Account:
    response = sign_up(account)
    assert response.status_code == 201, (
        f"POST /users (sign-up of {account.name!r}) answered {response.status_code}, expected 201. "
        f"Body: {response.text[:300]!r}. {THE_BOX}"
    )
    response = log_in(account)
    assert response.status_code == 200, (
        f"POST /login as {account.name!r} right after signing up answered {response.status_code}, expected 200. "
        f"Body: {response.text[:300]!r}. {THE_BOX}"
    )
    assert account.cookies, (
        "POST /login answered 200 but set no cookie (no Set-Cookie header): the browser would not stay "
        "logged in. Call response.set_cookie(...) in the log-in route"
    )
    return account


