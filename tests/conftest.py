"""The suites' fixtures come from the workshop's plugin (src/workshop/fixtures.py):
``step_dir``, ``learner_app``, ``client``, ``live_api``, ``open_page``. This file
makes ``tests/`` the folder the shared checks (workshop_checks.py,
page_checks.py) are imported from, and loads two pytest plugins for the modules that
need them (pyproject.toml keeps them off otherwise): Schemathesis's for the fuzzing
module (importing it costs about half a second, at every start), and Hypothesis's for
the modules that use Hypothesis (its summary at the end of a run imports all of
Hypothesis, about 0.1 s, also in a run that never used it)."""

import importlib.util

import pytest

FUZZ_MODULE = "test_fuzz_reference_steps.py"
# Schemathesis is the workshop's own tooling (requirements-dev.txt), not the learners': where it
# is not installed, the fuzzing module is left out (the everyday run deselects it anyway).
collect_ignore = [] if importlib.util.find_spec("schemathesis") else [FUZZ_MODULE]
USES_HYPOTHESIS = ("hypothesis", "api_model")  # words of a module that uses it, itself or through the model


def pytest_configure(config: pytest.Config) -> None:
    if collect_ignore and any(FUZZ_MODULE in str(argument) for argument in config.args):
        raise pytest.UsageError(
            f"{FUZZ_MODULE} needs Schemathesis, one of the workshop's own tools: "
            "pip install -r requirements-dev.txt"
        )


def pytest_collectstart(collector: pytest.Collector) -> None:
    # Not pytest_collect_file: pytest calls that for every file of the folder, also when
    # only one suite was asked for; a collector starts only for a module that is collected.
    if not isinstance(collector, pytest.Module):
        return
    manager = collector.config.pluginmanager
    if collector.path.name == FUZZ_MODULE and not manager.has_plugin("schemathesis-for-fuzzing"):
        import schemathesis.pytest.plugin

        manager.register(schemathesis.pytest.plugin, "schemathesis-for-fuzzing")
    if not manager.has_plugin("hypothesis-on-demand") and not manager.has_plugin("hypothesispytest"):
        text = collector.path.read_text(encoding="utf-8", errors="replace")
        if any(word in text for word in USES_HYPOTHESIS):
            import _hypothesis_pytestplugin

            manager.register(_hypothesis_pytestplugin, "hypothesis-on-demand")
            # The session started before the plugin came: give it the hook it missed (there,
            # Hypothesis learns that pytest's start-up is over).
            _hypothesis_pytestplugin.pytest_sessionstart(collector.session)
