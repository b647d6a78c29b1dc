"""The suites' fixtures come from the workshop's plugin (src/workshop/fixtures.py):
``step_dir``, ``learner_app``, ``client``, ``live_api``, ``open_page``. This file
makes ``tests/`` the folder the shared checks (workshop_checks.py,
page_checks.py) are imported from, and loads Schemathesis's pytest plugin for the
one module that needs it (pyproject.toml keeps it off otherwise: importing it costs
about half a second, at every start)."""

import pytest

FUZZ_MODULE = "test_fuzz_reference_steps.py"


def pytest_collectstart(collector: pytest.Collector) -> None:
    # Not pytest_collect_file: pytest calls that for every file of the folder, also when
    # only one suite was asked for; a collector starts only for a module that is collected.
    manager = collector.config.pluginmanager
    if collector.path.name == FUZZ_MODULE and not manager.has_plugin("schemathesis-for-fuzzing"):
        import schemathesis.pytest.plugin

        manager.register(schemathesis.pytest.plugin, "schemathesis-for-fuzzing")
