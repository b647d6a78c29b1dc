"""The reference steps hold under fuzzing.

Property-based tests of the workshop's own steps, every one of them, not of a
learner's app: this file always tests steps/, whatever --app or --steps-dir say.
Each test runs its step the way the suites do: out of process, in the harness's
app host (sandboxed), on a throw-away copy of the folder with a database of its
own, reached over HTTP. Nothing the app writes lands in the repository, and a
step with a database is fuzzed like any other.

1. Generated from each step's OpenAPI schema by Schemathesis: valid requests and
   invalid ones (wrong types, missing fields, strings too long...). Every answer
   must not be a 5xx, must have a status the schema declares (or one of
   FastAPI's own answers it does not write into the schema: the 404 of an
   HTTPException, a 405, a 400 for a body that is not text), must match the
   schema declared for that status, and an invalid request must be refused
   with a 4xx. A step with users (its schema has POST /login) is fuzzed logged
   in: the fixture signs a user up and logs in through the API first. Sign-up
   and log-in are fuzzed too (odd names, odd passwords: a 4xx, never a 5xx),
   and no answer ever holds the password that was sent.

2. Targeted cases a schema-based generator does not make, from the first step
   that takes a body (04): a URL that grows when HttpUrl normalises it (IDN hosts
   become punycode, an é becomes %C3%A9), and, from step 12 (error handling) on,
   NaN and Infinity (JSON has neither, Python's parser takes them), a lone
   surrogate "\\ud800" (valid JSON text, not valid Unicode), and a 1 MB title; on
   a step with users the same in a user name and a password. Before step 12 the
   steps use FastAPI's own 422, which sends back each wrong value: it cannot write
   NaN or a lone surrogate in JSON (a 500), and it sends a 1 MB title back whole.
   Step 12 teaches the 422 that does not. From step 15 (the database) on, the NUL
   character "\\u0000" in every text field: refused in a title, a description and
   a user name (PostgreSQL's text cannot hold it), never a 5xx in a URL (HttpUrl
   writes it %00) or a password (only its hash is stored).

With WORKSHOP_DATABASE=postgresql (tests/database_servers.py), only the steps with
a database run, each test's app on a PostgreSQL database and a role of its own, as
suite 15 does: `WORKSHOP_DATABASE=postgresql pytest -m tooling tests/test_fuzz_reference_steps.py`.

Deterministic (derandomize=True, no example database) and bounded:
EXAMPLES_PER_OPERATION sets the cost of part 1 (15: about 30 s of CPU for the
whole file, pytest and the apps together; steps 17 and 18, with their Argon2 hashes,
cost the most: 18 has 17's API, fuzzed again as the app it is). Two apps per step,
one per test. No app is started or imported while pytest collects: the everyday run,
which deselects this file, does not pay for it.
"""

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import httpx2
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    negative_data_rejection,
    not_a_server_error,
    response_schema_conformance,
)

import database_fixtures
from database_fixtures import database_env
from database_servers import Database, chosen_database
from user_checks import Account, log_in, signed_up_and_logged_in
from workshop.apps import AppFailed, LearnerApp

REPO = Path(__file__).resolve().parent.parent
FIRST_STEP_WITH_A_BODY = 4
ERROR_HANDLING_STEP = 12  # the step whose 422 no longer sends the input back
DATABASE_STEP = 15  # the first step that keeps its bookmarks in a database
# The run's one PostgreSQL server and a database per test, as the suites of the database steps have them.
postgres, database = database_fixtures.postgres, database_fixtures.database
DATABASE = chosen_database()  # "sqlite" (every step) or "postgresql" (the database steps only)
STEPS = sorted(
    folder
    for folder in (REPO / "steps").iterdir()
    if folder.is_dir() and folder.name[:2].isdigit() and (DATABASE == "sqlite" or int(folder.name[:2]) >= DATABASE_STEP)
)
MAX_URL_LENGTH = 2083  # the maxLength of "url" in every step's schema (HttpUrl's limit)
EXAMPLES_PER_OPERATION = 15
# The fixture's own user, on a step with users.
FUZZER = ("fuzzer", "the fuzzer's long secret")

# Slow checks of the workshop's tooling: CI runs them with `pytest -m tooling`.
pytestmark = pytest.mark.tooling


def step_number(folder: Path) -> int:
    return int(folder.name[:2])


def names(folders: list[Path]) -> list[str]:
    return [folder.name for folder in folders]


@dataclass
class RunningStep:
    """A reference step's app, started for one test by the harness, and an HTTP client
    for it that is logged in where the step has users."""

    number: int
    app: LearnerApp
    client: httpx2.Client
    paths: dict  # the "paths" of its OpenAPI schema
    account: Account | None = None  # the fixture's user, on a step with users
    cookies: dict[str, str] = field(default_factory=dict)  # that user's login cookie

    def add_bookmark(self) -> int:
        response = self.client.post("/bookmarks", json={"url": "https://example.com/", "title": "Fuzzed"})
        assert response.status_code == 201, response.text
        return response.json()["id"]

    def new_login(self) -> dict[str, str]:
        """A login of its own (for POST /logout, which ends the login it is sent), made
        with a client of its own: this one keeps sending the fixture's login."""
        assert self.account is not None
        with httpx2.Client(base_url=self.app.url, timeout=self.client.timeout) as client:
            login = Account(self.account.name, self.account.password, client)
            response = log_in(login)
        assert response.status_code == 200, response.text
        return login.cookies


@pytest.fixture
def running_step(request: pytest.FixtureRequest, app_host, database: Database | None) -> Iterator[RunningStep]:
    """The step folder request.param, running in the app host on a fresh copy (and so a
    fresh database): as the suites run a learner's step, one app per test."""
    folder: Path = request.param
    timeout = request.config.getoption("--request-timeout")
    app = LearnerApp(app_host, folder, request_timeout=timeout)
    try:
        app.start(**({"env": database_env(database)} if database else {}))
    except AppFailed as error:
        pytest.fail(f"step {folder.name}: {error}", pytrace=False)
    client = httpx2.Client(base_url=app.url, timeout=timeout)
    step = RunningStep(step_number(folder), app, client, client.get("/openapi.json").json()["paths"])
    if "/login" in step.paths:
        step.account = signed_up_and_logged_in(Account(*FUZZER, client))
        step.cookies = step.account.cookies
    yield step
    client.close()
    exceptions = app.report()
    app.stop()
    for record in exceptions:  # shown with a failure: what the app raised, with its own lines
        print(f"{folder.name} raised {record['type']}: {record['message']}\n{record.get('traceback', '')}")


# --- 1. Generated from the schema ---------------------------------------------

# Answers FastAPI gives on its own, which it does not write into the schema:
# (status, when, the detail it sends).
FASTAPI_OWN_ANSWERS = [
    (404, "an id that is not a bookmark's", "Bookmark not found"),
    (405, "a method the path does not have (TRACE /bookmarks)", "Method Not Allowed"),
    (400, "a body that is not text at all (invalid UTF-8)", "There was an error parsing the body"),
]


def documented_status(ctx, response, case):
    """The status is one the operation declares, or one of FastAPI's own answers above."""
    declared = {int(code) for code in case.operation.responses.status_codes if code.isdigit()}
    if response.status_code in declared:
        return None
    for status, when, detail in FASTAPI_OWN_ANSWERS:
        if response.status_code == status:
            assert response.json() == {"detail": detail}, (
                f"{case.operation.label} answered {status} ({when}) with {response.text[:300]!r}, "
                f"expected {{'detail': {detail!r}}}"
            )
            return None
    raise AssertionError(
        f"{case.operation.label} answered {response.status_code}, which its schema does not declare "
        f"(declared: {sorted(declared)}). Body: {response.text[:300]!r}"
    )


def texts_in(value) -> Iterator[str]:
    """Every key and every string in a JSON value."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from texts_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from texts_in(item)


def password_never_echoed(ctx, response, case):
    """An answer to a body with a password (sign-up, log-in) never holds that password,
    whatever the status: not in a user, not in an error. (A password shorter than 8
    characters is refused, and could be part of any text: "id" is.)"""
    body = case.body if isinstance(case.body, dict) else {}
    password = body.get("password")
    if not isinstance(password, str) or len(password) < 8:
        return None
    username = body.get("username")
    try:
        answer = json.loads(response.text)
    except ValueError:
        answer = response.text
    for text in texts_in(answer):
        # The user's own name is sent back: it may contain the password, if they chose so.
        if password in text and not (isinstance(username, str) and password in username):
            raise AssertionError(
                f"{case.operation.label} answered {response.status_code} with the password that was sent "
                f"({password!r}) in its body: {response.text[:300]!r}"
            )
    return None


CHECKS = [
    not_a_server_error,
    documented_status,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
    password_never_echoed,
]


@pytest.fixture
def node_id_for_schemathesis(request: pytest.FixtureRequest) -> None:
    """Schemathesis 4.32 (from_fixture) reads and writes the test's `_nodeid`, which
    pytest 9.2 no longer has (its node ids are NodeId objects now): give it one to
    read. Pytest never reads it; each operation is still reported as a subtest."""
    request.node._nodeid = request.node.nodeid


@pytest.fixture
def step_schema(running_step: RunningStep):
    """The step's OpenAPI schema, read from its running app, which Schemathesis calls."""
    schema = schemathesis.openapi.from_url(f"{running_step.app.url}/openapi.json")
    schema.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
    schema.config.checks.negative_data_rejection.expected_statuses = ["4XX"]
    return schema


# One test per step, run by Schemathesis once per operation of the step's schema
# (reported as test_...[17-users][POST /bookmarks]): first its "coverage" cases
# (each boundary: a string of exactly maxLength, one more, a missing field, a
# wrong type, another method...), then EXAMPLES_PER_OPERATION generated ones,
# valid and invalid.
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    derandomize=True,
    database=None,
    deadline=None,  # a slow machine must not fail a test
    suppress_health_check=[HealthCheck.too_slow],
)
@schemathesis.pytest.from_fixture("step_schema").parametrize()
@pytest.mark.parametrize("running_step", STEPS, ids=names(STEPS), indirect=True)
@pytest.mark.usefixtures("node_id_for_schemathesis")
def test_the_step_answers_what_its_schema_says(case, running_step):
    # A random id is almost never a bookmark's: then GET, PUT, PATCH and DELETE
    # only ever meet the 404. For half the valid requests (odd ids), use a
    # bookmark that exists, so the 200 answers are checked against the schema too
    # (from step 04 on: before it, the API cannot add one).
    ids = case.path_parameters or {}
    positive = case.meta is not None and case.meta.generation.mode.is_positive
    can_add = "post" in running_step.paths.get("/bookmarks", {})
    if positive and can_add and isinstance(ids.get("bookmark_id"), int) and ids["bookmark_id"] % 2:
        ids["bookmark_id"] = running_step.add_bookmark()
    # Logged in, on a step with users: else every bookmark route only ever answers 401.
    # The schema names the login cookie; a case that sends one sends a real login (an
    # invalid case that leaves it out must get its 401). POST /logout ends the login
    # it is sent: it gets one of its own.
    logging_out = case.operation.path == "/logout"
    for name in set(running_step.cookies) & set(case.cookies or {}):
        case.cookies[name] = (running_step.new_login() if logging_out else running_step.cookies)[name]
    # POST /logout reads the login cookie and does without it too: logging out when not
    # logged in is no error (200). FastAPI still writes the cookie into its schema as
    # required (as for every route that reads it), so no request to it is invalid.
    checks = [check for check in CHECKS if not (logging_out and check is negative_data_rejection)]
    case.call_and_validate(checks=checks)


# --- 2. Targeted cases -----------------------------------------------------------

BODY_STEPS = [folder for folder in STEPS if step_number(folder) >= FIRST_STEP_WITH_A_BODY]


def body_operations(step: RunningStep):
    """(method, path) of every operation of the step that takes a bookmark as its body:
    POST /bookmarks, and from step 05 on PUT and PATCH of a bookmark that exists."""
    operations = [("POST", "/bookmarks")]
    for method in ("put", "patch"):
        if method in step.paths.get("/bookmarks/{bookmark_id}", {}):
            operations.append((method.upper(), f"/bookmarks/{step.add_bookmark()}"))
    return operations


def user_operations(step: RunningStep):
    """(method, path) of every operation that takes a user name and a password as its
    body, on a step with users: POST /users (sign-up) and POST /login."""
    return [("POST", path) for path in ("/users", "/login") if "post" in step.paths.get(path, {})]


# A valid body of each kind, as JSON text, and where it is sent.
VALID_FIELDS = {
    body_operations: {"url": '"https://example.com/"', "title": '"A title"', "description": '"A description"'},
    user_operations: {"username": '"someone"', "password": '"a long enough secret"'},
}


def operations_taking(step: RunningStep, field: str):
    """(method, path) of every operation of the step whose body has this field."""
    return [operation for find, fields in VALID_FIELDS.items() if field in fields for operation in find(step)]


def send(client: httpx2.Client, method: str, path: str, raw_json: str):
    """Send JSON text as it is: NaN, Infinity and lone surrogates cannot be made
    with json.dumps without changing them."""
    return client.request(method, path, content=raw_json.encode(), headers={"Content-Type": "application/json"})


def body_with(field: str, raw_value: str) -> str:
    """A valid body as JSON text (a bookmark, or a user), with `field` set to the raw JSON text `raw_value`."""
    fields = next(dict(fields) for fields in VALID_FIELDS.values() if field in fields)
    fields[field] = raw_value
    return "{" + ", ".join(f'"{name}": {value}' for name, value in fields.items()) + "}"


def expect_a_readable_refusal(response, what: str) -> None:
    """A 4xx, in JSON, whose detail is a sentence or FastAPI's list of problems, each with a msg."""
    assert 400 <= response.status_code < 500, (
        f"{what}: expected a 4xx, got {response.status_code}: {response.text[:300]!r}"
    )
    detail = response.json().get("detail")
    readable = (isinstance(detail, str) and detail) or (
        isinstance(detail, list)
        and detail
        and all(
            isinstance(problem, dict) and isinstance(problem.get("msg"), str) and problem["msg"] for problem in detail
        )
    )
    assert readable, f"{what}: the {response.status_code} has no readable message: {response.text[:300]!r}"


def expect_url_refused(response, url: str) -> None:
    assert response.status_code == 422, (
        f"a URL of {len(url)} characters that grows past {MAX_URL_LENGTH} once normalised: "
        f"expected 422, got {response.status_code}: {response.text[:300]!r}"
    )
    named = [problem["loc"][-1] for problem in response.json()["detail"]]
    assert named == ["url"], f"the 422 should name the url, and only it; it names {named}"


# URLs HttpUrl makes longer: each fits the limit as sent, none once normalised.
GROWING_URLS = {
    # Every é becomes %C3%A9: 6 characters instead of 1.
    "percent-encoding": "https://example.com/" + "é" * 400,
    # bücher.example becomes xn--bcher-kva.example: 7 characters more. (HttpUrl
    # counts the bytes sent, and ü is two: this one is 2083 bytes long.)
    "IDN host": "https://bücher.example/" + "a" * (MAX_URL_LENGTH - len("https://bücher.example/") - 1),
    # Scheme and host in lower case, and a "/" added before the "?".
    "added slash": "HTTPS://EXAMPLE.COM?" + "a" * (MAX_URL_LENGTH - len("HTTPS://EXAMPLE.COM?")),
}
# Exactly at the limit once normalised: accepted, and sent back as normalised.
URLS_AT_THE_LIMIT = {
    "plain": "https://example.com/" + "a" * (MAX_URL_LENGTH - len("https://example.com/")),
    "IDN host": "https://bücher.example/" + "a" * (MAX_URL_LENGTH - len("https://xn--bcher-kva.example/")),
}


def a_url_longer_is_refused(step: RunningStep, url: str) -> None:
    assert len(url.encode()) <= MAX_URL_LENGTH
    for method, path in body_operations(step):
        expect_url_refused(step.client.request(method, path, json={"url": url, "title": "Long"}), url)


def a_url_at_the_limit_is_accepted(step: RunningStep, url: str) -> None:
    for method, path in body_operations(step):
        response = step.client.request(method, path, json={"url": url, "title": "At the limit"})
        assert response.status_code in (200, 201), (
            f"{method} {path} with a URL of {MAX_URL_LENGTH} characters once normalised: "
            f"expected it accepted, got {response.status_code}: {response.text[:300]!r}"
        )
        assert len(response.json()["url"]) == MAX_URL_LENGTH


def a_1_mb_value_is_refused(step: RunningStep, field: str) -> None:
    value = "x" * 1_000_000
    for method, path in operations_taking(step, field):
        response = send(step.client, method, path, body_with(field, json.dumps(value)))
        expect_a_readable_refusal(response, f"{method} {path} with a 1 MB {field}")
        if step.number >= ERROR_HANDLING_STEP:
            assert len(response.content) < 10_000, (
                f"{method} {path} with a 1 MB {field}: the {response.status_code} is "
                f"{len(response.content)} bytes long; an error should not send the input back"
            )


def a_non_finite_number_is_refused(step: RunningStep, field: str, number_text: str) -> None:
    for method, path in operations_taking(step, field):
        response = send(step.client, method, path, body_with(field, number_text))
        expect_a_readable_refusal(response, f"{method} {path} with {field}: {number_text}")


# "\ud800" in JSON text: six characters the parser turns into half a UTF-16 pair.
LONE_SURROGATES = {
    "url": '"https://example.com/\\ud800"',
    "title": '"Broken \\ud800 title"',
    "description": '"\\ud800"',
    "username": '"ana\\ud800"',
    "password": '"a long \\ud800 secret"',
}


def a_lone_surrogate_is_refused(step: RunningStep, field: str) -> None:
    for method, path in operations_taking(step, field):
        response = send(step.client, method, path, body_with(field, LONE_SURROGATES[field]))
        expect_a_readable_refusal(response, f"{method} {path} with a lone surrogate in {field}")


# "\u0000" in JSON text: the NUL character, which PostgreSQL's text columns cannot hold.
NULS = {
    "url": '"https://example.com/\\u0000"',
    "title": '"Nul \\u0000 title"',
    "description": '"\\u0000"',
    "username": '"ana\\u0000"',
    "password": '"a long \\u0000 secret"',
}
# Where a NUL reaches a text column, and so is refused on every database.
NUL_REFUSED = {"title", "description", "username"}


def a_nul_is_refused(step: RunningStep, field: str) -> None:
    for method, path in operations_taking(step, field):
        response = send(step.client, method, path, body_with(field, NULS[field]))
        expect_a_readable_refusal(response, f"{method} {path} with a NUL character in {field}")


def a_nul_is_no_server_error(step: RunningStep, field: str) -> None:
    for method, path in operations_taking(step, field):
        response = send(step.client, method, path, body_with(field, NULS[field]))
        assert response.status_code < 500, (
            f"{method} {path} with a NUL character in {field}: expected it taken or refused, "
            f"got {response.status_code}: {response.text[:300]!r}"
        )


def targeted_cases(number: int, users: bool) -> Iterator[tuple[str, Callable[[RunningStep], None]]]:
    """(what is sent, its check) of every targeted case for step `number` (with users or not)."""
    for name, url in GROWING_URLS.items():
        yield f"a URL longer than the limit once normalised ({name})", partial(a_url_longer_is_refused, url=url)
    for name, url in URLS_AT_THE_LIMIT.items():
        yield f"a URL at the limit once normalised ({name})", partial(a_url_at_the_limit_is_accepted, url=url)
    yield "a 1 MB title", partial(a_1_mb_value_is_refused, field="title")
    if number < ERROR_HANDLING_STEP:
        return
    user_fields = ["username", "password"] if users else []
    for name in user_fields:
        yield f"a 1 MB {name}", partial(a_1_mb_value_is_refused, field=name)
    for name in ["url", "title", "description", *user_fields]:
        for number_text in ("NaN", "Infinity", "-Infinity"):
            yield f"{name}: {number_text}", partial(a_non_finite_number_is_refused, field=name, number_text=number_text)
        yield f"a lone surrogate in {name}", partial(a_lone_surrogate_is_refused, field=name)
    if number < DATABASE_STEP:
        return
    for name in ["url", "title", "description", *user_fields]:
        check = a_nul_is_refused if name in NUL_REFUSED else a_nul_is_no_server_error
        yield f"a NUL character in {name}", partial(check, field=name)


# One app per step for every targeted case (each one a subtest: a failure names its case).
@pytest.mark.parametrize("running_step", BODY_STEPS, ids=names(BODY_STEPS), indirect=True)
def test_inputs_a_schema_does_not_describe_are_refused(running_step, subtests):
    for what, check in targeted_cases(running_step.number, users=bool(user_operations(running_step))):
        with subtests.test(msg=what):
            check(running_step)
