#!/usr/bin/env bash
# GitHub Actions, in the learner's own repository (grading/github-actions/workshop.yml):
# grade the repository's step folders, show the grade card as the job's summary, and
# fail the job when a test fails. GITHUB_WORKSPACE (the learner's checkout) and
# GITHUB_STEP_SUMMARY are Actions' own variables; WORKSHOP_STEPS grades only some steps.
# Results (Gradescope's results.json, JUnit XML) go to WORKSHOP_RESULTS.
set -euo pipefail
workshop="$(cd "$(dirname "$0")/../.." && pwd)"
results="$(realpath -m "${WORKSHOP_RESULTS:-${RUNNER_TEMP:-/tmp}/workshop-results}")"
"$workshop/.venv/bin/python" "$workshop/grading/grade.py" "${GITHUB_WORKSPACE:?}" \
  --grade-json="$results/results.json" --junitxml="$results/junit.xml" \
  --summary="${GITHUB_STEP_SUMMARY:-/dev/stdout}"
