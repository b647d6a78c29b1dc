"""Take the screenshots of the frontend steps' pages for the docs.

    python scripts/screenshots.py

Each picture is of the real page of steps/NN-*/index.html, served the way a
learner serves it (a static server, and uvicorn on another port), in Chromium:
run this again after a change to a page, and the docs show the page as it is.
Writes docs/images/NN-slug.png, and docs/images/home.png (the working app, for
the home page). Uses the system Chromium (CHROMIUM_PATH, else
`chromium` on the PATH), else Playwright's own.
"""

import os
import shutil
import threading
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

from workshop.apps import LearnerApp, make_host
from workshop.fixtures import PAGE_URL, PageServer, host_resolver_rules

REPO = Path(__file__).resolve().parent.parent

IMAGES = REPO / "docs" / "images"


def step_folder(number: str) -> Path | None:
    return next((REPO / "steps").glob(f"{number}-*"), None)


def show_the_list(page):
    """Steps 09 to 11: the page loads the sample bookmarks."""
    expect(page.get_by_role("listitem").first).to_be_visible()


def show_the_cors_error(page):
    """Step 08: the API is there, but the browser blocks the answer."""
    expect(page.get_by_role("alert")).not_to_be_empty()


def show_a_validation_error(page):
    """Steps 12 and 13: a javascript: link gets the server's 422, in words (from step 13
    on, the URL field marked invalid, with the cursor in it)."""
    show_the_list(page)
    page.get_by_label("URL").fill("javascript:alert(1)")
    page.get_by_label("Title").fill("Not a web link")
    page.get_by_role("button", name="Add bookmark").click()
    expect(page.get_by_role("alert")).not_to_be_empty()


# step number -> what to do on the page before the picture is taken
SCENES = {
    "07": lambda page: None,
    "08": show_the_cors_error,
    "09": show_the_list,
    "11": show_the_list,
    "12": show_a_validation_error,
    "13": show_a_validation_error,
}


# The home page's picture: the furthest step whose picture is the working app (the list, no error).
HOME_STEP = max(number for number, scene in SCENES.items() if scene is show_the_list)


def browser_path() -> str | None:
    system = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")
    return system if system and Path(system).is_file() else None


def main() -> None:
    """The test harness's own servers: the step's app in the app host, the page on a
    free port, and Chromium told that they are 127.0.0.1:8000 and 127.0.0.1:5500."""
    host = make_host()
    pages = PageServer()
    threading.Thread(target=pages.serve_forever, daemon=True).start()
    IMAGES.mkdir(parents=True, exist_ok=True)
    app = None
    try:
        with sync_playwright() as playwright:
            rules = None
            browser = None
            for number, scene in SCENES.items():
                folder = step_folder(number)
                if folder is None:
                    continue  # a step not written yet
                app = LearnerApp(host, folder, port=app.port if app else 0).start()  # only the sample bookmarks
                if browser is None:
                    rules = host_resolver_rules(app.port, pages.port, lock_down=False)
                    browser = playwright.chromium.launch(
                        executable_path=browser_path(), args=[f"--host-resolver-rules={rules}"]
                    )
                pages.folder = folder
                page = browser.new_page(viewport={"width": 800, "height": 560})
                page.goto(PAGE_URL)
                scene(page)
                target = IMAGES / f"{folder.name}.png"
                page.screenshot(path=target, full_page=True)
                if number == HOME_STEP:
                    page.screenshot(path=IMAGES / "home.png", full_page=True)
                page.close()
                app.stop()
                print("wrote", target.relative_to(REPO))
            if browser is not None:
                browser.close()
    finally:
        pages.shutdown()
        host.close()


if __name__ == "__main__":
    main()
