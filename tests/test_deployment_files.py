"""The workshop's own deployment files: step 16's image installs the versions CI checks.

Not a step suite (a learner's folder is not read here): with the workshop's tooling, in
`pytest -m tooling`.
"""

import re
from pathlib import Path

import pytest


@pytest.mark.tooling
def test_the_reference_image_installs_the_workshops_versions(pytestconfig):
    """The step's requirements.txt (what the image installs) pins each package as the
    workshop's requirements.txt (what CI installs and the checks run on) does."""
    def pins(path: Path) -> dict[str, str]:
        lines = (line.split("#")[0].strip() for line in path.read_text(encoding="utf-8").splitlines())
        return {re.split(r"[\[<>=!~ ]", line)[0].lower(): line for line in lines if line and not line.startswith("-")}

    workshop = pins(pytestconfig.rootpath / "requirements.txt")
    step = pins(pytestconfig.rootpath / "steps" / "16-one-origin" / "requirements.txt")
    different = {name: (line, workshop.get(name)) for name, line in step.items() if workshop.get(name) != line}
    assert not different, f"the image would install other versions than CI checks (step, workshop): {different}"
