"""How tall each page of the built docs site is, at a laptop's width.

    mkdocs build --site-dir SITE
    python scripts/page_heights.py SITE [--width 1280] [--before OTHER_SITE]

Opens every step page and the home page of the built site (file://) in Chromium and
prints its height in CSS pixels and in screens (of 800 px), one line a page: the figure
issue 11 measures pages by. Collapsed blocks stay collapsed, as a reader first sees them.
With --before (a site built from an older commit, e.g. from `git archive` of it), each
line also gives that site's height of the same page and the change in per cent.
Uses the system Chromium (CHROMIUM_PATH, else `chromium` on the PATH), else Playwright's own.
"""

import argparse
import os
import shutil
from pathlib import Path

from playwright.sync_api import sync_playwright


def chromium_path() -> str | None:
    return os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")


def pages(site: Path) -> list[Path]:
    # The offline plugin turns directory URLs off: steps/NN-slug.html.
    return [site / "index.html", *sorted((site / "steps").glob("[0-9][0-9]-*.html"))]


def heights(site: Path, width: int) -> dict[str, int]:
    """Page name ("home", "04-create-bookmark") -> its height in CSS pixels."""
    found: dict[str, int] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path())
        page = browser.new_page(viewport={"width": width, "height": 800})
        for path in pages(site.resolve()):
            page.goto(path.as_uri())
            page.wait_for_load_state("load")
            found["home" if path.name == "index.html" else path.stem] = page.evaluate(
                "document.documentElement.scrollHeight"
            )
        browser.close()
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path, help="the folder mkdocs build wrote")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--before", type=Path, help="a site built from an older commit, to compare with")
    arguments = parser.parse_args()
    now = heights(arguments.site, arguments.width)
    before = heights(arguments.before, arguments.width) if arguments.before else {}
    for name, height in now.items():
        line = f"{name:24} {height:6} px {height / 800:5.1f} screens"
        if name in before:
            line += f"   before {before[name]:6} px  {100 * height / before[name]:4.0f} %"
        print(line)


if __name__ == "__main__":
    main()
