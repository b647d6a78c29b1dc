"""The curl examples of a step page, from one file that a test also runs.

The part ``docs/generated/NN-slug/examples.md`` (written by scripts/build_docs_parts.py,
included by the page ``docs/steps/NN-slug.md``) shows the examples of
``docs/examples/NN-slug.console``: each one a short text, the command in three tabs
(Linux/macOS, Windows PowerShell, Windows cmd) and the answer, collapsed under
its status line.
``tests/test_docs_examples.py`` sends every command, in order, to that step's app
and checks that it answers what the page shows; so an example on the site is one
that works when a learner types it.

The file format, one example after another::

    # What this example shows (Markdown, one or more lines).
    $ curl -i -X POST http://127.0.0.1:8000/bookmarks \\
        -H "Content-Type: application/json" \\
        -d '{"url": "https://example.com/", "title": "Example"}'
    HTTP/1.1 201 Created
    content-type: application/json

    {"url":"https://example.com/","title":"Example","description":"","id":3}

* ``# `` lines: the description; ``$ `` starts the command, a line ending in
  ``\\`` continues it; every line after it, up to the next ``# `` line, is
  the answer, exactly as curl prints it.
* curl options understood: ``-i`` (then the answer starts with the status line
  and the headers worth showing, a blank line, then the body), ``-X METHOD``,
  ``-H "Name: value"``, ``-d 'body'`` (one line). Nothing else, so that the
  test knows exactly what the learner sends.
* With -i, show every header of the answer but date and server (the test checks
  that the headers shown are exactly the ones the app sends): they change from
  one run to the next, or only a real server adds them.

Windows: PowerShell 5.1 strips the double quotes inside an argument it passes
to a program, so a JSON body given with ``-d`` arrives broken. The PowerShell
tab therefore puts the body in a variable on a line of its own (``$body = '...'``)
and pipes it into ``curl.exe ... --data-binary "@-"`` (stdin), which every
PowerShell passes through untouched; ``curl.exe``, because in PowerShell 5.1
``curl`` is an alias of Invoke-WebRequest. cmd has no single quotes: the body goes
in double quotes with ``\\"`` inside. A long Windows command is split into lines
(PowerShell continues a line ending in a backtick, cmd one ending in ``^``), one
option a line, so that the command itself is never beyond the right edge.

After a change to a step, write the answers again from the step's app, then read
the change with ``git diff`` before committing it, and write the page parts again:

    python -m docs_parts.curl_examples 09-cors        # or --all
    python scripts/build_docs_parts.py
"""

import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "docs" / "examples"
BASE_URL = "http://127.0.0.1:8000"
# Headers a page must not show: they differ on every run, or only uvicorn sends them.
VOLATILE_HEADERS = {"date", "server"}


class ExampleError(ValueError):
    """An examples file that the page or the test could not use as it is."""


@dataclass
class Example:
    description: str
    command: str  # as written after "$ ", continuation lines included
    line: int  # where the command starts in the file, for messages
    method: str = "GET"
    url: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    body: str | None = None
    include: bool = False  # -i: the answer shows the status line and headers
    answer_status: str | None = None  # "HTTP/1.1 201 Created"
    answer_headers: dict[str, str] = field(default_factory=dict)
    answer_body: str = ""
    explicit_method: bool = False  # -X was given
    implicit_content_type: bool = False  # -d without -H "Content-Type: ...": curl sends a form

    @property
    def path(self) -> str:
        return self.url.removeprefix(BASE_URL) or "/"

    @property
    def status_code(self) -> int | None:
        return int(self.answer_status.split()[1]) if self.answer_status else None


def parse_command(example: Example, where: str) -> None:
    """Read curl's options into the example's request fields."""
    try:
        tokens = shlex.split(example.command)
    except ValueError as error:
        raise ExampleError(f"{where}: cannot read the command: {error}") from None
    if not tokens or tokens[0] != "curl":
        raise ExampleError(f"{where}: a command must start with `curl`")
    rest = iter(tokens[1:])
    for token in rest:
        if token == "-i":
            example.include = True
        elif token in ("-X", "-H", "-d"):
            value = next(rest, None)
            if value is None:
                raise ExampleError(f"{where}: {token} needs a value")
            if token == "-X":
                example.method, example.explicit_method = value, True
            elif token == "-H":
                name, sep, header_value = value.partition(":")
                if not sep:
                    raise ExampleError(f"{where}: -H {value!r} is not 'Name: value'")
                example.headers[name.strip()] = header_value.strip()
            else:
                if example.body is not None:
                    raise ExampleError(f"{where}: give -d once")
                if "\n" in value:
                    raise ExampleError(f"{where}: write the -d body on one line")
                example.body = value
        elif token.startswith("-"):
            raise ExampleError(f"{where}: the option {token} is not one the examples use (-i, -X, -H, -d)")
        elif example.url:
            raise ExampleError(f"{where}: more than one URL")
        else:
            example.url = token
    if not example.url.startswith(BASE_URL + "/") and example.url != BASE_URL:
        raise ExampleError(f"{where}: the URL must start with {BASE_URL}/ (the step's app)")
    if example.body is not None:
        if not example.explicit_method:
            example.method = "POST"  # what curl does with -d
        if not any(name.lower() == "content-type" for name in example.headers):
            # curl's default for -d: the body is sent as a form, not as JSON.
            example.headers["Content-Type"] = "application/x-www-form-urlencoded"
            example.implicit_content_type = True


def parse_answer(example: Example, lines: list[str], where: str) -> None:
    while lines and not lines[-1].strip():
        lines.pop()
    if example.include:
        if not lines or not re.fullmatch(r"HTTP/1\.1 \d{3} [A-Za-z -]+", lines[0]):
            raise ExampleError(f"{where}: with -i, the answer starts with a status line like 'HTTP/1.1 200 OK'")
        example.answer_status = lines[0]
        index = 1
        while index < len(lines) and lines[index].strip():
            name, sep, value = lines[index].partition(":")
            if not sep:
                raise ExampleError(f"{where}: {lines[index]!r} is not a header line 'name: value'")
            if name.strip().lower() in VOLATILE_HEADERS:
                raise ExampleError(f"{where}: do not show the {name.strip()} header: it is not the same on every run")
            example.answer_headers[name.strip()] = value.strip()
            index += 1
        lines = lines[index + 1:]
    example.answer_body = "\n".join(lines)


def parse_examples(path: Path, answers: bool = True) -> list[Example]:
    """The examples of one file, in order; ExampleError says where a file is wrong."""
    lines = path.read_text(encoding="utf-8").splitlines()
    examples: list[Example] = []
    index = 0
    while index < len(lines):
        if not lines[index].strip():
            index += 1
            continue
        start = index + 1
        description = []
        while index < len(lines) and (lines[index].startswith("# ") or lines[index] == "#"):
            description.append(lines[index][2:])
            index += 1
        if not description:
            raise ExampleError(f"{path.name}, line {start}: an example starts with '# ' lines saying what it shows")
        if index >= len(lines) or not lines[index].startswith("$ "):
            raise ExampleError(f"{path.name}, line {index + 1}: expected the command, a line '$ curl ...'")
        command_line = index + 1
        command = [lines[index][2:].rstrip()]
        index += 1
        while command[-1].endswith("\\"):
            if index >= len(lines):
                raise ExampleError(f"{path.name}, line {index}: the command ends with \\ but the file ends")
            command[-1] = command[-1][:-1].rstrip()
            command.append(lines[index].strip())
            index += 1
        answer = []
        while index < len(lines) and not lines[index].startswith("# "):
            answer.append(lines[index])
            index += 1
        where = f"{path.name}, line {command_line}"
        example = Example(description="\n".join(description).strip(), command="\n".join(command), line=command_line)
        parse_command(example, where)
        if answers:
            parse_answer(example, answer, where)
        examples.append(example)
    if not examples:
        raise ExampleError(f"{path.name} holds no example")
    return examples


# --- Rendering ---------------------------------------------------------------

POWERSHELL_BARE = re.compile(r"[A-Za-z0-9:/._=-]+")
CMD_BARE = re.compile(r"[A-Za-z0-9:/._=?-]+")


def windows_arguments(example: Example, bare: re.Pattern[str], where: str) -> list[str]:
    """The arguments except the body, quoted for a Windows shell."""
    arguments = ["-i"] if example.include else []
    if example.explicit_method:
        arguments += ["-X", example.method]
    arguments.append(example.url)
    for name, value in example.headers.items():
        if example.implicit_content_type and name == "Content-Type":
            continue
        arguments += ["-H", f"{name}: {value}"]
    quoted = []
    for argument in arguments:
        if bare.fullmatch(argument):
            quoted.append(argument)
        elif re.search(r'["`$%]', argument):
            raise ExampleError(f"{where}: {argument!r} cannot be written safely for Windows")
        else:
            quoted.append(f'"{argument}"')
    return quoted


# A Windows command longer than this is split: each header and the body on a line of its own.
WINDOWS_LINE = 60
SPLIT_BEFORE = {"-H", "-d", "--data-binary"}


def split_lines(command: str, arguments: list[str], continuation: str) -> str:
    """`command arguments...`, one option and its value a line when it is long."""
    one_line = " ".join([command, *arguments])
    if len(one_line) <= WINDOWS_LINE:
        return one_line
    lines, current = [], [command]
    for argument in arguments:
        if argument in SPLIT_BEFORE:
            lines.append(" ".join(current))
            current = []
        current.append(argument)
    lines.append(" ".join(current))
    return f" {continuation}\n  ".join(lines)


def powershell(example: Example, where: str) -> str:
    arguments = windows_arguments(example, POWERSHELL_BARE, where)
    if example.body is None:
        return split_lines("curl.exe", arguments, "`")
    if not example.body.isascii():
        # PowerShell 5.1 pipes text to a program as ASCII: other characters become "?".
        raise ExampleError(f"{where}: keep the body ASCII, Windows PowerShell would send '?' instead")
    body = example.body.replace("'", "''")
    return f"$body = '{body}'\n" + split_lines("$body | curl.exe", [*arguments, "--data-binary", '"@-"'], "`")


def cmd(example: Example, where: str) -> str:
    arguments = windows_arguments(example, CMD_BARE, where)
    if example.body is not None:
        if re.search(r'[&|<>^%\\]', example.body):
            raise ExampleError(f"{where}: the body holds a character that cmd would read itself (& | < > ^ % \\)")
        arguments += ["-d", '"' + example.body.replace('"', '\\"') + '"']
    return split_lines("curl", arguments, "^")


def one_line(command: str, continuation: str) -> str:
    """A split Windows command as the shell reads it: continued lines joined."""
    return command.replace(f" {continuation}\n  ", " ")


def indent(text: str, spaces: int = 4) -> str:
    return "\n".join((" " * spaces + line) if line else "" for line in text.splitlines())


def fence(language: str, text: str, options: str = "") -> str:
    return f"```{language}{options}\n{text}\n```"


def answer_block(example: Example, answer: str) -> str:
    """The answer, collapsed under its status ("The answer: 201 Created"): the learner sees it in
    their own terminal, and opens the block to compare."""
    status = example.answer_status.split(" ", 1)[1] if example.include and example.answer_status else ""
    title = f"The answer: {status}" if status else "The answer (the body only, without -i)"
    # .curl-answer: wrapped like a terminal wraps it (docs/stylesheets/workshop.css).
    block = f"``` {{ .text .curl-answer }}\n{answer or '(no body)'}\n```"
    return f'??? quote "{title}"\n\n{indent(block)}'


def render(examples: list[Example], source: str) -> str:
    parts = []
    for number, example in enumerate(examples, start=1):
        where = f"{source}, example {number}"
        tabs = [
            ("Linux / macOS", fence("bash", example.command.replace("\n", " \\\n  "))),
            ("Windows PowerShell", fence("powershell", powershell(example, where))),
            ("Windows cmd", fence("bat", cmd(example, where))),
        ]
        answer = example.answer_body
        if example.include:
            head = [example.answer_status, *(f"{k}: {v}" for k, v in example.answer_headers.items())]
            answer = "\n".join(head) + ("\n\n" + answer if answer else "")
        parts.append(
            example.description
            + "\n\n"
            + "\n\n".join(f'=== "{label}"\n\n{indent(block)}' for label, block in tabs)
            + "\n\n"
            + answer_block(example, answer)
        )
    parts.append(
        "On Windows, the commands differ only in quoting: see "
        "[curl on Windows](../troubleshooting.md#windows-curl-quoting). "
        "curl also prints a `date` and a `server` header, left out of the answers here."
    )
    return "\n\n".join(parts)


def examples_part(step: str) -> str:
    source = EXAMPLES / f"{step}.console"
    if not source.is_file():
        raise ExampleError(f"docs/steps/{step}.md shows curl examples, but there is no docs/examples/{source.name}")
    return render(parse_examples(source), f"docs/examples/{source.name}") + "\n"


# --- Sending the examples (the test, and writing the answers) ----------------

def send(client, example: Example):
    """Send an example's request as curl would, through a TestClient (an httpx2.Client)."""
    return client.request(
        example.method,
        example.path,
        headers=example.headers,
        content=None if example.body is None else example.body.encode(),
    )


def answer_lines(example: Example, response) -> list[str]:
    """The answer as the page shows it: what curl prints, but for date and server."""
    import http

    lines = []
    if example.include:
        lines.append(f"HTTP/1.1 {response.status_code} {http.HTTPStatus(response.status_code).phrase}")
        lines += [f"{k}: {v}" for k, v in response.headers.items() if k.lower() not in VOLATILE_HEADERS]
        lines.append("")
    lines.append(response.text)
    return lines


def write_answers(step: str) -> None:
    """Send the examples of docs/examples/<step>.console to a fresh steps/<step>/ app, in
    order, and write the answers it gives into the file."""
    import importlib.util
    import os
    import sys

    from fastapi.testclient import TestClient

    os.environ.pop("ALLOWED_ORIGINS", None)  # the step's own defaults, as on the page
    source = EXAMPLES / f"{step}.console"
    spec = importlib.util.spec_from_file_location(f"step_{step.replace('-', '_')}", REPO / "steps" / step / "main.py")
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(REPO / "steps" / step))  # a step's own modules (step 14's bookmarks/)
    spec.loader.exec_module(module)
    examples = parse_examples(source, answers=False)
    out = []
    with TestClient(module.app) as client:
        for example in examples:
            out += [f"# {line}".rstrip() for line in example.description.splitlines()]
            command = example.command.split("\n")
            out += [("$ " if i == 0 else "    ") + line + (" \\" if i < len(command) - 1 else "")
                    for i, line in enumerate(command)]
            out += answer_lines(example, send(client, example)) + [""]
    source.write_text("\n".join(out), encoding="utf-8")
    print(f"docs/examples/{source.name}: {len(examples)} answers written")


if __name__ == "__main__":
    import sys

    names = sys.argv[1:]
    if names == ["--all"]:
        names = [path.stem for path in sorted(EXAMPLES.glob("*.console"))]
    if not names:
        sys.exit("usage: python -m docs_parts.curl_examples NN-slug ... | --all")
    for name in names:
        write_answers(name)
