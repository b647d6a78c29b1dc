"""The app host: runs a learner's app, in its own process, for the trusted test process.

This file is the only part of the harness that runs beside learner code. It is
run as a script (``python apphost.py CONTROL_FD``), inside the sandbox where
there is one (see ``sandbox.py``), and imports nothing of the harness. It
decides nothing: it starts apps and answers what it saw; every check is made by
the test process, over HTTP.

It is a fork server. The host itself imports FastAPI and uvicorn once and never
imports learner code. For each test the test process sends ``start`` with a
listening socket: the host forks a child, the child imports the step's
``main.py`` afresh (so no store leaks from one test to the next) and serves its
``app`` on that socket with uvicorn. ``stop`` kills the child and everything it
started. Faults that the tests need are applied by the child to the app it
imported: ``hold`` (every request waits until ``release``), ``break`` (a route
in front of the app's own that raises, like a bug would) and ``cors`` (the
test wraps the app in CORSMiddleware, for step 08's page checks).

The protocol: one JSON object per line on a Unix socket, each command answered
by one line; ``start`` carries the listening socket as SCM_RIGHTS.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import json
import os
import signal
import socket
import sys
import threading
import time
import traceback
from typing import Any

IMPORT_OK, IMPORT_FAILED, NO_APP = 97, 98, 99  # a child's exit codes while it imports
OUTPUT_FILE_LIMIT = 64 * 2**20  # bytes any file the app writes may reach
CHILD_CPU_SECONDS = 120  # CPU one app may use: an endless loop ends the app, not the run
CHILD_MEMORY = 2 * 2**30  # bytes of address space one app may use: a runaway list ends in a MemoryError


def send(stream: socket.socket, message: dict[str, Any]) -> None:
    stream.sendall((json.dumps(message) + "\n").encode())


class Channel:
    """One JSON object per line, both ways: a Unix socket (the fork server's) or a pair of pipes."""

    def __init__(self, stream: socket.socket | None = None, reader: Any = None, writer: Any = None) -> None:
        self.stream, self.reader, self.writer = stream, reader, writer
        self.lines = Lines(stream) if stream is not None else None

    def send(self, message: dict[str, Any]) -> None:
        if self.stream is not None:
            send(self.stream, message)
        else:
            self.writer.write(json.dumps(message) + "\n")
            self.writer.flush()

    def read(self) -> dict[str, Any] | None:
        if self.lines is not None:
            return self.lines.read()[0]
        line = self.reader.readline()
        return json.loads(line) if line.strip() else None


class Lines:
    """Reads one JSON line at a time from a socket, with the fds that came with it."""

    def __init__(self, stream: socket.socket) -> None:
        self.stream, self.buffer, self.fds = stream, b"", []  # type: ignore[var-annotated]

    def read(self) -> tuple[dict[str, Any] | None, list[int]]:
        while b"\n" not in self.buffer:
            data, fds, _flags, _address = socket.recv_fds(self.stream, 65536, 4)
            self.fds += fds
            if not data:
                return None, []
            self.buffer += data
        line, self.buffer = self.buffer.split(b"\n", 1)
        fds, self.fds = self.fds, []
        return json.loads(line), fds


# --- In the child: the learner's app ---------------------------------------------------


def learner_frame(error: BaseException, folder: str) -> str:
    """Where in the learner's files an exception came from: "main.py, line 12, get_bookmark"."""

    def own(filename: str) -> bool:  # "<frozen importlib._bootstrap>" is no file of theirs
        return os.path.isabs(filename) and os.path.realpath(filename).startswith(folder + os.sep)

    if isinstance(error, SyntaxError) and error.filename and own(error.filename):
        return (
            f"{os.path.relpath(error.filename, folder)}, line {error.lineno}"  # the error is in the file, not a frame
        )
    where = ""
    for frame in traceback.extract_tb(error.__traceback__):
        if own(frame.filename):
            where = f"{os.path.relpath(frame.filename, folder)}, line {frame.lineno}, {frame.name}"
    return where


def describe(error: BaseException, folder: str) -> dict[str, Any]:
    """An exception as the test process reports it to the learner."""
    lines = traceback.format_exception(type(error), error, error.__traceback__)
    own = [line for line in lines if folder in line or not line.startswith("  File ")]
    record: dict[str, Any] = {
        "type": type(error).__name__,
        "message": " ".join(str(error).split())[:500],
        "where": learner_frame(error, folder),
        "traceback": "".join(own)[-3000:],
    }
    errors = getattr(error, "errors", None)
    if type(error).__name__ == "ResponseValidationError" and callable(errors):
        first = (list(errors()) or [{}])[0]
        record["validation"] = {"input": repr(first.get("input"))[:80], "msg": str(first.get("msg"))}
    return record


BROKEN = "workshop-broken-route"


def break_route(app: Any, method: str, path: str, message: str) -> None:
    """Put a route in front of the app's own that raises, the way a bug would."""
    from fastapi.routing import APIRoute

    def fail() -> None:
        raise RuntimeError(message)

    app.router.routes.insert(0, APIRoute(path, fail, methods=[method], name=BROKEN))


class Gate:
    """`hold` makes every request wait until `release`: the page can be seen busy."""

    def __init__(self) -> None:
        self.open = threading.Event()
        self.open.set()


def serve_child(folder: str, command: dict[str, Any], listener: socket.socket | None, control: Channel) -> None:
    """Import folder/main.py and serve its app on `listener`. Never returns.

    A spare (`listener` None) imports the app and gets everything ready while the
    test before it ends, then waits for its listening socket: the `go` message."""
    import asyncio

    timings = [time.perf_counter()]

    os.chdir(folder)
    sys.path.insert(0, folder)
    os.environ.update(command.get("env") or {})
    for name in command.get("unset") or []:
        os.environ.pop(name, None)
    try:
        spec = importlib.util.spec_from_file_location("main", os.path.join(folder, "main.py"))
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules["main"] = module
        spec.loader.exec_module(module)
    except BaseException as error:  # noqa: BLE001 - anything at import is the learner's to read
        control.send({"event": "import_failed", "error": describe(error, folder)})
        os._exit(IMPORT_FAILED)
    app = getattr(module, "app", None)
    if app is None:
        os._exit(NO_APP)
    timings.append(time.perf_counter())

    exceptions: list[dict[str, Any]] = []
    gate = Gate()

    class Recorder:
        """Right inside Starlette's ServerErrorMiddleware: notes an exception
        before the 500 goes out, so the test process can name it."""

        def __init__(self, inner: Any) -> None:
            self.inner = inner

        async def __call__(self, scope: Any, receive: Any, send_: Any) -> None:
            try:
                await self.inner(scope, receive, send_)
            except Exception as error:
                exceptions.append(describe(error, folder))
                raise

    try:
        from starlette.middleware import Middleware

        app.user_middleware.insert(0, Middleware(Recorder))
        app.middleware_stack = None
    except (AttributeError, TypeError):
        pass  # not a Starlette app: its exceptions go unnamed

    try:
        app.middleware_stack = app.build_middleware_stack()  # what Starlette builds on the first request
    except Exception:  # noqa: BLE001 - then the first request builds it, and names the error
        app.middleware_stack = None

    served: Any = app
    if command.get("cors"):
        from starlette.middleware.cors import CORSMiddleware

        served = CORSMiddleware(app, allow_origins=command["cors"], allow_methods=["*"], allow_headers=["*"])

    async def gated(scope: Any, receive: Any, send_: Any) -> None:
        if scope["type"] == "http" and not gate.open.is_set():
            await asyncio.to_thread(gate.open.wait)
        await served(scope, receive, send_)

    def answer_commands() -> None:
        while True:
            message = control.read()
            if message is None:
                os._exit(0)
            if message["cmd"] == "hold":
                gate.open.clear()
            elif message["cmd"] == "release":
                gate.open.set()
            elif message["cmd"] == "break":
                break_route(app, message["method"], message["path"], message["message"])
            elif message["cmd"] == "mend":
                app.router.routes[:] = [r for r in app.router.routes if getattr(r, "name", "") != BROKEN]
            control.send({"ok": True, "exceptions": exceptions[:20]})

    import uvicorn

    config = uvicorn.Config(gated, lifespan="auto", log_level="warning", access_log=False)
    config.load()
    server = uvicorn.Server(config)

    def when_started() -> None:
        while not server.started:  # the test may send its first request once uvicorn listens
            if server.should_exit:
                return
            time.sleep(0.001)
        timings.append(time.perf_counter())
        control.send(
            {"event": "ready", "timings": [round(b - a, 4) for a, b in zip(timings, timings[1:], strict=False)]}
        )
        answer_commands()

    async def serve(listener: socket.socket | None) -> None:
        import anyio.to_thread

        # Sync routes run in a worker thread: start it now, not on the first request.
        await anyio.to_thread.run_sync(lambda: None)
        if listener is None:  # a spare: everything is ready but the socket
            listener = await anyio.to_thread.run_sync(wait_for_listener, control)
        timings.append(time.perf_counter())
        threading.Thread(target=when_started, daemon=True).start()
        await server.serve(sockets=[listener])

    asyncio.run(serve(listener))
    os._exit(0)


def wait_for_listener(control: Channel) -> socket.socket:
    """A spare's wait for its test: the `go` message brings the listening socket."""
    assert control.lines is not None
    control.send({"event": "imported"})
    message, fds = control.lines.read()
    if message is None or message.get("cmd") != "go" or len(fds) != 1:
        os._exit(0)  # the host let this spare go
    return socket.socket(fileno=fds[0])


# The libraries of the later steps (settings, a database, passwords), by the name a step's
# code imports them by: a host imports them once, for the first app that uses them, and its
# children find them loaded. Imported at launch, they cost every suite about 0.4 s of CPU,
# also the suites of the steps that use none of them.
LIBRARIES: dict[str, tuple[str, ...]] = {
    "pydantic_settings": ("pydantic_settings",),
    "sqlalchemy": ("sqlalchemy", "sqlalchemy.dialects.sqlite", "sqlite3"),
    "sqlmodel": ("sqlalchemy", "sqlalchemy.dialects.sqlite", "sqlite3", "sqlmodel"),
    "pwdlib": ("pwdlib", "pwdlib.hashers.argon2"),
    "argon2": ("argon2",),
    "psycopg": ("psycopg", "sqlalchemy.dialects.postgresql.psycopg"),
}


def warm_up() -> None:
    """Import, once in the host, what every child would otherwise import again."""
    import fastapi
    import fastapi.middleware.cors  # noqa: F401 - how the steps import CORSMiddleware
    import pydantic.networks  # noqa: F401 - HttpUrl
    import starlette.middleware.cors  # noqa: F401
    import uvicorn

    app = fastapi.FastAPI()
    app.get("/")(_endpoint)
    app.openapi()
    uvicorn.Config(app, lifespan="auto", log_level="warning").load()
    # What serving the first request imports (found by comparing sys.modules in a child).
    _import_quietly(("anyio._backends._asyncio", "anyio.streams.memory", "anyio.streams.stapled"))
    _import_quietly(("fastapi.telemetry._runtime",))
    _map_modules_to_files()


def warm_libraries(names: list[str]) -> None:
    """Import the libraries of LIBRARIES that the next app uses (others' names are ignored)."""
    modules = [module for name in names for module in LIBRARIES.get(name, ()) if module not in sys.modules]
    if modules:
        _import_quietly(modules)
        _map_modules_to_files()
        cheapest_argon2()


def cheapest_argon2() -> None:
    """Argon2 at argon2-cffi's cheapest settings in the apps the checks start.

    Argon2 is slow on purpose: 30 to 200 ms of CPU a hash, as the app sets it, for every
    sign-up, log-in and app start (a dummy hash), two thirds of a users step's app CPU.
    Like a test settings module's quick password hasher, every PasswordHasher (pwdlib's
    Argon2Hasher makes one) gets the profile that argon2-cffi made for tests, CHEAPEST:
    microseconds. Only its cost changes: its type and lengths stay the app's, and the app's
    own settings are still checked first. The checks see what a learner can see, a stored
    `$argon2id$...` hash that verifies the password; only its m=, t= and p= are cheaper.
    Children import their app after this, so every PasswordHasher they make is cheap."""
    argon2 = sys.modules.get("argon2")
    if argon2 is None or getattr(argon2.PasswordHasher.__init__, "cheapest", False):
        return
    try:
        from argon2.profiles import CHEAPEST
    except ImportError:
        return  # an argon2-cffi older than 21.2: hashes cost what the app set
    app_settings = argon2.PasswordHasher.__init__

    def cheapest(self: Any, *args: Any, **kwargs: Any) -> None:
        app_settings(self, *args, **kwargs)  # the app's own settings, checked as they would be
        app_settings(
            self,
            time_cost=CHEAPEST.time_cost,
            memory_cost=CHEAPEST.memory_cost,
            parallelism=CHEAPEST.parallelism,
            hash_len=self.hash_len,
            salt_len=self.salt_len,
            encoding=self.encoding,
            type=self.type,
        )

    cheapest.cheapest = True  # type: ignore[attr-defined]
    argon2.PasswordHasher.__init__ = cheapest


def _endpoint() -> dict[str, str]:
    return {}


def _import_quietly(names: tuple[str, ...] | list[str]) -> None:
    for name in names:
        try:
            importlib.import_module(name)
        except ImportError:
            pass  # another version of a library, or not installed: the child imports what it needs


def _map_modules_to_files() -> None:
    # FastAPI reads an endpoint's source line on its first request; inspect then maps
    # every loaded module to its file once. Done here, each child maps only its own.
    inspect.getsourcelines(_endpoint)


# --- In the host: start and stop children ----------------------------------------------


class Child:
    def __init__(self, pid: int, control: socket.socket) -> None:
        self.pid, self.control, self.lines = pid, control, Lines(control)
        self.born = time.monotonic()

    def event(self, deadline: float) -> dict[str, Any] | None:
        """The child's next message, if one comes before `deadline`."""
        self.control.settimeout(max(0.1, deadline - time.monotonic()))
        try:
            event, _ = self.lines.read()
        except (TimeoutError, OSError, ValueError):
            event = None
        self.control.settimeout(None)
        return event

    def exited(self, wait: float) -> int | None:
        """The child's wait status once it has ended by itself (within `wait` seconds), else None."""
        deadline = time.monotonic() + wait
        while True:
            try:
                pid, status = os.waitpid(self.pid, os.WNOHANG)
            except ChildProcessError:
                pid, status = self.pid, 0
            if pid:
                self.pid = 0
                return status
            if time.monotonic() >= deadline:
                return None
            time.sleep(0.005)

    def kill(self) -> None:
        if self.pid:
            for kill in (os.killpg, os.kill):
                try:
                    kill(self.pid, signal.SIGKILL)
                except OSError:
                    pass
            try:
                os.waitpid(self.pid, 0)
            except ChildProcessError:
                pass
            self.pid = 0
        self.control.close()


def exit_reason(code: int) -> str:
    """Why an app ended while it started, from its exit code."""
    if code == NO_APP:
        return "no_app"
    if code < 0:
        return f"importing main.py killed Python (signal {-code})"
    return f"importing main.py ended Python with exit code {code} (os._exit or sys.exit at the top level?)"


def line_by_line() -> None:
    """What the app prints reaches its output file line by line: a file is no terminal, and
    Python would otherwise keep a plain print() in its buffer until the app ends (killed, never)."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(line_buffering=True)  # type: ignore[union-attr]
        except (AttributeError, ValueError):
            pass


def fork_child(
    command: dict[str, Any], listener: socket.socket | None, output: int, host_control: socket.socket
) -> Child:
    """Fork a child that imports the app and serves it on `listener` (a spare: once it
    gets one). `output` was opened by the test process, where the sandbox cannot see or swap it."""
    ours, theirs = socket.socketpair()
    import resource

    pid = os.fork()
    if pid == 0:
        try:
            os.setsid()  # the child and all it starts are one group: stop kills them all
            ours.close()
            host_control.close()  # learner code never talks to the test process
            for fd in (1, 2):
                os.dup2(output, fd)
            line_by_line()
            null = os.open(os.devnull, os.O_RDONLY)
            os.dup2(null, 0)
            resource.setrlimit(resource.RLIMIT_CPU, (CHILD_CPU_SECONDS, CHILD_CPU_SECONDS + 5))
            resource.setrlimit(resource.RLIMIT_FSIZE, (OUTPUT_FILE_LIMIT, OUTPUT_FILE_LIMIT))
            resource.setrlimit(resource.RLIMIT_AS, (CHILD_MEMORY, CHILD_MEMORY))
            serve_child(command["folder"], command, listener, Channel(theirs))
        finally:
            os._exit(IMPORT_FAILED)
    if listener is not None:
        listener.close()
    theirs.close()
    os.close(output)
    return Child(pid, ours)


def prepare(
    command: dict[str, Any], fds: list[int], host_control: socket.socket
) -> tuple[Child | None, dict[str, Any]]:
    """Fork a spare for the next test: it imports the app now and serves once `start` comes."""
    if len(fds) != 1:
        return None, {"status": "error", "error": "prepare comes with an output file"}
    return fork_child(command, None, fds[0], host_control), {"status": "preparing"}


def start(
    command: dict[str, Any], fds: list[int], host_control: socket.socket, spare: Child | None = None
) -> tuple[Child | None, dict[str, Any]]:
    """Start a child that imports the app and serves it (or hand the spare its socket);
    answer once it is ready. Importing has `import_timeout` seconds from the child's
    birth (a spare's too: its head start is no extra time), starting uvicorn as long again."""
    timeout = float(command.get("import_timeout", 10))
    if spare is not None:
        child = spare
        imported = child.event(deadline=child.born + timeout)
        if len(fds) != 1 or imported is None or imported.get("event") != "imported":
            for fd in fds:
                os.close(fd)
            return None, failed(child, imported, child.born + timeout)
        socket.send_fds(child.control, [b'{"cmd": "go"}\n'], fds)
        os.close(fds[0])
    elif len(fds) != 2:
        return None, {"status": "error", "error": "start comes with a listening socket and an output file"}
    else:
        child = fork_child(command, socket.socket(fileno=fds[0]), fds[1], host_control)
    deadline = time.monotonic() + timeout
    event = child.event(deadline)
    if event is not None and event.get("event") == "ready":
        return child, {"status": "ready", "timings": event.get("timings")}
    return None, failed(child, event, deadline)


def failed(child: Child, event: dict[str, Any] | None, deadline: float) -> dict[str, Any]:
    """End a child that did not get ready, and say why."""
    if event is not None and event.get("event") == "import_failed":
        child.kill()
        return {"status": "import_failed", "error": event["error"]}
    status = child.exited(wait=1.0) if time.monotonic() < deadline else None
    child.kill()
    if status is None:
        return {"status": "import_timeout"}
    return {"status": "exited", "error": exit_reason(os.waitstatus_to_exitcode(status))}


def relay(child: Child | None, command: dict[str, Any]) -> dict[str, Any]:
    """Pass a command to the running app and answer what it says (with the exceptions it saw)."""
    if child is None:
        return {"ok": False, "exceptions": []}
    try:
        send(child.control, command)
        child.control.settimeout(5)
        answer, _ = child.lines.read()
    except (OSError, ValueError):
        answer = None
    return answer or {"ok": False, "exceptions": [], "gone": True}


def become_subreaper() -> None:
    """Linux: a process that the apps start and then orphan (a daemon that calls setsid
    and forks twice) becomes the host's child, not init's, so the host can end it."""
    if sys.platform.startswith("linux"):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER


def parent_of(pid: str) -> int:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return int(stat.read().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return 0


def end_descendants(keep: int = 0) -> None:
    """Kill every process the apps left behind, until none is left (each one killed
    hands its own children to the host); `keep`: the spare's process."""
    if not os.path.isdir("/proc"):
        return
    for _ in range(200):
        children = [
            int(pid)
            for pid in os.listdir("/proc")
            if pid.isdigit() and int(pid) != keep and parent_of(pid) == os.getpid()
        ]
        if not children:
            return
        for pid in children:
            try:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, os.WNOHANG)  # only those: the spare's own end is the spare's to read
            except OSError:
                pass


def main() -> None:
    control = socket.socket(fileno=int(sys.argv[1]))
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    become_subreaper()
    warm_up()  # so that every child starts at once
    warm_libraries(sys.argv[2:])  # those of the folders the run expects to check

    lines = Lines(control)
    child: Child | None = None
    spare: Child | None = None
    send(control, {"event": "host_ready", "pid": os.getpid()})
    while True:
        command, fds = lines.read()
        if command is None:
            break
        if command["cmd"] == "prepare" and child is not None:
            # The next test's spare, prepared while this test's app serves: only an older spare goes
            # (the running app and what it started stay; the next start ends them).
            if spare is not None:
                spare.kill()
            warm_libraries(command.get("libraries", []))
            spare, answer = prepare(command, fds, control)
        elif command["cmd"] in ("start", "prepare"):
            # One app at a time: nothing of the app before may touch this one's copy. The spare
            # (which has only imported its own copy) goes too, unless this start takes it, or
            # leaves it to the next test (a restart within this test: `keep_spare`).
            taken = spare if command["cmd"] == "start" and command.get("spare") else None
            kept = spare if command["cmd"] == "start" and command.get("keep_spare") else None
            survivor = taken or kept
            for other in (child, spare if survivor is None else None):
                if other is not None:
                    other.kill()
            end_descendants(keep=survivor.pid if survivor is not None else 0)
            child, spare = None, kept
            warm_libraries(command.get("libraries", []))  # before the fork: every later child has them
            if command["cmd"] == "start":
                child, answer = start(command, fds, control, taken)
            else:
                spare, answer = prepare(command, fds, control)
        elif command["cmd"] == "stop":
            answer = relay(child, {"cmd": "report"})
            if child is not None:
                child.kill()
            end_descendants(keep=spare.pid if spare is not None else 0)
            child = None
        else:
            answer = relay(child, command)
        send(control, answer)
    for other in (child, spare):
        if other is not None:
            other.kill()
    end_descendants()  # the test process closed the channel: nothing of the apps outlives the run
    # Nothing is left to write: end now, without tearing down every module the apps
    # imported (time the test process would wait for).
    os._exit(0)


def serve_one() -> None:
    """Where there is no fork (Windows): this process serves one app, then ends.

    It warms up, says so on stdout, and waits on stdin for its one `start`; the test
    process keeps one such process ready while a test runs. Commands and answers
    stay on the original stdin and stdout; the app's own output goes to its file."""
    channel = Channel(reader=os.fdopen(os.dup(0), "r"), writer=os.fdopen(os.dup(1), "w"))
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    warm_up()
    channel.send({"event": "host_ready", "pid": os.getpid()})
    command = channel.read()
    if command is None or command.get("cmd") != "start":
        return
    warm_libraries(command.get("libraries", []))
    output = os.open(command["output"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    for fd in (1, 2):
        os.dup2(output, fd)
    line_by_line()
    # create_server sets SO_REUSEADDR where it means "again after a restart" (not on Windows).
    listener = socket.create_server(("127.0.0.1", int(command["port"])), backlog=128)
    serve_child(command["folder"], command, listener, channel)


if __name__ == "__main__":
    serve_one() if sys.argv[1:] == ["--one"] else main()
