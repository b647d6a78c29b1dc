"""mkdocs hook: the map of the steps on the home page, made from the step pages.

The line ``<!-- step-map -->`` (in docs/index.md) becomes a table with one row per
page docs/steps/NN-slug.md: its number, its title (from the page's heading
"# Step NN — Title") as a link, and the first point of its "What you'll learn"
box. A step added later appears on the map by itself.

The line ``<!-- home-screenshot -->`` becomes the screenshot of the finished app,
step 12's picture docs/images/12-*.png (made by scripts/screenshots.py), or
nothing while there is none yet.
"""

import re
from pathlib import Path

from mkdocs.exceptions import PluginError

DOCS = Path(__file__).resolve().parent.parent / "docs"
MARKER = "<!-- step-map -->"
SCREENSHOT = "<!-- home-screenshot -->"
HEADING = re.compile(r"^# Step (\d\d) — (.+)$", re.MULTILINE)
FIRST_POINT = re.compile(r'!!! abstract "What you\'ll learn"\s*\n\s*\n\s*- (.+?)(?:\n\s*-|\n\s*\n|\Z)', re.DOTALL)


def step_rows(page_uri: str) -> list[str]:
    depth = page_uri.count("/")
    prefix = "../" * depth
    rows = []
    for page in sorted((DOCS / "steps").glob("[0-9][0-9]-*.md")):
        text = page.read_text(encoding="utf-8")
        heading = HEADING.search(text)
        if heading is None:
            raise PluginError(f"docs/steps/{page.name} should start with '# Step NN — Title'")
        point = FIRST_POINT.search(text)
        learn = " ".join(point[1].split()).rstrip(";.,") if point else ""
        rows.append(f"| {heading[1]} | [{heading[2]}]({prefix}steps/{page.name}) | {learn} |")
    return rows


def last_step_screenshot() -> Path | None:
    """The picture of step 12's page, the finished app (docs/images/12-*.png)."""
    images = sorted((DOCS / "images").glob("12-*.png"))
    return images[0] if images else None


def on_page_markdown(markdown, page, **kwargs):
    if SCREENSHOT in markdown:
        image = last_step_screenshot()
        figure = (
            f"![The finished Bookmark Manager: a form to add a bookmark, and the list of bookmarks]"
            f"({'../' * page.file.src_uri.count('/')}images/{image.name})"
            if image else ""
        )
        markdown = markdown.replace(SCREENSHOT, figure)
    if MARKER not in markdown:
        return markdown
    table = ["| step | page | you learn |", "|---|---|---|", *step_rows(page.file.src_uri)]
    return markdown.replace(MARKER, "\n".join(table))
