"""The reference pages (step 07 on) are accessible: checks of the workshop's own pages.

Not learner checks: this file always tests the reference steps in steps/, whatever
--app or --steps-dir say, and a learner's simpler page is never held to it (the step
suites and their "What the checks expect" boxes are what a learner's page must do).

1. axe-core (vendored in tests/vendor/axe-core, no CDN) finds no violation of the
   WCAG 2 A and AA rules on each page with its API running: with bookmarks listed,
   after the API refused a bookmark (422) where the page sends one, and while a
   bookmark is edited where it can be; on a page behind a log-in, also logged out (its
   log-in and sign-up form) and after a refused log-in and a refused sign-up.
2. What axe cannot see (it found nothing on the pages before these were fixed), done
   with the keyboard as a keyboard or screen reader user would: after a save, a 422,
   a 500 or a delete the focus never drops to <body>; from step 11 on, adding, saving
   and Cancel put the cursor back in the URL field and Edit puts it there; after a 422
   the field it names is marked aria-invalid, described by the message and focused,
   and the mark goes once the field is corrected; every Edit and Delete button is
   named after its bookmark ("Delete Alpha notes"), so a list of buttons read out is
   not "Edit, Delete, Edit, Delete". On a page behind a log-in the same goes for the
   account form: a refused log-in, a sign-up and a log-out keep the focus, and a 422
   on sign-up marks the field it names.

Which page gets which check is read from the page itself (a page whose script sends
POST has a form that adds...), so the file follows the steps if they are renumbered.
A page with a password field is behind a log-in: it lists bookmarks only to a user, so
its checks sign one up and log them in first (the `api` fixture), and open the page
the app serves (the login cookie is the app's origin's). A page with no log-in before
an API that asks for one is left out: step 17's, which is step 16's page, checked there
(in step 17 it meets the 401 of a login it cannot make yet).
"""

import base64
import hashlib
import re
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest
from playwright.sync_api import Locator, Page, expect

from page_checks import NOT_A_WEB_LINK, THREE, bookmark_item, error_message, field
from user_checks import PASSWORDS, make_accounts, signed_up_and_logged_in
from workshop.fixtures import APP_PAGE_URL
from workshop_checks import create_bookmark

# Each test starts a step's API and a page (about a second each): a check of the workshop's
# own pages, run by CI with `pytest -m tooling`, not in the everyday run.
pytestmark = pytest.mark.tooling

REPO = Path(__file__).resolve().parent.parent
AXE = REPO / "tests" / "vendor" / "axe-core" / "axe.min.js"
# axe-core's tags for every WCAG 2.0, 2.1 and 2.2 success criterion of level A or AA.
WCAG_2_A_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


# A page with a password field is behind a log-in (step 18 on): it shows bookmarks only to a user.
BEHIND_A_LOGIN = 'type="password"'


def reference_pages(*needles: str) -> list[str]:
    """The reference steps with an index.html whose text holds every needle; not a page
    without a log-in whose API asks for one (step 17's)."""
    return [
        page.parent.name
        for page in sorted((REPO / "steps").glob("*/index.html"))
        if all(needle in page.read_text(encoding="utf-8") for needle in needles)
        and (behind_a_login(page.parent.name) or not asks_for_a_login(page.parent.name))
    ]


def behind_a_login(step: str) -> bool:
    return BEHIND_A_LOGIN in (REPO / "steps" / step / "index.html").read_text(encoding="utf-8")


def asks_for_a_login(step: str) -> bool:
    """The step's API has a log-in route (step 17 on): its bookmark routes answer 401 without one."""
    return any('"/login"' in code.read_text(encoding="utf-8") for code in (REPO / "steps" / step).rglob("*.py"))


PAGES = reference_pages()  # every step with a page: 07 on
WITH_A_SCRIPT = set(reference_pages("fetch("))
# "POST" whether it is written method: "POST" or passed to a helper, sendJson("POST", ...).
ADDS = reference_pages('"POST"')  # a form that sends: 10 on
EDITS_AND_DELETES = reference_pages('"DELETE"')  # Edit and Delete buttons: 11 on
MARKS_THE_422 = reference_pages('"POST"', "aria-invalid")  # marks the fields a 422 names
LOGS_IN = reference_pages(BEHIND_A_LOGIN)  # a log-in and sign-up form: 18 on


@pytest.fixture
def step_dir(request: pytest.FixtureRequest) -> Path:
    """The reference step under test (parametrized indirectly): the plugin's fixtures
    (learner_app, live_api, open_page) start its API and serve its page."""
    return REPO / "steps" / request.param


@pytest.fixture
def api(step_dir: Path, live_api, page: Page) -> Iterator[httpx2.Client]:
    """The client the checks add bookmarks with. On a page behind a log-in, a user's:
    signed up and logged in through the API, and the browser is given their login
    cookie, so the page opens logged in as them (as after a log-in of their own)."""
    if not behind_a_login(step_dir.name):
        yield live_api.client
        return
    accounts = make_accounts(live_api)
    user = signed_up_and_logged_in(next(accounts)("ana"))
    page.context.add_cookies(
        [
            {"name": name, "value": value, "url": APP_PAGE_URL, "httpOnly": True, "sameSite": "Lax"}
            for name, value in user.cookies.items()
        ]
    )
    yield user.client
    next(accounts, None)  # closes the user's client


# --- axe-core ----------------------------------------------------------------------


def test_the_vendored_axe_core_is_the_one_its_readme_names():
    readme = (AXE.parent / "README.md").read_text(encoding="utf-8")
    version = re.search(r"\| version \| (\S+) \|", readme).group(1)
    integrity = re.search(r"`(sha256-[A-Za-z0-9+/=]+)`", readme).group(1)
    script = AXE.read_bytes()
    assert script.startswith(f"/*! axe v{version}\n".encode()), f"axe.min.js is not axe-core {version}"
    assert f"sha256-{base64.b64encode(hashlib.sha256(script).digest()).decode()}" == integrity, (
        "axe.min.js is not the file npm ships: its sha256 differs from the README's"
    )
    assert (AXE.parent / "LICENSE").is_file(), "axe-core's licence must be shipped beside it"


def axe_violations(page: Page) -> list[dict]:
    """axe-core's WCAG 2 A/AA violations on the page as it is now."""
    page.add_script_tag(path=AXE)
    return page.evaluate(
        """(tags) => axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]})
                      .then((results) => results.violations)""",
        WCAG_2_A_AA,
    )


def described(violations: list[dict]) -> str:
    """One line per violation, then one per element it was found on, in axe's words."""
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']} [{violation['helpUrl']}]")
        for node in violation["nodes"]:
            first, *reasons = [line.strip() for line in node["failureSummary"].splitlines() if line.strip()]
            lines.append(f"    {' '.join(node['target'])}: {node['html'][:120]}")
            lines.append(f"      {first} {'; '.join(reasons)}")
    return "\n".join(lines)


def expect_no_violations(page: Page, where: str) -> None:
    violations = axe_violations(page)
    assert not violations, (
        f"axe-core finds {len(violations)} WCAG 2 A/AA problem(s) on {where}:\n{described(violations)}"
    )


def open_with_three(page: Page, client, open_page, step: str) -> None:
    """Three bookmarks in the API (the user's, behind a log-in), the page open, and done
    loading (listed, or the error it shows instead: step 08 meets the CORS wall)."""
    for bookmark in THREE:
        create_bookmark(client, **bookmark)
    open_page(from_app=behind_a_login(step))  # the login cookie is the app's origin's
    if step in WITH_A_SCRIPT:
        shown = bookmark_item(page, THREE[-1]["title"]).or_(error_message(page).filter(has_text=re.compile(r"\S")))
        expect(shown.first).to_be_visible()
        expect(page.locator("[aria-busy=true]")).to_have_count(0)


def submit_button(form: Locator) -> Locator:
    return form.locator("button[type=submit], button:not([type]), input[type=submit]").first


def bookmark_form(page: Page) -> Locator:
    """The form that holds the URL field (a page behind a log-in has an account form too)."""
    return page.locator("form").filter(has=field(page, "URL"))


def press_enter_on(page: Page, live_api, button: Locator) -> None:
    """Enter on a button. The API's answer is held back until the page has drawn two frames
    while waiting: Chromium takes the focus off a button disabled meanwhile at its next
    frame, so a page that loses it always has by then."""
    live_api.hold()
    button.focus()
    page.keyboard.press("Enter")
    page.evaluate("() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))")
    live_api.release()


def submit_with_the_keyboard(page: Page, live_api, url: str, title: str) -> None:
    """Fill the bookmark form and press Enter on its submit button."""
    field(page, "URL").fill(url)
    field(page, "Title").fill(title)
    press_enter_on(page, live_api, submit_button(bookmark_form(page)))


def expect_an_error_shown(page: Page) -> None:
    expect(error_message(page).filter(has_text=re.compile(r"\S")).first).to_be_visible()
    expect(page.locator("[aria-busy=true]")).to_have_count(0)


def send_a_refused_bookmark(page: Page, live_api) -> None:
    """With the keyboard, a link the API refuses (422); returns once the page says so."""
    submit_with_the_keyboard(page, live_api, NOT_A_WEB_LINK, "Not a web link")
    expect_an_error_shown(page)


@pytest.mark.parametrize("step_dir", PAGES, indirect=True)
def test_axe_finds_no_problem_on_the_page_with_bookmarks(step_dir, api, page, open_page):
    open_with_three(page, api, open_page, step_dir.name)
    expect_no_violations(page, f"steps/{step_dir.name}/index.html with three bookmarks")


@pytest.mark.parametrize("step_dir", ADDS, indirect=True)
def test_axe_finds_no_problem_on_the_page_after_a_422(step_dir, live_api, api, page, open_page):
    open_with_three(page, api, open_page, step_dir.name)
    send_a_refused_bookmark(page, live_api)
    expect_no_violations(page, f"steps/{step_dir.name}/index.html after a 422")


@pytest.mark.parametrize("step_dir", EDITS_AND_DELETES, indirect=True)
def test_axe_finds_no_problem_on_the_page_while_editing(step_dir, api, page, open_page):
    open_with_three(page, api, open_page, step_dir.name)
    bookmark_item(page, THREE[1]["title"]).get_by_role("button", name="Edit").click()
    expect(field(page, "Title")).to_have_value(THREE[1]["title"])
    expect_no_violations(page, f"steps/{step_dir.name}/index.html while a bookmark is edited")


# --- With the keyboard ----------------------------------------------------------------


def focused(page: Page) -> str:
    """The element that has the focus, as "<tag id=...>" ("<body>" when none has)."""
    return page.evaluate(
        """() => { const e = document.activeElement;
                   return e ? `<${e.tagName.toLowerCase()}${e.id ? ` id=${e.id}` : ""}>` : "<body>"; }"""
    )


def expect_focus_not_lost(page: Page, after: str) -> None:
    where = focused(page)
    assert where != "<body>", (
        f"after {after}, the focus fell to <body>: a keyboard or screen reader user starts again "
        "from the top of the page. Move the focus somewhere useful (the form's first field, the list)"
    )


@pytest.mark.parametrize("step_dir", ADDS, indirect=True)
def test_after_a_keyboard_submit_the_focus_is_not_lost(step_dir, live_api, api, page, open_page):
    open_with_three(page, api, open_page, step_dir.name)
    submit_with_the_keyboard(page, live_api, "https://example.com/by-keyboard", "Sent by keyboard")
    expect(bookmark_item(page, "Sent by keyboard")).to_have_count(1)
    expect_focus_not_lost(page, "a save sent with Enter on the submit button")


@pytest.mark.parametrize("step_dir", ADDS, indirect=True)
def test_after_a_422_the_focus_is_not_lost(step_dir, live_api, api, page, open_page):
    open_with_three(page, api, open_page, step_dir.name)
    send_a_refused_bookmark(page, live_api)
    expect_focus_not_lost(page, "a 422 sent with Enter on the submit button")


@pytest.mark.parametrize("step_dir", MARKS_THE_422, indirect=True)
def test_a_422_marks_the_field_it_names_until_it_is_corrected(step_dir, live_api, api, page, open_page):
    open_with_three(page, api, open_page, step_dir.name)
    send_a_refused_bookmark(page, live_api)
    url = field(page, "URL")
    alert = error_message(page).filter(has_text=re.compile(r"\S")).first
    expect(url, 'the 422 names the url: mark its field aria-invalid="true"').to_have_attribute("aria-invalid", "true")
    expect(url, f"after the 422 the cursor should be in the field to fix, not on {focused(page)}").to_be_focused()
    expect(url, "the field should be described by the message (aria-describedby)").to_have_accessible_description(
        alert.inner_text().strip()
    )
    for other in ("Title", "Description"):
        expect(field(page, other), f"the 422 names the url only, not the {other}").not_to_have_attribute(
            "aria-invalid", "true"
        )
    # Corrected with the keyboard: the field is valid again, and describes nothing.
    url.fill("https://example.com/corrected")
    page.keyboard.press("Enter")
    expect(bookmark_item(page, "Not a web link")).to_have_count(1)
    expect(url, "once corrected and saved, the field should no longer be aria-invalid").not_to_have_attribute(
        "aria-invalid", "true"
    )
    expect(
        url, "once corrected and saved, the field should no longer point at the message"
    ).to_have_accessible_description("")


@pytest.mark.parametrize("step_dir", ADDS, indirect=True)
def test_after_a_server_error_the_focus_is_not_lost(step_dir, live_api, api, page, open_page):
    open_with_three(page, api, open_page, step_dir.name)
    live_api.break_route("POST", "/bookmarks", "broken on purpose by the test")
    submit_with_the_keyboard(page, live_api, "https://example.com/fails", "Fails on the server")
    expect_an_error_shown(page)
    expect_focus_not_lost(page, "a 500 sent with Enter on the submit button")


@pytest.mark.parametrize("step_dir", EDITS_AND_DELETES, indirect=True)
def test_every_edit_and_delete_button_is_named_after_its_bookmark(step_dir, api, page, open_page):
    open_with_three(page, api, open_page, step_dir.name)
    for bookmark in THREE:
        for action in ("Edit", "Delete"):
            name = f"{action} {bookmark['title']}"
            expect(
                page.get_by_role("button", name=name, exact=True), f'one button should be named "{name}"'
            ).to_have_count(1)
    for bare in ("Edit", "Delete"):
        expect(
            page.get_by_role("button", name=bare, exact=True), f'no button should be named just "{bare}"'
        ).to_have_count(0)


def expect_cursor_in_the_first_field(page: Page, after: str) -> None:
    expect(
        field(page, "URL"), f"after {after}, the cursor should be in the URL field, not on {focused(page)}"
    ).to_be_focused()


def edit_with_the_keyboard(page: Page, title: str) -> None:
    bookmark_item(page, title).get_by_role("button", name="Edit").focus()
    page.keyboard.press("Enter")
    expect(field(page, "Title")).to_have_value(title)


@pytest.mark.parametrize("step_dir", EDITS_AND_DELETES, indirect=True)
def test_add_edit_save_and_cancel_leave_the_cursor_in_the_first_field(step_dir, live_api, api, page, open_page):
    open_with_three(page, api, open_page, step_dir.name)
    submit_with_the_keyboard(page, live_api, "https://example.com/by-keyboard", "Sent by keyboard")
    expect(bookmark_item(page, "Sent by keyboard")).to_have_count(1)
    expect_cursor_in_the_first_field(page, "a bookmark is added, ready for the next one")

    edit_with_the_keyboard(page, THREE[1]["title"])
    expect_cursor_in_the_first_field(page, "Enter on Edit (the form is where the editing happens)")
    field(page, "Title").fill("Beta renamed")
    submit_with_the_keyboard(page, live_api, THREE[1]["url"], "Beta renamed")
    expect(bookmark_item(page, "Beta renamed")).to_have_count(1)
    expect_cursor_in_the_first_field(page, "an edit is saved")

    edit_with_the_keyboard(page, THREE[0]["title"])
    page.get_by_role("button", name="Cancel").focus()
    page.keyboard.press("Enter")
    expect(field(page, "Title")).to_have_value("")
    expect_cursor_in_the_first_field(page, "Enter on Cancel (the button hides itself)")


@pytest.mark.parametrize("step_dir", EDITS_AND_DELETES, indirect=True)
def test_after_a_keyboard_delete_the_focus_is_not_lost(step_dir, api, page, open_page):
    open_with_three(page, api, open_page, step_dir.name)
    middle = THREE[1]["title"]
    bookmark_item(page, middle).get_by_role("button", name="Delete").focus()
    page.keyboard.press("Enter")
    expect(bookmark_item(page, middle)).to_have_count(0)
    expect(page.locator("[aria-busy=true]")).to_have_count(0)
    expect_focus_not_lost(page, "Enter on Delete (its button went with its bookmark)")


# --- Behind a log-in: the account form, logged out ----------------------------------------


def account_button(page: Page, name: str) -> Locator:
    return page.get_by_role("button", name=name, exact=True)


def open_logged_out(page: Page, open_page) -> None:
    """The page the app serves, nobody logged in: the account form shown, done loading."""
    open_page(from_app=True)
    expect(account_button(page, "Log in")).to_be_visible()
    expect(page.locator("[aria-busy=true]")).to_have_count(0)


def send_account_form(page: Page, live_api, button: str, name: str, password: str) -> None:
    """Fill the user name and password, and press Enter on the button ("Log in", "Sign up")."""
    page.get_by_label("User name").fill(name)
    page.get_by_label("Password").fill(password)
    press_enter_on(page, live_api, account_button(page, button))


# A log-in as nobody signed up answers 401; a sign-up with a name of spaces, 422 (the name).
REFUSED = {
    "a refused log-in": ("Log in", "nobody", PASSWORDS["ana"]),
    "a refused sign-up": ("Sign up", "   ", PASSWORDS["ana"]),
}


@pytest.mark.parametrize("step_dir", LOGS_IN, indirect=True)
def test_axe_finds_no_problem_on_the_page_logged_out(step_dir, live_api, page, open_page):
    """The account form as it opens, then after each refusal (one app start for the three)."""
    open_logged_out(page, open_page)
    expect_no_violations(page, f"steps/{step_dir.name}/index.html logged out (its log-in and sign-up form)")
    for refused, sent in REFUSED.items():
        send_account_form(page, live_api, *sent)
        expect_an_error_shown(page)
        expect_no_violations(page, f"steps/{step_dir.name}/index.html after {refused}")


@pytest.mark.parametrize("step_dir", LOGS_IN, indirect=True)
def test_log_in_sign_up_and_log_out_with_the_keyboard_keep_the_focus(step_dir, live_api, page, open_page):
    open_logged_out(page, open_page)
    send_account_form(page, live_api, *REFUSED["a refused log-in"])
    expect_an_error_shown(page)
    expect_focus_not_lost(page, "a refused log-in sent with Enter on Log in")

    send_account_form(page, live_api, "Sign up", "ana", PASSWORDS["ana"])
    expect(account_button(page, "Log out")).to_be_visible()
    expect(page.locator("[aria-busy=true]")).to_have_count(0)
    expect_focus_not_lost(page, "a sign-up sent with Enter on Sign up (its form is hidden once logged in)")

    press_enter_on(page, live_api, account_button(page, "Log out"))
    expect(account_button(page, "Log in")).to_be_visible()
    expect(page.locator("[aria-busy=true]")).to_have_count(0)
    expect_focus_not_lost(page, "Enter on Log out (its button is hidden with the list)")


@pytest.mark.parametrize("step_dir", LOGS_IN, indirect=True)
def test_a_422_on_sign_up_marks_the_field_it_names_until_it_is_corrected(step_dir, live_api, page, open_page):
    open_logged_out(page, open_page)
    send_account_form(page, live_api, *REFUSED["a refused sign-up"])
    expect_an_error_shown(page)
    name = page.get_by_label("User name")
    alert = error_message(page).filter(has_text=re.compile(r"\S")).first
    expect(name, 'the 422 names the username: mark its field aria-invalid="true"').to_have_attribute(
        "aria-invalid", "true"
    )
    expect(name, f"after the 422 the cursor should be in the field to fix, not on {focused(page)}").to_be_focused()
    expect(name, "the field should be described by the message (aria-describedby)").to_have_accessible_description(
        alert.inner_text().strip()
    )
    expect(page.get_by_label("Password"), "the 422 names the username only").not_to_have_attribute(
        "aria-invalid", "true"
    )
    # Corrected, and sent with the keyboard: signed up; once logged out, the form is unmarked.
    name.fill("ana")
    press_enter_on(page, live_api, account_button(page, "Sign up"))
    expect(account_button(page, "Log out")).to_be_visible()
    account_button(page, "Log out").click()
    expect(account_button(page, "Log in")).to_be_visible()
    expect(name, "once corrected and sent, the field should no longer be aria-invalid").not_to_have_attribute(
        "aria-invalid", "true"
    )
    expect(
        name, "once corrected and sent, the field should no longer point at the message"
    ).to_have_accessible_description("")
