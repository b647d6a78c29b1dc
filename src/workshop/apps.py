"""The test process's side of the app host: a learner's app, out of process, reached over HTTP.

Learner code never runs in the test process, which decides and writes the
results. One app host (``apphost.py``) runs per test session; on Linux with
bubblewrap it runs in a sandbox (see ``sandbox_command``). Every test gets a
fresh throw-away copy of the step folder and a fresh import of its ``main.py``
in a new process, served on the same port (so the browser's address for the API
never changes), and nothing else.
"""

from __future__ import annotations

import functools
import json
import os
import queue
import re
import shutil
import socket
import ssl
import stat
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import count
from pathlib import Path
from typing import Any

import httpx2

from workshop.apphost import LIBRARIES, exit_reason

HOST_SCRIPT = Path(__file__).with_name("apphost.py")
SANDBOX_SCRIPT = "/workshop/apphost.py"  # where the host script is, inside the sandbox
APPS_INSIDE = "/apps"  # the copies' folder, as the sandboxed host sees it
APPS_SIZE = 512 * 2**20  # bytes all the copies of a run and what the apps write there may take (memory)
TMP_SIZE = 256 * 2**20  # bytes of /tmp in the sandbox (memory)
SHM_SIZE = 64 * 2**20  # bytes of /dev/shm in the sandbox (memory)
REPLY_TIMEOUT = 30.0  # seconds the host may take to answer a command (an import has its own limit)
OUTPUT_SHOWN = 3000  # characters of the app's own output shown with a failure
# .env and database files: the learner's own settings and data (git ignores them). The checks
# decide the settings and start from no data; a test that needs a .env gives it (files=).
IGNORED_NAMES = shutil.ignore_patterns(
    "__pycache__", ".venv", "venv", "node_modules", ".git", ".env", "*.db", "*.sqlite", "*.sqlite3"
)


def copy_ignored(folder: str, names: list[str]) -> set[str]:
    """What a copy leaves out: caches, environments, and anything that is neither a file, a
    folder nor a link (a named pipe would block the copy, a device has no place in a step)."""
    skipped = set(IGNORED_NAMES(folder, names))
    for name in names:
        path = os.path.join(folder, name)
        if not (os.path.islink(path) or os.path.isdir(path) or os.path.isfile(path)):
            skipped.add(name)
    return skipped


# `import x` / `from x import y` at the start of a line: the name of what a module imports.
IMPORTED_NAME = re.compile(r"^[ \t]*(?:from|import)[ \t]+([A-Za-z_]\w*)", re.MULTILINE)
SCANNED_BYTES = 1_000_000  # a step's own modules are small; a huge file is not read whole


def libraries_used(folder: Path) -> list[str]:
    """The later steps' libraries (apphost.LIBRARIES) that the folder's Python files import:
    the host imports those before it forks the app. Only a hint for speed: the text is read,
    nothing is run, and a library missed is imported by the app itself."""
    names: set[str] = set()
    for path in sorted(folder.rglob("*.py"))[:200]:
        if any(part in (".venv", "venv", "node_modules", ".git") for part in path.parts):
            continue
        if path.is_symlink() or not path.is_file():  # a named pipe would block, a link lead elsewhere
            continue
        try:
            with path.open("rb") as file:
                text = file.read(SCANNED_BYTES).decode("utf-8", "replace")
        except OSError:
            continue
        names.update(IMPORTED_NAME.findall(text))
    return sorted(names & LIBRARIES.keys())


class AppFailed(Exception):
    """The learner's app could not be started: the message says why, for the learner."""


def write_new_file(folder: Path, name: str, text: str) -> None:
    """A test's file (a .env) in a fresh copy: whatever the learner's folder had under that
    name (a folder, a link: removed, never followed) makes way. Nothing of the app runs yet."""
    if Path(name).name != name or name in ("", ".", ".."):
        raise ValueError(f"files=: {name!r} should be a plain file name")
    path = folder / name
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    path.unlink(missing_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644)
    with os.fdopen(fd, "w", encoding="utf-8") as stream:
        stream.write(text)


# --- The copy after the app ran: the trusted side never follows a link ------------------
#
# The app may have put links in its copy, to any file of the grader's (a link is only a
# name, whatever it points at in the sandbox), and may have swapped a folder of the copy
# for one. The test process reaches every file from the host's workdir, which the app
# cannot replace (a mount point in the sandbox), one part at a time with O_NOFOLLOW.

FILE_LIMIT = 50 * 2**20  # bytes: a bigger file of the app's is not read (its database is small)
SAFE_OPEN = os.open in os.supports_dir_fd and hasattr(os, "O_NOFOLLOW")  # not on Windows (and no sandbox there)


def _open_folder_below(root: Path, parts: Sequence[str]) -> int:
    """A descriptor of root/parts..., each part opened in the one before, none followed if a link."""
    fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for part in parts:
            inner = os.open(part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=fd)
            os.close(fd)
            fd = inner
    except OSError:
        os.close(fd)
        raise
    return fd


def _read_regular(name: str, folder_fd: int) -> bytes | None:
    """The regular file `name` in the folder, or None (a link, a pipe, a folder, too big)."""
    try:
        fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=folder_fd)
    except OSError:
        return None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode) or info.st_size > FILE_LIMIT:
        os.close(fd)
        return None
    with os.fdopen(fd, "rb") as stream:
        return stream.read(FILE_LIMIT)  # it may grow meanwhile: no more than the limit


def _open_regular_for_writing(name: str, folder_fd: int) -> int:
    """`name` in the folder, emptied for writing: the regular file there, or a new one in place
    of whatever else is there (a link is removed, never followed)."""
    try:
        fd = os.open(name, os.O_WRONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=folder_fd)
    except OSError:
        fd = -1  # none, or a link (ELOOP), or a folder
    if fd >= 0 and stat.S_ISREG(os.fstat(fd).st_mode):
        os.ftruncate(fd, 0)
        return fd
    if fd >= 0:
        os.close(fd)
    try:
        os.unlink(name, dir_fd=folder_fd)
    except FileNotFoundError:
        pass
    return os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644, dir_fd=folder_fd)


def _copy_folder(source: Path, target: Path) -> None:
    """A throw-away copy of a learner's folder. Symbolic links are copied as links, never
    followed: a link to a file outside the folder stays a link to nothing in the sandbox."""
    shutil.copytree(source, target, symlinks=True, ignore=copy_ignored)


@functools.cache
def caps_memory_folders(bwrap: str) -> bool:
    """bubblewrap 0.8 and newer can cap a folder in memory (--size); Ubuntu 22.04 has 0.6."""
    try:
        usage = subprocess.run([bwrap, "--help"], capture_output=True, text=True, timeout=20).stdout
    except (OSError, subprocess.TimeoutExpired):
        return False
    return "--size" in usage


def sandbox_command(scratch: Path, shared: Sequence[Path] = ()) -> list[str] | None:
    """bubblewrap's command line for the host, or None where there is no bubblewrap.

    Inside: a new PID namespace whose processes all die with the host, no network
    (the test process hands each app its listening socket), an unprivileged user,
    a read-only view of the system and of Python and its packages only, and one
    writable folder for the throw-away copies, /apps: in memory, capped (APPS_SIZE),
    gone with the sandbox; the test process reaches it through /proc (AppHost.workdir).
    A bubblewrap that cannot cap it (older than 0.8) gets `scratch`, on the disk, instead.
    The tests, the hidden tests, the class folder and every other learner's work are
    not there at all. `shared`: folders the apps may read, e.g. a database server's
    socket folder (tests/database_servers.py)."""
    bwrap = shutil.which("bwrap")
    if bwrap is None or not sys.platform.startswith("linux"):
        return None
    capped = caps_memory_folders(bwrap)

    def cap(size: int) -> list[str]:
        return ["--size", str(size)] if capped else []

    readable = [
        "/usr",
        "/bin",
        "/lib",
        "/lib64",
        "/sbin",
        "/etc/ld.so.cache",
        "/etc/alternatives",
        os.path.realpath(sys.base_prefix),
        sys.prefix,
    ]
    command = [
        bwrap,
        "--unshare-all",
        "--die-with-parent",
        "--new-session",
        "--uid",
        "65534",
        "--gid",
        "65534",
        "--proc",
        "/proc",
        "--dev",
        "/dev",
        # Writable, but in memory: capped, so that an app cannot fill the machine's memory there;
        # /dev itself read-only (its devices still work).
        *cap(TMP_SIZE),
        "--tmpfs",
        "/tmp",
        *cap(SHM_SIZE),
        "--tmpfs",
        "/dev/shm",
        "--remount-ro",
        "/dev",
    ]
    for path in dict.fromkeys(readable):
        command += ["--ro-bind-try", path, path]
    for folder in shared:
        command += ["--ro-bind", str(folder), str(folder)]
    copies = APPS_INSIDE if capped else str(scratch)
    place = [*cap(APPS_SIZE), "--tmpfs", APPS_INSIDE] if capped else ["--bind", copies, copies]
    command += [
        "--ro-bind",
        str(HOST_SCRIPT),
        SANDBOX_SCRIPT,
        *place,
        "--chdir",
        copies,
        "--clearenv",
        "--setenv",
        "HOME",
        copies,
        "--setenv",
        "PATH",
        "/usr/bin:/bin",
        "--setenv",
        "PYTHONDONTWRITEBYTECODE",
        "1",
        "--setenv",
        "PYTHONUNBUFFERED",
        "1",
    ]
    return command


def sandbox_works(command: list[str]) -> bool:
    """bubblewrap can be installed and still be refused (a container without user namespaces)."""
    try:
        return subprocess.run([*command, "true"], capture_output=True, timeout=20).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


class AppHost:
    """One app host for a test session. `sandbox`: "auto" (bubblewrap where it works), "bwrap", "none"."""

    passes_sockets = True

    def __init__(self, sandbox: str = "auto", import_timeout: float = 10.0) -> None:
        self.import_timeout = import_timeout
        # The host's log; and the copies, where there is no sandbox (else they are in it: workdir).
        self.scratch = Path(tempfile.mkdtemp(prefix="workshop-apps-"))
        self.apps_folder: int | None = None  # a descriptor of the sandbox's folder of copies
        self.sandbox_info: int | None = None  # bubblewrap writes that PID here (--info-fd)
        # The apps' output files, where the sandbox cannot reach: the host writes to a file
        # descriptor we hand it. A path in workdir could be swapped for a link to any file of
        # ours (the tests, /proc/self/environ), which we would then show as "what the app printed".
        self.outputs = Path(tempfile.mkdtemp(prefix="workshop-output-"))
        self.copies = count(1)
        self.process: subprocess.Popen[bytes] | None = None
        self.control: socket.socket | None = None
        self.buffer = b""
        self.sandboxed = False
        self.copies_inside = False  # the copies are in the sandbox's own folder, not in scratch
        self.sandbox = sandbox
        self.waiting = False  # a command was sent and its answer not read yet
        self.launching = False  # started, and its "host_ready" not read yet
        self.prepared: Prepared | None = None  # a child that imported the app the next test likely starts
        self.shared: list[Path] = []  # folders bound into the sandbox (read-only) at the next launch
        self.scanned: dict[Path, list[str]] = {}  # folder -> libraries_used(folder), read once

    # -- the host process

    @property
    def workdir(self) -> Path:
        """Where the copies are, as this process reaches them: the sandbox's own folder, or,
        with no sandbox, on the disk. The host is launched if it is not running, and waited
        for: once it has warmed up, its sandbox is there. The folder is opened once, through
        /proc/PID/root (the sandbox's files as its processes see them), and reached through
        that descriptor from then on: a PID is soon another process's (32768 of them, often)."""
        if self.process is None:
            self.launch()
        if not self.copies_inside:
            return self.scratch
        if self.apps_folder is None:
            self.ready()
            assert self.sandbox_info is not None
            text = b""
            while b"}" not in text:  # one small JSON object, written as soon as the sandbox is up
                chunk = os.read(self.sandbox_info, 4096)
                if not chunk:
                    break
                text += chunk
            os.close(self.sandbox_info)
            self.sandbox_info = None
            found = re.search(rb'"child-pid"\s*:\s*(\d+)', text)
            if found is None or self.process is None or self.process.poll() is not None:  # alive: so is its child
                raise AppFailed("the app host's sandbox ended as it started")
            folder = f"/proc/{int(found.group(1))}/root{APPS_INSIDE}"
            self.apps_folder = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
        return Path(f"/proc/self/fd/{self.apps_folder}")

    def inside(self, path: Path) -> str:
        """A path of workdir as the host sees it."""
        if not self.copies_inside:
            return str(path)
        return f"{APPS_INSIDE}/{path.relative_to(self.workdir).as_posix()}"

    def launch(self) -> None:
        ours, theirs = socket.socketpair()
        fd = theirs.fileno()
        command = sandbox_command(self.scratch, self.shared) if self.sandbox != "none" else None
        if command is not None and self.sandbox == "auto" and not sandbox_works(command):
            command = None
        if command is None and self.sandbox == "bwrap":
            raise AppFailed("--sandbox=bwrap: bubblewrap is not installed or refused to start here")
        # The libraries of every folder seen or expected so far, imported while it warms up.
        libraries = sorted({name for names in self.scanned.values() for name in names})
        passed = [fd]
        self.copies_inside = command is not None and APPS_INSIDE in command  # else in scratch
        if command is not None:
            if self.copies_inside:  # bubblewrap names the sandbox's process: its folder is reached through it
                self.sandbox_info, info = os.pipe()
                passed.append(info)
                command = [*command, "--info-fd", str(info)]
            argv = [*command, sys.executable, "-I", SANDBOX_SCRIPT, str(fd), *libraries]
        else:
            argv = [sys.executable, "-I", str(HOST_SCRIPT), str(fd), *libraries]
        self.sandboxed = command is not None
        log = open(self.scratch / "host.log", "ab")  # noqa: SIM115 - the host's own errors, for us
        # bubblewrap is PID 1 in the sandbox, where its /proc/1/environ can be read: it gets
        # none of ours (secrets of the grading machine); the host inside gets only what --setenv says.
        environment = {"PATH": "/usr/bin:/bin"} if command is not None else None
        self.process = subprocess.Popen(
            argv,
            pass_fds=passed,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            start_new_session=True,
            env=environment,
        )
        log.close()
        theirs.close()
        for extra in passed[1:]:
            os.close(extra)  # bubblewrap's end of the info pipe
        self.control = ours
        self.launching = True  # it warms up while pytest collects: its answer is read when first needed

    def warm(self) -> None:
        """Launch the host now, without waiting for it."""
        if self.process is None:
            self.launch()

    def ready(self) -> None:
        """Launch the host if it is not running, and wait until it has warmed up."""
        if self.process is None:
            self.launch()
        if self.launching:
            self.launching = False
            answer = self._read()
            if answer.get("event") != "host_ready":
                raise AppFailed(f"the app host did not start: {answer}")

    def _read(self) -> dict[str, Any]:
        assert self.control is not None
        self.control.settimeout(REPLY_TIMEOUT + self.import_timeout)
        while b"\n" not in self.buffer:
            try:
                data = self.control.recv(65536)
            except (TimeoutError, OSError):
                data = b""
            if not data:
                raise AppFailed("the app host stopped answering (did main.py kill its parent process?)")
            self.buffer += data
            if len(self.buffer) > 2**20:
                raise AppFailed("the app host answered more than it should")
        line, self.buffer = self.buffer.split(b"\n", 1)
        answer: dict[str, Any] = json.loads(line)
        return answer

    def recover(self) -> None:
        """A command was interrupted before its answer came (the test's own time ran out):
        the host's answers would be out of step, and its app may still hold the port.
        End it all; the next command starts a new host."""
        if self.waiting:
            self.stop_host(wait=0)

    def ask(self, command: dict[str, Any], fds: list[int] | None = None) -> dict[str, Any]:
        self.recover()
        self.ready()
        assert self.control is not None
        data = (json.dumps(command) + "\n").encode()
        try:
            if fds:
                socket.send_fds(self.control, [data], fds)
            else:
                self.control.sendall(data)
        except OSError as error:
            raise AppFailed(f"the app host is gone ({error})") from error
        self.waiting = True
        answer = self._read()
        self.waiting = False
        return answer

    def stop_host(self, wait: float = 10) -> None:
        """End the host and everything in its sandbox (the copies go with it; on the disk,
        where there is no sandbox, they stay until close)."""
        if self.control is not None:
            self.control.close()  # the host then ends every process the apps left, and itself
            self.control = None
        if self.process is not None:
            try:
                self.process.wait(timeout=wait)
            except subprocess.TimeoutExpired:
                pass
            try:
                os.killpg(self.process.pid, 9)
            except OSError:
                pass
            self.process.wait()
            self.process = None
        self.buffer = b""
        self.waiting = False
        self.launching = False
        self.prepared = None
        if self.apps_folder is not None:
            os.close(self.apps_folder)  # the sandbox's folder of copies goes now
            self.apps_folder = None
        if self.sandbox_info is not None:
            os.close(self.sandbox_info)
            self.sandbox_info = None

    def expect(self, folder: Path) -> None:
        """The run will check this folder: the host imports its libraries at launch."""
        self.libraries(folder)

    def libraries(self, folder: Path, options: Mapping[str, Any] | None = None) -> list[str]:
        """The libraries to import before the app: those its files import, and the database
        driver that a DATABASE_URL in its environment makes SQLAlchemy import (psycopg:
        0.1 s for each app on PostgreSQL)."""
        if folder not in self.scanned:
            self.scanned[folder] = libraries_used(folder)
        environment = (options or {}).get("env") or {}
        if any(str(value).startswith("postgresql") for value in environment.values()):
            return sorted({*self.scanned[folder], "psycopg"})
        return self.scanned[folder]

    def prepare(self, folder: Path, options: dict[str, Any]) -> None:
        """Have the host import the app for the next test while this one ends: a fresh
        copy, and a child that imports it and waits for its listening socket."""
        if not self.passes_sockets or self.process is None:
            return
        self.recover()
        copy = self.new_copy(folder, {})
        output = self.outputs / f"{copy.parent.name}-0.log"
        writer = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, 0o600)
        libraries = self.libraries(folder, options)
        command = {"cmd": "prepare", "folder": self.inside(copy), "libraries": libraries, **options}
        try:
            answer = self.ask({**command, "import_timeout": self.import_timeout}, [writer])
        finally:
            os.close(writer)
        if answer.get("status") == "preparing":
            self.prepared = Prepared(folder, json.dumps(options, sort_keys=True), copy, output)

    def fits_prepared(self, folder: Path, options: dict[str, Any]) -> bool:
        """The prepared child imported this folder with these options."""
        prepared = self.prepared
        return prepared is not None and (prepared.folder, prepared.options) == (
            folder,
            json.dumps(options, sort_keys=True),
        )

    def take_prepared(self) -> Prepared | None:
        prepared, self.prepared = self.prepared, None
        return prepared

    def close(self) -> None:
        """End the host and everything in its sandbox; remove the copies."""
        self.stop_host()
        shutil.rmtree(self.scratch, ignore_errors=True)
        shutil.rmtree(self.outputs, ignore_errors=True)

    def new_copy(self, folder: Path, files: Mapping[str, str]) -> Path:
        """A fresh copy of the folder, with `files` (name -> text) written into it. The host
        has ended every process of the app before (nothing in the sandbox runs while we
        write here), and the sandbox's user is the copy's owner (bubblewrap maps it to
        ours), so no permission is changed."""
        place = self.workdir / str(next(self.copies))
        place.mkdir()
        target = place / folder.name
        _copy_folder(folder, target)
        for name, text in files.items():
            write_new_file(target, name, text)
        return target


class SpawnHost(AppHost):
    """The app host where Python cannot fork or pass sockets (Windows): a new Python
    per test, started ahead while the test before it runs, so that a test does not
    wait for Python and FastAPI to load. No sandbox: a process of its own, a copy."""

    passes_sockets = False

    def __init__(self, import_timeout: float = 10.0) -> None:
        super().__init__(sandbox="none", import_timeout=import_timeout)
        self.spare: tuple[subprocess.Popen[str], queue.Queue[str]] | None = None
        self.current: tuple[subprocess.Popen[str], queue.Queue[str]] | None = None

    def _spawn(self) -> tuple[subprocess.Popen[str], queue.Queue[str]]:
        log = open(self.scratch / "host.log", "a")  # noqa: SIM115 - the host's own errors, for us
        process = subprocess.Popen(
            [sys.executable, "-I", str(HOST_SCRIPT), "--one"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
            bufsize=1,
        )
        log.close()
        lines: queue.Queue[str] = queue.Queue()

        def pump() -> None:  # a pipe cannot be read with a time limit everywhere: a thread can
            assert process.stdout is not None
            for line in process.stdout:
                lines.put(line)
            process.stdout.close()
            lines.put("")

        threading.Thread(target=pump, daemon=True).start()
        return process, lines

    def _answer(self, lines: queue.Queue[str], timeout: float) -> dict[str, Any] | None:
        try:
            line = lines.get(timeout=timeout)
        except queue.Empty:
            return None
        answer: dict[str, Any] | None = json.loads(line) if line.strip() else None
        return answer

    def _send(self, process: subprocess.Popen[str], command: dict[str, Any]) -> None:
        assert process.stdin is not None
        try:
            process.stdin.write(json.dumps(command) + "\n")
            process.stdin.flush()
        except OSError as error:
            raise AppFailed(f"the app's process is gone ({error})") from error

    def _end(self) -> None:
        if self.current is not None:
            self._kill(self.current[0])
            self.current = None

    @staticmethod
    def _kill(process: subprocess.Popen[str]) -> None:
        process.kill()
        process.wait()
        if process.stdin is not None:
            process.stdin.close()

    def warm(self) -> None:
        if self.spare is None:
            self.spare = self._spawn()

    def ask(self, command: dict[str, Any], fds: list[int] | None = None) -> dict[str, Any]:
        if command["cmd"] == "start":
            self._end()
            process, lines = self.spare or self._spawn()
            self.spare = None
            if (self._answer(lines, REPLY_TIMEOUT) or {}).get("event") != "host_ready":
                self._kill(process)
                raise AppFailed("the app's Python did not start")
            self._send(process, command)
            self.current = (process, lines)
            self.spare = self._spawn()  # the next test's, warming up while this one runs
            event = self._answer(lines, self.import_timeout)
            if event is not None and event.get("event") == "ready":
                return {"status": "ready"}
            if event is not None and event.get("event") == "import_failed":
                self._end()
                return {"status": "import_failed", "error": event["error"]}
            try:
                code = process.wait(timeout=1)
            except subprocess.TimeoutExpired:
                self._end()
                return {"status": "import_timeout"}
            self._end()
            return {"status": "exited", "error": exit_reason(code)}
        if self.current is None:
            return {"ok": False, "exceptions": []}
        self._send(self.current[0], {"cmd": "report"} if command["cmd"] == "stop" else command)
        answer = self._answer(self.current[1], REPLY_TIMEOUT) or {"ok": False, "exceptions": [], "gone": True}
        if command["cmd"] == "stop":
            self._end()
        return answer

    def close(self) -> None:
        self._end()
        if self.spare is not None:
            self._kill(self.spare[0])
        super().close()


def make_host(sandbox: str = "auto", import_timeout: float = 10.0) -> AppHost:
    """The fork server where Python can fork and pass sockets (Linux, macOS), else one Python per test."""
    spawn = os.environ.get("WORKSHOP_APP_HOST") == "spawn" or not (hasattr(os, "fork") and hasattr(socket, "send_fds"))
    if spawn and sandbox == "bwrap":
        raise AppFailed("--sandbox=bwrap needs Linux")
    return SpawnHost(import_timeout) if spawn else AppHost(sandbox, import_timeout)


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (never 8000 or 5500: the kernel picks
    from its ephemeral range)."""
    probe = listening_socket(0)
    port: int = probe.getsockname()[1]
    probe.close()
    return port


def listening_socket(port: int, wait: float = 3.0) -> socket.socket:
    """A socket listening on 127.0.0.1:port. An app killed a moment ago may hold the port a
    little longer (its processes end asynchronously): try again for `wait` seconds."""
    deadline = time.monotonic() + wait
    while True:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(("127.0.0.1", port))
            sock.listen(128)
            return sock
        except OSError as error:
            sock.close()
            if time.monotonic() >= deadline or port == 0:
                raise AppFailed(f"the app's port {port} is taken: {error}") from error
            time.sleep(0.05)


@functools.cache
def http_client(url: str, timeout: float) -> httpx2.Client:
    """One client per address: every test's app is served at the same address."""
    return new_client(url, timeout)


def new_client(url: str, timeout: float) -> httpx2.Client:
    """A client of the app at `url`, e.g. one per user with its own cookies. No connection is
    kept open from one request to the next: the app behind the address changes."""
    limits = httpx2.Limits(max_keepalive_connections=0)
    return httpx2.Client(base_url=url, timeout=timeout, limits=limits, verify=tls_settings())


@functools.cache
def tls_settings() -> ssl.SSLContext:
    """The TLS settings that every client shares. The apps speak plain HTTP, but a client
    makes its own settings when it is given none: 30 ms of CPU each (every CA certificate
    is read), about 0.5 s for the clients of a users step's suite."""
    return ssl.create_default_context()


@dataclass(frozen=True)
class Prepared:
    """A child the host forked ahead: it has imported the copy of `folder` with these options."""

    folder: Path
    options: str
    copy: Path
    output: Path


@dataclass
class LearnerApp:
    """A learner's app for one test: `client` talks to it over HTTP at `url`.

    `restart(env=..., unset=..., cors=...)` starts it again with another
    environment (a fresh copy of the folder, so a fresh store; `files={".env": ...}`
    adds files to that copy; `keep_data=True` keeps the copy and what the app wrote
    there, e.g. its database file); `stop()`/`start()` take it away and bring it
    back on the same port; `hold()`/`release()` make requests wait;
    `break_route(method, path, message)` and `mend()` make a route raise."""

    host: AppHost
    folder: Path
    port: int = 0
    request_timeout: float = 10.0
    options: dict[str, Any] = field(default_factory=dict)
    exceptions: list[dict[str, Any]] = field(default_factory=list)
    output_files: list[Path] = field(default_factory=list)
    running: bool = False
    copy: Path | None = None
    _client: httpx2.Client | None = None
    # Where this test's part begins, in an app that earlier cases of the test used too
    # (pytest.mark.one_app): what it raised and printed before is theirs.
    first_exception: int = 0
    output_from: dict[Path, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.port = self.port or free_port()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def client(self) -> httpx2.Client:
        if self._client is None:
            self._client = http_client(self.url, self.request_timeout)
        return self._client

    def start(self, *, keep_data: bool = False, files: Mapping[str, str] | None = None, **options: Any) -> LearnerApp:
        """Start the app on a fresh copy of the folder, with `files` (name -> text, e.g.
        {".env": "..."}) written into the copy first; or, with `keep_data`, again on the
        copy it ran on, with the files it wrote (a database file survives a restart)."""
        if self.running:
            self.stop()
        self.options = options or self.options
        if not (self.folder / "main.py").is_file():
            raise AppFailed(f"{self.folder.name} has no main.py")
        self.host.recover()
        # The host's spare is for a test's first start (a fresh copy, no options). A restart
        # within the test leaves it to the next test; any other start ends it.
        restart = bool(self.output_files)
        prepared = None
        if not (restart or keep_data or files) and self.host.fits_prepared(self.folder, self.options):
            prepared = self.host.take_prepared()
        keep_spare = prepared is None and restart and self.host.fits_prepared(self.folder, {})
        if prepared is None and not keep_spare:
            self.host.take_prepared()  # the host ends it
        if prepared is not None:
            copy, output = prepared.copy, prepared.output
        elif keep_data and self.copy is not None:
            if files:
                raise ValueError("files= needs a fresh copy: the app may have replaced them with links")
            copy = self.copy
        else:
            copy = self.host.new_copy(self.folder, files or {})
        if prepared is None:
            output = self.host.outputs / f"{copy.parent.name}-{len(self.output_files) + 1}.log"
        self.copy = copy
        self.output_files.append(output)
        command = {
            "cmd": "start",
            "folder": self.host.inside(copy),
            "port": self.port,
            "libraries": self.host.libraries(self.folder, self.options),
            "keep_spare": keep_spare,
            **self.options,
        }
        answer = self._ask_to_start(command, output, prepared is not None)
        status = answer.get("status")
        if status == "ready":
            self.running = True
            self.client.cookies.clear()  # the client is shared by every test's app: no cookie of the one before
            return self
        raise AppFailed(self._start_failure(answer))

    def _ask_to_start(self, command: dict[str, Any], output: Path, prepared: bool) -> dict[str, Any]:
        """Ask the host to start the app. The app gets its listening socket (no network of its
        own) and its output file from us; a prepared child, which has imported the app already,
        has its output file and needs only the socket. A host that cannot pass sockets (no
        fork: Windows) opens both itself."""
        if not self.host.passes_sockets:
            return self.host.ask({**command, "output": str(output)})
        command = {**command, "import_timeout": self.host.import_timeout}
        listener = listening_socket(self.port)
        writer = None if prepared else os.open(output, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, 0o600)
        if prepared:
            command["spare"] = True
        try:
            return self.host.ask(command, [listener.fileno()] if writer is None else [listener.fileno(), writer])
        finally:
            listener.close()
            if writer is not None:
                os.close(writer)

    def _start_failure(self, answer: dict[str, Any]) -> str:
        main = f"{self.folder.name}/main.py"
        status = answer.get("status")
        if status == "import_failed":
            error = answer["error"]
            where = f" ({error['where']})" if error.get("where") else ""
            return f"{main} could not be imported: {error['type']}{where}: {error['message']}"
        if status == "import_timeout":
            return (
                f"{main} did not finish importing within {self.host.import_timeout:g} s: is there an endless "
                "loop (or a server started) at the top level of main.py?"
            )
        if answer.get("error") == "no_app":
            return f"{main} has no `app`: write `app = FastAPI()` at the top level"
        return f"{main}: {answer.get('error') or answer}"

    def prepare_next(self) -> None:
        """Have the next test's app (started as a test's first start is, with no options)
        imported while this test runs, or while pytest moves on; once is enough."""
        if not self.host.fits_prepared(self.folder, {}):
            self.host.prepare(self.folder, {})

    def restart(self, *, keep_data: bool = False, files: Mapping[str, str] | None = None, **options: Any) -> LearnerApp:
        return self.start(keep_data=keep_data, files=files, **options)

    def _relay(self, command: dict[str, Any]) -> dict[str, Any]:
        answer = self.host.ask(command)
        for record in answer.get("exceptions") or []:
            if record not in self.exceptions:
                self.exceptions.append(record)
        return answer

    def stop(self) -> None:
        if self.running:
            self.running = False
            self._relay({"cmd": "stop"})

    def report(self) -> list[dict[str, Any]]:
        """The exceptions the app raised so far in this test (with the learner's own lines)."""
        if self.running:
            self._relay({"cmd": "report"})
        return self.exceptions[self.first_exception :]

    def next_case(self) -> bool:
        """Keep this app for the next case of the same test (pytest.mark.one_app), which
        answers for its own requests only. False when the app is gone: the case starts one."""
        if not self.running or self._relay({"cmd": "report"}).get("gone"):
            return False
        self.first_exception = len(self.exceptions)
        self.output_from = {path: path.stat().st_size for path in self.output_files if path.exists()}
        return True

    def hold(self) -> None:
        self._relay({"cmd": "hold"})

    def release(self) -> None:
        self._relay({"cmd": "release"})

    def break_route(self, method: str, path: str, message: str) -> None:
        self._relay({"cmd": "break", "method": method, "path": path, "message": message})

    def mend(self) -> None:
        self._relay({"cmd": "mend"})

    # The copy's files, as the app left them: read and written without following a link.

    def _copy_parts(self, name: str = "") -> tuple[list[str], str]:
        """The folders from the host's workdir down to `name`'s folder, and its last part."""
        if self.copy is None:
            raise AppFailed("the app has not started: it has no folder yet")
        if not self.copy.is_relative_to(self.host.workdir):
            raise AppFailed("the app host was started again since: the app's folder is gone")
        parts = [*self.copy.relative_to(self.host.workdir).parts, *Path(name).parts]
        if any(part in ("", ".", "..") for part in parts) or Path(name).is_absolute():
            raise ValueError(f"{name!r} should be a path inside the app's folder")
        return (parts[:-1], parts[-1]) if name else (parts, "")

    def read_file(self, name: str) -> bytes | None:
        """The regular file `name` (e.g. "bookmarks.db", "static/app.css") of the app's copy;
        None when there is none, or it is a link, or a link is on its way, or it is over 50 MB."""
        folders, last = self._copy_parts(name)
        if not SAFE_OPEN:
            path = self.host.workdir.joinpath(*folders, last)
            links = any(self.host.workdir.joinpath(*folders[:n]).is_symlink() for n in range(1, len(folders) + 1))
            if links or path.is_symlink() or not path.is_file() or path.stat().st_size > FILE_LIMIT:
                return None
            return path.read_bytes()
        try:
            folder = _open_folder_below(self.host.workdir, folders)
        except OSError:
            return None
        try:
            return _read_regular(last, folder)
        finally:
            os.close(folder)

    def files(self, subfolders: bool = True) -> dict[str, bytes]:
        """Every regular file of the app's copy (in its subfolders too, unless subfolders=False),
        by its path in the copy; links (to files or folders) are left out, as are files over 50 MB."""
        if not SAFE_OPEN:
            assert self.copy is not None
            paths = self.copy.rglob("*") if subfolders else self.copy.glob("*")
            return {
                str(path.relative_to(self.copy)): data
                for path in paths
                if (data := self.read_file(str(path.relative_to(self.copy)))) is not None
            }
        folders, _ = self._copy_parts()
        top = _open_folder_below(self.host.workdir, folders)
        found: dict[str, bytes] = {}
        try:
            for folder, subfolder_names, names, folder_fd in os.fwalk(".", dir_fd=top, follow_symlinks=False):
                if not subfolders:
                    subfolder_names.clear()
                for name in names:
                    data = _read_regular(name, folder_fd)
                    if data is not None:
                        found[os.path.normpath(os.path.join(folder, name))] = data
        finally:
            os.close(top)
        return found

    def write_file(self, name: str, data: bytes) -> None:
        """Write `name` in the app's copy: a regular file there is written over in place (an app
        that has it open sees the new bytes: a database taken down under it); anything else under
        that name (a link, a pipe) is replaced by a new file. A link is never followed."""
        folders, last = self._copy_parts(name)
        if not SAFE_OPEN:
            path = self.host.workdir.joinpath(*folders, last)
            if path.is_symlink() or (path.exists() and not path.is_file()):
                path.unlink()
            path.write_bytes(data)
            return
        folder = _open_folder_below(self.host.workdir, folders)
        try:
            fd = _open_regular_for_writing(last, folder)
            with os.fdopen(fd, "wb") as stream:
                stream.write(data)
        finally:
            os.close(folder)

    def output(self) -> str:
        """The end of what the app printed during the test."""
        text = ""
        for path in self.output_files:
            try:
                with open(path, "rb") as stream:
                    stream.seek(max(self.output_from.get(path, 0), path.stat().st_size - OUTPUT_SHOWN))
                    text += stream.read().decode("utf-8", "replace")
            except OSError:
                pass
        return text[-OUTPUT_SHOWN:]
