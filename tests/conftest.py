"""The suites' fixtures come from the workshop's plugin (src/workshop/fixtures.py):
``step_dir``, ``learner_app``, ``client``, ``live_api``, ``open_page``. This file
makes ``tests/`` the folder the shared checks (workshop_checks.py,
page_checks.py) are imported from, and loads Schemathesis's pytest plugin for the
one module that needs it (pyproject.toml keeps it off otherwise: it costs a quarter
of a second at every start)."""

from pathlib import Path

import pytest

FUZZ_MODULE = "test_fuzz_reference_steps.py"


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> None:
    manager = parent.config.pluginmanager
    if file_path.name == FUZZ_MODULE and not manager.has_plugin("schemathesis-for-fuzzing"):
        import schemathesis.pytest.plugin

        manager.register(schemathesis.pytest.plugin, "schemathesis-for-fuzzing")
