"""Commands that cannot lie: every curl example on a step page works as shown.

The examples of a step live in docs/examples/NN-slug.console; docs_parts/curl_examples.py
turns them into the page's part docs/generated/NN-slug/examples.md. Here each command is
sent, in order, to a fresh instance of that step's reference app (one test per
step: what one command creates, the next one finds, as for a learner typing them
into one terminal), and the answer the page shows must be the one the app gives:
the status line, the headers (all of them but date and server, which only a real
server adds and which change on every run) and the body.

After a change to a step, `python -m docs_parts.curl_examples NN-slug` writes the
answers again from its app; read the change (git diff) before committing it, and write
the page parts again (`python scripts/build_docs_parts.py`).
"""

import http
import importlib
import json
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))  # docs_parts/, the code that writes the pages' generated parts
curl_examples = importlib.import_module("docs_parts.curl_examples")
EXAMPLE_FILES = sorted(curl_examples.EXAMPLES.glob("*.console"))

# Python 3.13 renamed 422's reason phrase; uvicorn prints the one of the learner's Python.
OTHER_PHRASES = {422: {"Unprocessable Entity", "Unprocessable Content"}}


def check(example, response, where):
    command = " ".join(example.command.split())
    if example.answer_status:
        _, code, phrase = example.answer_status.split(" ", 2)
        assert response.status_code == int(code), (
            f"{where}: `{command}` answered {response.status_code}, the page shows {code}. "
            f"Body: {response.text[:300]}"
        )
        phrases = OTHER_PHRASES.get(response.status_code, {http.HTTPStatus(response.status_code).phrase})
        assert phrase in phrases, f"{where}: the status line says {phrase!r}, uvicorn says {sorted(phrases)}"
    if example.include:
        # Every header curl prints, but for date and server (a real server's own), so
        # that a header the page does not show is one the app did not send.
        sent = {name.lower(): value for name, value in response.headers.items()
                if name.lower() not in curl_examples.VOLATILE_HEADERS}
        shown = {name.lower(): value for name, value in example.answer_headers.items()}
        assert shown == sent, f"{where}: the page shows the headers {shown}, the app sent {sent}"
    shown = example.answer_body
    if not shown:
        assert not response.content, f"{where}: the page shows no body, the app sent {response.text[:300]!r}"
        return
    try:
        shown_json = json.loads(shown)
    except json.JSONDecodeError:
        assert response.text == shown, f"{where}: the page shows {shown!r}, the app answered {response.text!r}"
        return
    assert response.json() == shown_json, (
        f"{where}: `{command}` answered\n{response.text}\nbut the page shows\n{shown}"
    )
    if "\n" not in shown:  # shown on one line: exactly what curl prints
        assert response.text == shown, f"{where}: the page shows {shown!r}, curl would print {response.text!r}"


@pytest.fixture
def default_environment(monkeypatch):
    """The step's own settings, as on the page: no ALLOWED_ORIGINS from outside."""
    monkeypatch.delenv("ALLOWED_ORIGINS", raising=False)


@pytest.mark.parametrize(
    "step_dir",
    [REPO / "steps" / path.stem for path in EXAMPLE_FILES],
    ids=[path.stem for path in EXAMPLE_FILES],
)
def test_every_curl_example_answers_what_its_page_shows(default_environment, step_dir, client):
    source = curl_examples.EXAMPLES / f"{step_dir.name}.console"
    assert step_dir.is_dir(), f"docs/examples/{source.name} has no step folder steps/{step_dir.name}/"
    examples = curl_examples.parse_examples(source)
    for example in examples:
        check(example, curl_examples.send(client, example), f"docs/examples/{source.name}, line {example.line}")


def test_the_windows_commands_carry_the_same_request():
    """The PowerShell and cmd tabs hold the same request as the Linux one, quoted for Windows,
    and no line of them is so long that the command itself is off the screen."""
    for source in EXAMPLE_FILES:
        for example in curl_examples.parse_examples(source):
            where = f"{source.name}, line {example.line}"
            powershell = curl_examples.powershell(example, where)
            cmd = curl_examples.cmd(example, where)
            ps_line = curl_examples.one_line(powershell, "`")
            cmd_line = curl_examples.one_line(cmd, "^")
            assert example.url in ps_line and example.url in cmd_line
            if example.body is not None:
                # PowerShell sends the body through stdin, unchanged but for '' -> ' ...
                body, command = ps_line.split("\n")
                assert body == "$body = '" + example.body.replace("'", "''") + "'"
                assert command.startswith("$body | curl.exe ") and command.endswith('--data-binary "@-"')
                # ... and cmd passes it as one argument, which curl reads back as the body.
                assert cmd_line.endswith(' -d "' + example.body.replace('"', '\\"') + '"')
            for line in powershell.splitlines()[1 if example.body else 0:] + cmd.splitlines()[:-1]:
                assert len(line) <= 72, f"{where}: the Windows line {line!r} is too long to see whole"
