"""Step 14: the same app as a small package, its settings read with pydantic-settings.

How the code is split into files is the learner's own business: every earlier
suite checks that the app still behaves as before (the lesson is a refactor those
checks protect). This suite checks what the settings add, from the outside:

* ALLOWED_ORIGINS from the environment still reaches CORS (comma-separated, spaces
  allowed), on the bookmark routes wherever they now live;
* a .env file beside main.py is read, and the environment wins over it;
* an origin written wrong (a / at the end, no http://) does not pass silently: the
  app stops at start with an error that names ALLOWED_ORIGINS, or it is corrected.

The app runs on a throw-away copy of the folder; for the .env checks the test makes
that copy itself, with its own .env in it (the learner's own .env is left out).
"""

from collections.abc import Callable

import pytest

from workshop.apps import AppFailed, LearnerApp
from workshop_checks import expect_json, expect_status

SETTING = "ALLOWED_ORIGINS"
# Where the failure messages send the learner.
SEE_THE_PAGE = 'See "The settings" on the step\'s page'


def preflight(client, origin: str):
    """The browser's question before the page's JSON POST: may `origin` send it?"""
    headers = {"Origin": origin, "Access-Control-Request-Method": "POST"}
    headers["Access-Control-Request-Headers"] = "content-type"
    return client.options("/bookmarks", headers=headers)


def allowed_origin(response) -> str | None:
    return response.headers.get("access-control-allow-origin")


def expect_allowed(client, origin: str, how: str) -> None:
    """A page from `origin` may send the page's POST and read the list."""
    asked = preflight(client, origin)
    assert allowed_origin(asked) == origin and asked.status_code == 200, (
        f"{how}, the preflight of POST /bookmarks from {origin} answered {asked.status_code} with "
        f"Access-Control-Allow-Origin {allowed_origin(asked)!r}: the page from {origin} would be blocked. "
        f"Give CORSMiddleware the origins of your settings. {SEE_THE_PAGE}"
    )
    listed = client.get("/bookmarks", headers={"Origin": origin})
    expect_status(listed, 200)
    assert isinstance(expect_json(listed), list), f"GET /bookmarks should answer a JSON list, got {listed.text[:200]!r}"
    assert allowed_origin(listed) == origin, (
        f"{how}, GET /bookmarks from {origin} answered Access-Control-Allow-Origin {allowed_origin(listed)!r}"
    )


def expect_refused(client, origin: str, how: str) -> None:
    got = allowed_origin(preflight(client, origin))
    assert got is None, f"{how}, a page from {origin} is allowed (Access-Control-Allow-Origin {got!r})"


# --- The environment --------------------------------------------------------------


def test_the_origins_in_the_environment_reach_the_bookmark_routes(learner_app):
    # Two origins, with a space after the comma: people write lists that way.
    origins = ["http://127.0.0.1:7001", "http://localhost:7001"]
    client = learner_app.restart(env={SETTING: ", ".join(origins)}).client
    for origin in origins:
        expect_allowed(client, origin, f'with {SETTING}="{", ".join(origins)}" in the environment')


# --- .env ---------------------------------------------------------------------------


@pytest.fixture
def start_with_env_file(learner_app) -> Callable[..., LearnerApp]:
    """start(env_file, env={...}): the learner's app with `env_file` as the .env beside main.py."""

    def start(env_file: str, env: dict[str, str] | None = None) -> LearnerApp:
        try:
            return learner_app.restart(files={".env": env_file}, env=env or {}, unset=[SETTING] if env is None else [])
        except AppFailed as error:
            pytest.fail(f"with a .env file beside main.py, the app did not start: {error}", pytrace=False)

    return start


# A .env as a learner writes it from .env.example: comments, then the setting.
ENV_FILE = "# The pages that may call the API.\nALLOWED_ORIGINS=http://127.0.0.1:7002,http://localhost:7002\n"


def test_the_origins_in_a_env_file_are_read(start_with_env_file):
    client = start_with_env_file(ENV_FILE).client
    expect_allowed(
        client,
        "http://127.0.0.1:7002",
        "with ALLOWED_ORIGINS in the file .env beside main.py (and not in the environment)",
    )


def test_the_environment_wins_over_the_env_file(start_with_env_file):
    client = start_with_env_file(ENV_FILE, env={SETTING: "http://127.0.0.1:7003"}).client
    how = f"with {SETTING}=http://127.0.0.1:7002 in .env and {SETTING}=http://127.0.0.1:7003 in the environment"
    expect_allowed(client, "http://127.0.0.1:7003", how + " (the environment wins: pydantic-settings' rule)")
    expect_refused(client, "http://127.0.0.1:7002", how + " (the environment replaces the list of .env)")


# --- An origin written wrong ----------------------------------------------------------

# What people write instead of an origin, and the origin they meant. The browser's
# Origin header is exactly scheme://host:port: neither would ever match it.
WRONG_ORIGINS = [
    ("http://127.0.0.1:7004/", "http://127.0.0.1:7004"),  # a / at the end
    ("127.0.0.1:7004", "http://127.0.0.1:7004"),  # no http://
]


@pytest.mark.parametrize("written, meant", WRONG_ORIGINS)
def test_an_origin_written_wrong_stops_the_app_with_a_readable_error(learner_app, written, meant):
    try:
        client = learner_app.restart(env={SETTING: written}).client
    except AppFailed as error:
        said = f"{error}\n{learner_app.output()}"
        assert SETTING.lower() in said.lower(), (
            f"with {SETTING}={written!r} the app stopped at start (good), but its error does not name "
            f"{SETTING}: {str(error)[:400]!r}. Say which setting is wrong, as pydantic-settings does for its fields"
        )
        return
    answer = allowed_origin(preflight(client, meant))
    assert answer == meant, (
        f"with {SETTING}={written!r} the app started, and a page from {meant} is blocked "
        f"(Access-Control-Allow-Origin {answer!r}): the browser sends the origin as scheme://host:port, "
        f"so this one never matches, and nothing says why. Check each origin when the settings are read, "
        f"so that a wrong one stops the app at start with a message. {SEE_THE_PAGE}"
    )
