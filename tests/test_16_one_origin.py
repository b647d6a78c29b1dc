"""Step 16: one origin. The app serves its own page, so the browser needs no CORS.

What a learner can see: a browser asking for / gets the page (HTML) from the app;
that page, opened from the app at a deployed app's address (http://bookmarks.example/,
mapped to the app, an origin no list allows, with ALLOWED_ORIGINS empty), lists,
adds, edits and deletes bookmarks on one page load, sending every request to its own origin; the API's
routes and /docs still answer beside the page; the app's folder itself (.env,
main.py, the database file) is not served; GET /health answers 200 JSON while the
database works, and an error (503, or 500) when it cannot be used.

The deployment files are read, never run (no container engine in CI): the
Dockerfile (or Containerfile) starts the app with `fastapi run` (or uvicorn on
0.0.0.0 without --reload), installs what the app needs and leaves .env out of the
image; compose.yaml runs the app with a PostgreSQL service, DATABASE_URL from the
environment, and no password written in the file.
"""

import re
import shlex
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

import database_fixtures
from database_fixtures import database_env, take_the_database_down
from page_checks import check_list_add_edit_delete, expect_error_in_words, watch
from workshop.steps import read_step_file
from workshop_checks import create_bookmark, expect_json, expect_status, list_bookmarks

THE_BOX = 'see the box "What the checks expect" on the step\'s page'
# What a browser's Accept header says when it opens an address (Chromium's, shortened).
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
# The page's address in the browser tests: the app's own, as deployed (see fixtures.APP_PAGE_URL).
APP_ORIGIN = "http://bookmarks.example"
# The run's PostgreSQL server (WORKSHOP_DATABASE=postgresql, else None), this test's database on
# it, and the learner's app started on that database (on SQLite: the plugin's, unchanged).
postgres, database = database_fixtures.postgres, database_fixtures.database
learner_app = database_fixtures.learner_app


# --- The page, served by the app ------------------------------------------------


def test_a_browser_asking_for_root_gets_the_page(client):
    response = client.get("/", headers={"Accept": BROWSER_ACCEPT})
    expect_status(response, 200)
    kind = response.headers.get("content-type", "")
    assert kind.startswith("text/html"), (
        f"a browser opening / got {kind or 'no content type'} ({response.text[:80]!r}), not the page: serve "
        "index.html at / (FileResponse, or StaticFiles with html=True mounted after the API's routes)"
    )
    assert "<script" in response.text.lower() and "<form" in response.text.lower(), (
        "the HTML the app answers at / is not the Bookmark Manager's page (it has no <form> or no <script>): "
        "serve the step's index.html"
    )


def test_the_api_and_docs_still_answer_beside_the_page(client):
    created = create_bookmark(client, title="Beside the page")
    listed = list_bookmarks(client)
    assert created in listed, (
        "GET /bookmarks does not list the bookmark POST /bookmarks created: with the page at /, the API's "
        "routes must still come first (include the routers before any app.mount('/', ...))"
    )
    docs = client.get("/docs")
    expect_status(docs, 200)
    assert "swagger" in docs.text.lower(), "GET /docs should still be the Swagger UI page"
    paths = expect_json(client.get("/openapi.json")).get("paths", {})
    for path in ("/bookmarks", "/health"):
        assert path in paths, f"/openapi.json should list {path} (it lists {sorted(paths)})"


def test_the_app_folder_itself_is_not_served(learner_app):
    secret = "not-for-any-browser-7f3a"
    app = learner_app.restart(files={".env": f"# {secret}\nALLOWED_ORIGINS=\n"})
    create_bookmark(app.client)  # the database file exists now (SQLite by default)
    for name in (".env", "main.py", "bookmarks.db"):
        content = app.read_file(name)  # never through a link the app may have put there
        if content is None:
            continue
        # Where a folder is usually mounted (a mount elsewhere goes unseen: the checks cannot list them).
        for prefix in ("", "/static", "/app", "/public", "/frontend", "/files", "/assets", "/web", "/www", "/site"):
            response = app.client.get(f"{prefix}/{name}")
            assert not (response.status_code == 200 and response.content == content), (
                f"GET {prefix}/{name} answers the app's own file {name}: the app serves its whole folder, .env "
                "(the database's password) and the database included. Serve index.html alone, or a folder "
                "that holds nothing but the page's files (StaticFiles(directory=\"static\"))"
            )


# --- GET /health ------------------------------------------------------------------

INTERNALS = ("sqlite", "psycopg", "postgres", "OperationalError", "DatabaseError", "SELECT ", "Traceback")


def expect_healthy(client) -> dict:
    response = client.get("/health")
    assert response.status_code == 200, (
        f"GET /health answered {response.status_code} {response.text[:120]!r} while the app works: "
        f"add a route GET /health that answers 200 with JSON such as {{\"status\": \"ok\"}}. {THE_BOX}"
    )
    body = expect_json(response)
    assert isinstance(body, dict) and body.get("status") == "ok", (
        f'GET /health answered {body!r}: expected a JSON object with "status": "ok". {THE_BOX}'
    )
    return body


def test_health_answers_200_and_ok(client):
    expect_healthy(client)


def test_health_answers_an_error_when_the_database_cannot_be_used(learner_app, postgres, database):
    app = learner_app  # on SQLite, the default database: the file bookmarks.db in the app's folder
    create_bookmark(app.client)
    expect_healthy(app.client)
    take_the_database_down(app, postgres, database)
    response = app.client.get("/health")
    assert response.status_code in (503, 500), (
        f"GET /health answered {response.status_code} {response.text[:120]!r} while the database cannot be "
        "used: whatever watches the app (a container runtime, a load balancer) would send users to it. "
        "Ask the database something in the route (a query), and let the step's error handling answer 503"
    )
    body = expect_json(response)
    assert isinstance(body, dict) and isinstance(body.get("detail"), str) and body["detail"].strip(), (
        f'GET /health answered {response.status_code} {response.text[:200]!r}: expected JSON with a message, '
        'like {"detail": "..."}'
    )
    leaked = [word for word in INTERNALS if word.lower() in response.text.lower()]
    assert not leaked, f"GET /health shows the database's error to the client ({leaked}): {response.text[:300]!r}"


# --- CORS: still there for other origins, needed by none here -----------------------


def test_an_empty_allowed_origins_lets_no_other_page_in(learner_app, database):
    client = learner_app.restart(env=database_env(database, ALLOWED_ORIGINS="")).client
    response = client.get("/bookmarks", headers={"Origin": "http://127.0.0.1:5500"})
    expect_status(response, 200)
    allowed = response.headers.get("access-control-allow-origin")
    assert allowed is None, (
        f"with ALLOWED_ORIGINS empty, a page from http://127.0.0.1:5500 got Access-Control-Allow-Origin "
        f"{allowed!r}: an empty list allows no other origin (the page the app serves needs none)"
    )


# --- In the browser, from the app's own origin ---------------------------------------


# The page's origin, http://bookmarks.example, is on no list of allowed origins: the app's
# defaults (Live Server's) give it no CORS header either. One test empties the list all the same.
@pytest.fixture
def one_origin(learner_app, database):
    """The app with ALLOWED_ORIGINS empty: no CORS header for any page, its own page needs none."""
    return learner_app.restart(env=database_env(database, ALLOWED_ORIGINS=""))


def run_from_app(scenario, page, client, open_page) -> None:
    """Run a scenario of page_checks on the page as the app serves it, at APP_ORIGIN.
    Fails at once, in words, when / is not the page; and, whatever else failed, says
    first that the page sent a request to another origin, when it did."""
    elsewhere: list[str] = []

    def record(request):
        if request.resource_type in ("fetch", "xhr"):
            parts = urlsplit(request.url)
            if f"{parts.scheme}://{parts.netloc}" != APP_ORIGIN:
                elsewhere.append(f"{request.method} {request.url}")

    def open_from_app():
        open_page(from_app=True)
        kind = page.evaluate("document.contentType")
        if kind != "text/html":
            pytest.fail(
                f"the app answers a browser opening / with {kind}, not the page: serve index.html at / "
                "(a browser's Accept header asks for text/html)",
                pytrace=False,
            )
        return page

    page.on("request", record)
    try:
        scenario(page, client, open_from_app)
    except BaseException:  # pytest.fail raises an exception outside Exception's family
        if not elsewhere:
            raise
    if elsewhere:  # the cause of whatever else failed: said alone, "from None"
        message = (
            f"the page, served by the app at {APP_ORIGIN}/, sent {elsewhere[0]}: to another origin, which "
            "CORS then blocks. Call the API with relative addresses (fetch(\"/bookmarks\")) so it goes to "
            f"the app that served the page, whatever its address. {THE_BOX}"
        )
        raise pytest.fail.Exception(message, pytrace=False) from None


@pytest.mark.points(5)  # the step's main promise
def test_the_page_from_the_app_lists_adds_edits_and_deletes_without_cors(one_origin, page, open_page):
    """Everything the page does, on one page load from the app, with no CORS header for anyone:
    a page that calls another origin fails this one check, not four."""
    run_from_app(check_list_add_edit_delete, page, one_origin.client, open_page)


# What the page must not show of a database that cannot be used (step 15's 503 names none of it).
INTERNALS_SHOWN = (*INTERNALS, "Failed to fetch")


def api_message(response) -> str | None:
    """The message of an error answer, {"detail": "..."}, if it has one."""
    try:
        body = response.json()
    except ValueError:
        return None
    detail = body.get("detail") if isinstance(body, dict) else None
    return detail if isinstance(detail, str) and detail.strip() else None


def test_the_page_from_the_app_says_so_when_the_database_cannot_be_used(
    learner_app, postgres, database, page, open_page
):
    # Step 15's lesson, seen on the page: checked here, where the suite opens a browser anyway.
    create_bookmark(learner_app.client, title="Before the database went away")
    take_the_database_down(learner_app, postgres, database)
    message = api_message(learner_app.client.get("/bookmarks"))  # suite 15 checks the answer itself
    watch(page)

    def scenario(page, client, open_from_app):
        open_from_app()
        why = "when the database cannot be used, the page should show the API's message (step 15)"
        text = expect_error_in_words(page, why, message)
        shown = [word for word in INTERNALS_SHOWN if word.lower() in text.lower()]
        assert not shown, (
            f"when the database cannot be used, the page shows {text!r} ({shown}): the API's 503 should carry "
            'a message in words, {"detail": "..."}, and the page show that message'
        )

    run_from_app(scenario, page, learner_app.client, open_page)


# --- The deployment files, read ---------------------------------------------------------


def first_file(step_dir: Path, names: tuple[str, ...]) -> tuple[str, str]:
    """The first of these files the step folder has, as (name, text); a link out of it does not count."""
    for name in names:
        text = read_step_file(step_dir, name)
        if text is not None:
            return name, text
    pytest.fail(f"{step_dir.name} has none of {', '.join(names)}: {THE_BOX}", pytrace=False)


def instructions(text: str) -> list[tuple[str, str]]:
    """A Dockerfile's instructions as (KEYWORD, arguments): comments dropped, continued lines joined."""
    joined = re.sub(r"\\\n", " ", "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#")))
    found = []
    for line in joined.splitlines():
        if line.strip():
            keyword, _, rest = line.strip().partition(" ")
            found.append((keyword.upper(), rest.strip()))
    return found


def command_words(arguments: str) -> list[str]:
    """CMD ["fastapi", "run", ...] (JSON) or CMD fastapi run ... (shell form), as words."""
    arguments = arguments.strip()
    if arguments.startswith("["):
        return [str(word) for word in yaml.safe_load(arguments)]
    return shlex.split(arguments)


def copied_sources(arguments: str) -> list[str]:
    """What COPY or ADD takes from the folder: every word but the options and the destination."""
    words = [word for word in command_words(arguments) if not word.startswith("--")]
    return words[:-1]


def test_the_container_starts_the_app_for_production(step_dir):
    recipe, text = first_file(step_dir, ("Dockerfile", "Containerfile"))
    steps = instructions(text)
    assert any(keyword == "FROM" for keyword, _ in steps), f"{recipe} has no FROM line: it builds no image"
    starts = [command_words(args) for keyword, args in steps if keyword in ("CMD", "ENTRYPOINT")]
    assert starts, f"{recipe} has no CMD: the container would not start the app. {THE_BOX}"
    words = [word for start in starts for word in start]
    text = " ".join(words)
    assert "--reload" not in words and not re.search(r"\bfastapi dev\b", text), (
        f"{recipe} starts the app with {text!r}: --reload and fastapi dev watch files for changes, "
        "for your computer only. On a server: fastapi run main.py"
    )
    if re.search(r"\bfastapi run\b", text):
        return
    assert re.search(r"\buvicorn\b", text), (
        f"{recipe} starts {text!r}: start the app with fastapi run main.py (or uvicorn). {THE_BOX}"
    )
    assert re.search(r"--host[= ]0\.0\.0\.0", text), (
        f"{recipe} starts uvicorn without --host 0.0.0.0 ({text!r}): uvicorn listens on 127.0.0.1 "
        "by default, the container's own address, which the published port never reaches. "
        "Use fastapi run main.py (it listens on 0.0.0.0), or add --host 0.0.0.0"
    )


def test_the_image_gets_what_the_app_needs_and_no_env_file(step_dir):
    recipe, text = first_file(step_dir, ("Dockerfile", "Containerfile"))
    steps = instructions(text)
    installed = " ".join(args for keyword, args in steps if keyword == "RUN")
    for requirements in re.findall(r"-r\s+(\S+)", installed):
        installed += " " + (read_step_file(step_dir, Path(requirements).name) or "")
    names = {name.lower().replace("_", "-") for name in re.findall(r"(?<![\w.-])([A-Za-z][\w.-]*)", installed)}
    # What any version of this step needs: FastAPI, a database library, and a PostgreSQL
    # driver (the classic: it works with SQLite on your computer, and not in compose).
    for needed in (("fastapi",), ("sqlmodel", "sqlalchemy"), ("psycopg", "psycopg2", "psycopg2-binary", "asyncpg")):
        assert names & set(needed), (
            f"{recipe} installs no {' or '.join(needed)} (neither in a RUN line nor in the requirements "
            "file it installs with -r): the app would not start in the container, or not reach PostgreSQL"
        )
    starts = " ".join(args for keyword, args in steps if keyword in ("CMD", "ENTRYPOINT"))
    if "fastapi" in starts and "run" in starts:
        assert "fastapi-cli" in names or re.search(r"fastapi\[[^\]]*standard", installed), (
            f"{recipe} starts the app with fastapi run, but installs neither fastapi-cli nor "
            "fastapi[standard]: the command fastapi comes with them"
        )
    copies_all = any(
        keyword in ("COPY", "ADD") and {".", "./", "*"} & set(copied_sources(args)) for keyword, args in steps
    )
    if copies_all:
        ignore = read_step_file(step_dir, ".dockerignore") or read_step_file(step_dir, ".containerignore")
        ignored = ignore.split() if ignore else []
        assert any(entry.lstrip("/").rstrip("/") in (".env", ".env*", "*.env", "**/.env") for entry in ignored), (
            f"{recipe} copies the whole folder into the image, .env (the database's password) "
            "included: anyone who gets the image reads it. List .env in a .dockerignore beside it"
        )


def compose_file(step_dir: Path) -> dict:
    name, text = first_file(step_dir, ("compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml"))
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        pytest.fail(f"{name} is not valid YAML: {error}", pytrace=False)
    if not isinstance(data, dict) or not isinstance(data.get("services"), dict):
        pytest.fail(f"{name} has no services: a compose file lists them under services:", pytrace=False)
    return data


def environment(service: dict) -> dict[str, str]:
    """A service's environment: the mapping form or the list form (NAME=value)."""
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.partition("=")[::2] for item in env)
    return {str(name): "" if value is None else str(value) for name, value in env.items()}


def test_compose_runs_the_app_with_postgresql_and_no_password_in_it(step_dir):
    services = compose_file(step_dir)["services"]
    databases = [name for name, s in services.items() if "postgres" in str((s or {}).get("image", ""))]
    assert databases, f"compose.yaml has no PostgreSQL service (image: postgres:...): {sorted(services)}"
    apps = [name for name, s in services.items() if (s or {}).get("build") is not None]
    assert apps, f"compose.yaml has no service built from the app's folder (build: .): {sorted(services)}"
    for name in databases + apps:
        for variable, value in environment(services[name]).items():
            if "PASSWORD" in variable.upper() and not variable.upper().endswith("_FILE"):
                assert value.startswith("$"), (
                    f"compose.yaml writes the password in {variable} of {name}: read it from the environment "
                    f"or the file .env ({variable}: ${{POSTGRES_PASSWORD}}), never in the file itself"
                )
    app = services[apps[0]]
    url = environment(app).get("DATABASE_URL")
    from_files = app.get("env_file") is not None or app.get("secrets") is not None
    assert url is not None or from_files, (
        f"the app's service {apps[0]} gets no DATABASE_URL (environment:, or env_file:): it would keep "
        "its bookmarks in SQLite inside the container, not in PostgreSQL"
    )
    if url is not None:
        assert url.startswith("postgres"), f"the app's DATABASE_URL is {url!r}: point it at the PostgreSQL service"
        # ${NAME} and ${NAME:?message} are compose's variables: read from the environment or .env.
        parts = urlsplit(re.sub(r"\$\{[^}]*\}|\$\w+", "from-the-environment", url))
        assert parts.password in (None, "from-the-environment"), (
            "the app's DATABASE_URL in compose.yaml holds the password itself: write "
            "postgresql+psycopg://bookmarks:${POSTGRES_PASSWORD}@db:5432/bookmarks and keep the value in .env"
        )
        assert parts.hostname in databases, (
            f"the app's DATABASE_URL names the host {parts.hostname!r}: in compose, the database's host is its "
            f"service's name ({', '.join(databases)})"
        )
