"""The suites' fixtures come from the workshop's plugin (src/workshop/fixtures.py):
``step_dir``, ``learner_app``, ``client``, ``live_api``, ``open_page``. This file
only makes ``tests/`` the folder the shared checks (workshop_checks.py,
page_checks.py) are imported from."""
