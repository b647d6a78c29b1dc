"""Build Gradescope's autograder zip: setup.sh and run_autograder at its root, beside the
parts of this repository that grading needs (the harness, the suites, the install script).

    python grading/make_gradescope_zip.py autograder.zip [--steps 01-06] [--hidden DIR]

Upload the zip as the assignment's autograder ("Zip file upload", a Debian or Ubuntu base image).
"""

from __future__ import annotations

import argparse
import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "scripts"))

from grade_class import step_numbers  # noqa: E402  (scripts/ is no package)

# What grading needs, relative to the repository: .ci/install and requirements.txt install it,
# pyproject.toml makes src/ the package `workshop` and holds pytest's settings.
NEEDED = [".ci/install", "requirements.txt", "pyproject.toml", "scripts/grade_class.py", "grading/grade.py"]
NEEDED_GLOBS = ["src/workshop/*.py", "tests/*.py"]
EXECUTABLE = 0o100755 << 16  # the zip's Unix mode for a script Gradescope runs


def contents(hidden: Path | None) -> dict[str, Path]:
    """Name in the zip -> file on disk."""
    files = {name: REPO / name for name in NEEDED}
    for pattern in NEEDED_GLOBS:
        files.update({path.relative_to(REPO).as_posix(): path for path in sorted(REPO.glob(pattern))})
    for name in ("setup.sh", "run_autograder"):
        files[name] = REPO / "grading" / "gradescope" / name
    for path in sorted(hidden.glob("*.py")) if hidden else []:
        name = f"tests/{path.name}"
        if name in files:
            raise SystemExit(f"--hidden: {path.name} has the name of one of the workshop's tests; rename it")
        files[name] = path
    return files


def build(out: Path, steps: str | None = None, hidden: Path | None = None) -> list[str]:
    files = contents(hidden)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, path in files.items():
            info = zipfile.ZipInfo.from_file(path, name)
            if name in ("setup.sh", "run_autograder", ".ci/install"):
                info.external_attr = EXECUTABLE
            archive.writestr(info, path.read_bytes(), zipfile.ZIP_DEFLATED)
        if steps:
            archive.writestr("workshop-steps.txt", steps + "\n")
    return sorted(files)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="the zip to write, e.g. autograder.zip")
    parser.add_argument("--steps", help="grade only these steps, e.g. 01-06 or 04,05 (default: every step)")
    parser.add_argument("--hidden", type=Path, help="a folder of extra test files (test_NN_*.py) learners never see")
    args = parser.parse_args(argv)
    try:
        step_numbers(args.steps or "1")  # fails here, not on Gradescope, when it cannot be read
    except ValueError:
        parser.error(f"--steps {args.steps}: write step numbers like 01-06 or 04,05")
    if args.hidden and not args.hidden.is_dir():
        parser.error(f"--hidden {args.hidden}: there is no such folder")
    names = build(args.out, args.steps, args.hidden)
    print(f"{args.out}: {len(names)} files; upload it as the assignment's autograder")
    return 0


if __name__ == "__main__":
    sys.exit(main())
