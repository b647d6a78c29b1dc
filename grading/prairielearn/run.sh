#!/usr/bin/env bash
# PrairieLearn's external grader: the entrypoint of a question whose image is the
# workshop's container (grading/Containerfile). The learner's files are in
# /grade/student (step folders, a steps/ folder, or one step's main.py with
# WORKSHOP_STEPS naming that step); the results go to /grade/results/results.json
# (score 0..1, one entry per test). GRADE_DIR moves the whole layout (the tests run
# it on a fake one); set WORKSHOP_STEPS in info.json's "environment".
set -euo pipefail
root="${GRADE_DIR:-/grade}"
workshop="$(cd "$(dirname "$0")/../.." && pwd)"
mkdir -p "$root/results"
# pytest's exit code says whether a test failed; PrairieLearn reads the score from the JSON.
"$workshop/.venv/bin/python" "$workshop/grading/grade.py" "$root/student" \
  --grade-json="$(mktemp -d)/gradescope.json" --prairielearn="$root/results/results.json" || true
test -s "$root/results/results.json"
