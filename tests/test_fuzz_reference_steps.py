"""The reference steps hold under fuzzing.

Property-based tests of the workshop's own steps (steps/04-* on, the steps that
take a request body), not of a learner's app: this file always tests steps/,
whatever --app or --steps-dir say. Each step's app is imported in this process
and called through an ASGI transport, no server.

1. Generated from each step's OpenAPI schema by Schemathesis: valid requests and
   invalid ones (wrong types, missing fields, strings too long...). Every answer
   must not be a 5xx, must have a status the schema declares (or one of
   FastAPI's own answers it does not write into the schema: the 404 of an
   HTTPException, a 405, a 400 for a body that is not text), must match the
   schema declared for that status, and an invalid request must be refused
   with a 4xx.

2. Targeted cases a schema-based generator does not make: a URL that grows when
   HttpUrl normalises it (IDN hosts become punycode, an é becomes %C3%A9), and,
   from step 12 (error handling) on, NaN and Infinity (JSON has neither, Python's
   parser takes them), a lone surrogate "\\ud800" (valid JSON text, not valid
   Unicode), and a 1 MB title. Before step 12 the steps use FastAPI's own 422,
   which sends back each wrong value: it cannot write NaN or a lone surrogate
   in JSON (a 500), and it sends a 1 MB title back whole. Step 12 teaches the
   422 that does not.

Deterministic (derandomize=True, no example database) and bounded: the whole
file takes about 7.5 s of CPU (2 s of it to start pytest and load the schemas),
so it runs with the everyday `pytest`. EXAMPLES_PER_OPERATION sets the cost of
part 1: 10 gives 7 s, 25 gives 10 s.
"""

import importlib.util
import sys
from itertools import count
from pathlib import Path

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    negative_data_rejection,
    not_a_server_error,
    response_schema_conformance,
)

REPO = Path(__file__).resolve().parent.parent
FIRST_STEP_WITH_A_BODY = 4
ERROR_HANDLING_STEP = 12  # the step whose 422 no longer sends the input back
# From step 15 on a step keeps its bookmarks in a database: imported here again and again,
# its table class would be declared twice in SQLModel's one registry (a warning, so an
# error), and its SQLite file would land in the repository. Step 15's own suite sends
# it the same kinds of bodies, out of process (and the earlier suites all run on it).
FIRST_STEP_WITH_A_DATABASE = 15
STEPS = sorted(
    folder
    for folder in (REPO / "steps").iterdir()
    if folder.is_dir()
    and folder.name[:2].isdigit()
    and FIRST_STEP_WITH_A_BODY <= int(folder.name[:2]) < FIRST_STEP_WITH_A_DATABASE
)
MAX_URL_LENGTH = 2083  # the maxLength of "url" in every step's schema (HttpUrl's limit)
EXAMPLES_PER_OPERATION = 15

_module_names = count()

# Slow checks of the workshop's tooling: CI runs them with `pytest -m tooling`.
pytestmark = pytest.mark.tooling


def load_reference_app(folder: Path):
    """Import folder/main.py as a new module (a unique name, so the steps do not
    share one), with the folder on sys.path while it is imported. The modules it
    imports from its folder (step 14's package bookmarks/) are forgotten after:
    the next step's package of the same name is its own, not this one again."""
    spec = importlib.util.spec_from_file_location(f"fuzzed_step_{next(_module_names)}", folder / "main.py")
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(folder))
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(folder))
        for name, imported in list(sys.modules.items()):
            if Path(getattr(imported, "__file__", None) or "/").is_relative_to(folder):
                del sys.modules[name]
    return module.app


def step_number(folder: Path) -> int:
    return int(folder.name[:2])


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


CHECKS = [
    not_a_server_error,
    documented_status,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]


def add_bookmark(client: TestClient) -> int:
    response = client.post("/bookmarks", json={"url": "https://example.com/", "title": "Fuzzed"})
    assert response.status_code == 201, response.text
    return response.json()["id"]


def fuzz_test(app):
    """A new test function for one step's schema (Hypothesis takes settings once per function)."""
    client = TestClient(app)

    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        derandomize=True,
        database=None,
        deadline=None,  # a slow machine must not fail a test
        suppress_health_check=[HealthCheck.too_slow],
    )
    def test(case):
        # A random id is almost never a bookmark's: then PUT, PATCH and DELETE
        # only ever meet the 404. For half the valid requests (odd ids), use a
        # bookmark that exists, so the 200 answers are checked against the schema too.
        ids = case.path_parameters or {}
        positive = case.meta is not None and case.meta.generation.mode.is_positive
        if positive and isinstance(ids.get("bookmark_id"), int) and ids["bookmark_id"] % 2:
            ids["bookmark_id"] = add_bookmark(client)
        case.call_and_validate(checks=CHECKS)

    return test


# One test per step, which Schemathesis's pytest plugin runs once per operation
# (test_step_04_answers_what_its_schema_says[POST /bookmarks]): first its
# "coverage" cases (each boundary: a string of exactly maxLength, one more, a
# missing field, a wrong type, another method...), then EXAMPLES_PER_OPERATION
# generated ones, valid and invalid.
for _folder in STEPS:
    _schema = schemathesis.openapi.from_asgi("/openapi.json", load_reference_app(_folder))
    _schema.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
    _schema.config.checks.negative_data_rejection.expected_statuses = ["4XX"]
    globals()[f"test_step_{_folder.name[:2]}_answers_what_its_schema_says"] = (
        _schema.parametrize()(fuzz_test(_schema.app))
    )


# --- 2. Targeted cases -----------------------------------------------------------

@pytest.fixture(scope="module", params=STEPS, ids=lambda folder: folder.name)
def step(request):
    """(step number, a client of the step's app) for every step from 04 on."""
    with TestClient(load_reference_app(request.param), raise_server_exceptions=False) as client:
        yield step_number(request.param), client


def body_operations(client: TestClient):
    """(method, path) of every operation of the step that takes a bookmark as its body:
    POST /bookmarks, and from step 05 on PUT and PATCH of a bookmark that exists."""
    operations = [("POST", "/bookmarks")]
    paths = client.get("/openapi.json").json()["paths"]
    for method in ("put", "patch"):
        if method in paths.get("/bookmarks/{bookmark_id}", {}):
            operations.append((method.upper(), f"/bookmarks/{add_bookmark(client)}"))
    return operations


def send(client: TestClient, method: str, path: str, raw_json: str):
    """Send JSON text as it is: NaN, Infinity and lone surrogates cannot be made
    with json.dumps without changing them."""
    return client.request(method, path, content=raw_json.encode(), headers={"Content-Type": "application/json"})


def body_with(field: str, raw_value: str) -> str:
    """A valid bookmark as JSON text, with `field` set to the raw JSON text `raw_value`."""
    fields = {"url": '"https://example.com/"', "title": '"A title"', "description": '"A description"'}
    fields[field] = raw_value
    return "{" + ", ".join(f'"{name}": {value}' for name, value in fields.items()) + "}"


def expect_a_readable_refusal(response, what: str) -> None:
    """A 4xx, in JSON, whose detail is a sentence or FastAPI's list of problems, each with a msg."""
    assert 400 <= response.status_code < 500, (
        f"{what}: expected a 4xx, got {response.status_code}: {response.text[:300]!r}"
    )
    detail = response.json().get("detail")
    readable = (isinstance(detail, str) and detail) or (
        isinstance(detail, list) and detail
        and all(isinstance(problem, dict) and isinstance(problem.get("msg"), str) and problem["msg"]
                for problem in detail)
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


@pytest.mark.parametrize("url", GROWING_URLS.values(), ids=GROWING_URLS.keys())
def test_a_url_longer_than_the_limit_once_normalised_is_refused(step, url):
    _, client = step
    assert len(url.encode()) <= MAX_URL_LENGTH
    for method, path in body_operations(client):
        expect_url_refused(client.request(method, path, json={"url": url, "title": "Long"}), url)


@pytest.mark.parametrize("url", URLS_AT_THE_LIMIT.values(), ids=URLS_AT_THE_LIMIT.keys())
def test_a_url_at_the_limit_once_normalised_is_accepted(step, url):
    _, client = step
    for method, path in body_operations(client):
        response = client.request(method, path, json={"url": url, "title": "At the limit"})
        assert response.status_code in (200, 201), (
            f"{method} {path} with a URL of {MAX_URL_LENGTH} characters once normalised: "
            f"expected it accepted, got {response.status_code}: {response.text[:300]!r}"
        )
        assert len(response.json()["url"]) == MAX_URL_LENGTH


def test_a_1_mb_title_is_refused(step):
    number, client = step
    title = "x" * 1_000_000
    for method, path in body_operations(client):
        response = client.request(method, path, json={"url": "https://example.com/", "title": title})
        expect_a_readable_refusal(response, f"{method} {path} with a 1 MB title")
        if number >= ERROR_HANDLING_STEP:
            assert len(response.content) < 10_000, (
                f"{method} {path} with a 1 MB title: the {response.status_code} is "
                f"{len(response.content)} bytes long; an error should not send the input back"
            )


def from_error_handling_on(steps):
    return [folder for folder in steps if step_number(folder) >= ERROR_HANDLING_STEP]


@pytest.fixture(scope="module", params=from_error_handling_on(STEPS), ids=lambda folder: folder.name)
def handling_client(request):
    """A client of each step's app from step 12 (error handling) on."""
    with TestClient(load_reference_app(request.param), raise_server_exceptions=False) as client:
        yield client


@pytest.mark.parametrize("field", ["url", "title", "description"])
@pytest.mark.parametrize("number_text", ["NaN", "Infinity", "-Infinity"])
def test_a_non_finite_number_is_refused_with_a_readable_message(handling_client, field, number_text):
    for method, path in body_operations(handling_client):
        response = send(handling_client, method, path, body_with(field, number_text))
        expect_a_readable_refusal(response, f"{method} {path} with {field}: {number_text}")


# "\ud800" in JSON text: six characters the parser turns into half a UTF-16 pair.
LONE_SURROGATES = {
    "url": '"https://example.com/\\ud800"',
    "title": '"Broken \\ud800 title"',
    "description": '"\\ud800"',
}


@pytest.mark.parametrize("field", LONE_SURROGATES)
def test_a_lone_surrogate_is_refused_with_a_readable_message(handling_client, field):
    for method, path in body_operations(handling_client):
        response = send(handling_client, method, path, body_with(field, LONE_SURROGATES[field]))
        expect_a_readable_refusal(response, f"{method} {path} with a lone surrogate in {field}")
