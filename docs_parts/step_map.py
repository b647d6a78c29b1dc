"""The home page's generated parts: the map of the steps, and the picture of the finished app.

* ``docs/generated/step-map.md`` is a table with one row per page docs/steps/NN-slug.md:
  its number, its title (from the page's heading "# Step NN — Title") as a link, and the
  first point of its "What you'll learn" box. A step added later appears on the map by itself.
* ``docs/generated/home-screenshot.md`` is the picture of the working app, docs/images/home.png
  (made by scripts/screenshots.py), or nothing while there is none yet.

Both are included by docs/index.md (written by scripts/build_docs_parts.py).
"""

import re
from pathlib import Path

from .changes import PartError

DOCS = Path(__file__).resolve().parent.parent / "docs"
HEADING = re.compile(r"^# Step (\d\d) — (.+)$", re.MULTILINE)
FIRST_POINT = re.compile(r'!!! abstract "What you\'ll learn"\s*\n\s*\n\s*- (.+?)(?:\n\s*-|\n\s*\n|\Z)', re.DOTALL)


def step_pages() -> list[Path]:
    return sorted((DOCS / "steps").glob("[0-9][0-9]-*.md"))


def step_map_part() -> str:
    """The table, with links as seen from docs/index.md."""
    rows = ["| step | page | you learn |", "|---|---|---|"]
    for page in step_pages():
        text = page.read_text(encoding="utf-8")
        heading = HEADING.search(text)
        if heading is None:
            raise PartError(f"docs/steps/{page.name} should start with '# Step NN — Title'")
        point = FIRST_POINT.search(text)
        learn = " ".join(point[1].split()).rstrip(";.,") if point else ""
        rows.append(f"| {heading[1]} | [{heading[2]}](steps/{page.name}) | {learn} |")
    return "\n".join(rows) + "\n"


def home_screenshot_part() -> str:
    """The working app, as scripts/screenshots.py pictures it for the home page."""
    if not (DOCS / "images" / "home.png").is_file():
        return "\n"
    return "![The Bookmark Manager at work: a form to add a bookmark, and the list of bookmarks](images/home.png)\n"
