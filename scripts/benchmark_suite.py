"""One step's suite against the floor: a two-test FastAPI pytest file, on this machine.

    python scripts/benchmark_suite.py [--step 04 [12 ...]] [--runs 5]

The budget (DEVELOPERS' guide): one step's suite within 1.5x the floor. The floor is
what a two-test FastAPI pytest file costs in a plain FastAPI project: pytest with no
plugin but its own (PYTEST_DISABLE_PLUGIN_AUTOLOAD), FastAPI and its TestClient. In
the workshop's environment pytest would also load every plugin installed there,
Schemathesis and Hypothesis included (about 0.35-0.5 s more), which the workshop's own
runs turn off: that floor is printed too ("floor, every plugin"), not used for the ratio.

Each is run `--runs` times, alternately, in a fresh pytest process (as a learner runs
it); the script prints the median wall time and CPU time (pytest and every process it
started: the app host, the apps, the browser) of each, and their ratio. Run it on a
quiet machine: other work on the CPUs shows up as wall time.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

FLOOR = """from fastapi import FastAPI
from fastapi.testclient import TestClient

app = FastAPI()


@app.get("/")
def root():
    return {"message": "hello"}


def test_one():
    assert TestClient(app).get("/").status_code == 200


def test_two():
    assert TestClient(app).get("/").json() == {"message": "hello"}
"""


def cgroup_usage(group: Path) -> float | None:
    """CPU seconds of every process that ever ran in `group` (cgroup v1 or v2)."""
    for name, scale in (("cpuacct.usage", 1e-9), ("cpu.stat", 1e-6)):
        path = group / name
        if path.exists():
            text = path.read_text()
            value = text.split()[1] if name == "cpu.stat" else text  # "usage_usec N ..."
            return int(value) * scale
    return None


def new_cgroup() -> Path | None:
    """A cgroup of our own (as root, where the CPU controller is mounted): it counts the
    sandboxed app host and the apps too, which rusage misses (they are killed, not waited for)."""
    for root in (Path("/sys/fs/cgroup/cpuacct"), Path("/sys/fs/cgroup")):
        group = root / f"workshop-benchmark-{os.getpid()}"
        try:
            group.mkdir()
        except OSError:
            continue
        if cgroup_usage(group) is not None:
            return group
        group.rmdir()
    return None


def timed(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[float, float]:
    """(wall, CPU) seconds of one run: CPU of every process it started, where a cgroup can
    count them, else of those that were waited for."""
    group = new_cgroup()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()

    def join() -> None:  # in the child, before pytest starts: it and all it starts are counted
        if group is not None:
            (group / "cgroup.procs").write_text(str(os.getpid()))

    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, preexec_fn=join)
    wall = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{result.stdout[-2000:]}")
    if group is not None:
        cpu = cgroup_usage(group) or 0.0
        group.rmdir()
        return wall, cpu
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--step", nargs="+", default=["04"], help="the steps' numbers (default 04)")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    suites = [next((REPO / "tests").glob(f"test_{step}_*.py")) for step in args.step]
    pytest = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    bare = {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    with tempfile.TemporaryDirectory(prefix="workshop-floor-") as folder:
        floor = Path(folder) / "test_floor.py"
        floor.write_text(FLOOR)
        runs: dict[str, list[tuple[float, float]]] = {"floor": [], "floor, every plugin": []}
        runs.update({suite.stem: [] for suite in suites})
        for _ in range(args.runs):
            runs["floor"].append(timed([*pytest, str(floor)], Path(folder), bare))
            runs["floor, every plugin"].append(timed([*pytest, str(floor)], Path(folder)))
            for suite in suites:
                runs[suite.stem].append(timed([*pytest, str(suite.relative_to(REPO))], REPO))
    medians = {
        name: (statistics.median(wall for wall, _ in times), statistics.median(cpu for _, cpu in times))
        for name, times in runs.items()
    }
    floor_wall, floor_cpu = medians["floor"]
    for name, (wall, cpu) in medians.items():
        ratio = f"   {wall / floor_wall:.2f}x wall, {cpu / floor_cpu:.2f}x CPU" if name != "floor" else ""
        print(f"{name:30} wall {wall:5.2f} s   CPU {cpu:5.2f} s{ratio}")
    print(
        f"median of {args.runs}; ratios to the floor (budget 1.5x wall); "
        f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
