#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image; the zip
# (python grading/make_gradescope_zip.py) is unpacked in /autograder/source.
set -euo pipefail
cd "$(dirname "$0")"

if apt-cache show chromium-headless-shell >/dev/null 2>&1; then
  # A Debian image: exactly what CI and the grading container run.
  bash .ci/install
else
  # Gradescope's Ubuntu images ship Chromium only as a snap, which a container cannot
  # run: the same virtual environment as .ci/install, with Playwright's own build of
  # Chromium (downloaded here: the image is built online, submissions run offline).
  apt-get update
  apt-get install -y python3-venv bubblewrap
  python3 -m venv .venv
  .venv/bin/pip install --quiet -r requirements.txt
  .venv/bin/python -m playwright install --with-deps chromium
fi
