"""The Bookmark Manager workshop's test harness: a pytest plugin (``plugin``), its
fixtures (``fixtures``), the grading results (``results``), the step folders
(``steps``) and the app host that runs a learner's app out of process (``apps``,
``apphost``)."""
