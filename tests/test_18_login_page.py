"""Step 18: the log-in page. The page the app serves signs up, logs in and logs out.

What a learner can see in the browser, on the page the app serves at / (one origin,
step 16): nobody logged in, it offers to log in, and a refused log-in is said in
words; Sign up signs up and logs in; a bookmark added is the user's; Log out leaves
nothing of the user on the page, and ends the login on the server; logging in again,
and a reload while logged in, show the user's list. The user's name is shown as
text, never run as HTML; no field keeps the password once the user is in; a 401 met
later (the login ended elsewhere) brings the log-in form back, with a message.

The API is step 17's, checked by its suite; each test here signs up its own users
on a fresh app (a fresh database), through the page or with an HTTP client of their
own (user_checks.py). Each page load costs about a second: the page's behaviour is
checked in as few scenarios as it takes, each a user's visit from start to end.
"""

import time
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

import database_fixtures
from page_checks import (
    bookmark_entries,
    bookmark_item,
    error_message,
    expect_error_in_words,
    field,
    fill_form,
    send,
)
from user_checks import PASSWORDS, log_in, make_accounts
from workshop.fixtures import APP_PAGE_URL, PAGE_TIMEOUT_MS
from workshop_checks import expect_status, list_bookmarks

THE_BOX = 'see the box "What the checks expect" on the step\'s page'
# The run's PostgreSQL server (WORKSHOP_DATABASE=postgresql, else None), this test's database on
# it, and the learner's app started on that database (on SQLite: the plugin's, unchanged).
postgres, database = database_fixtures.postgres, database_fixtures.database
learner_app = database_fixtures.learner_app


@pytest.fixture
def accounts(learner_app):
    """accounts("ana"): a user of this test's app, with a client of their own."""
    yield from make_accounts(learner_app)


# --- The page ---------------------------------------------------------------------------


def add_on_the_page(page, url: str, title: str) -> None:
    """Fill the bookmark form and press its submit button (the account form may be on the page too)."""
    fill_form(page, url, title)
    bookmark_form = page.locator("form").filter(has=field(page, "URL"))
    bookmark_form.locator("button[type=submit], button:not([type]), input[type=submit]").first.click()


def button(page, name: str):
    return page.get_by_role("button", name=name, exact=True)


def send_account_form(page, button_name: str, name: str, password: str) -> None:
    """Fill "User name" and "Password" in the form that holds the button (one form for
    both, or a form each), and press the button."""
    pressed = button(page, button_name)
    form = page.locator("form").filter(has=pressed)
    where = form if form.count() == 1 else page
    where.get_by_label("User name").first.fill(name)
    where.get_by_label("Password").first.fill(password)
    pressed.click()


@pytest.mark.points(3)
def test_the_page_signs_up_adds_logs_out_and_logs_in(learner_app, accounts, open_page, page):
    open_page(from_app=True)  # the page as the app serves it (one origin, step 16)
    # Nobody is logged in: the page offers to log in, and a wrong log-in is said in words.
    expect(button(page, "Log in"), f"the page at / shows no button 'Log in' while nobody is logged in; {THE_BOX}"
           ).to_be_visible()
    send_account_form(page, "Log in", "ana", PASSWORDS["ana"])
    said = "a log-in with a name nobody has should show a message in the element with role=\"alert\""
    expect(error_message(page).first, said).to_be_visible()
    expect(error_message(page).first, said).not_to_have_text("")

    send_account_form(page, "Sign up", "ana", PASSWORDS["ana"])
    expect(button(page, "Log out"), "after 'Sign up' the user should be logged in, with a button 'Log out'"
           ).to_be_visible()
    # The submit button of the form that holds the URL field (the account form may be on the page too).
    bookmark_form = page.locator("form").filter(has=field(page, "URL"))
    add = bookmark_form.locator("button[type=submit], button:not([type]), input[type=submit]").first
    # Type once the page is done signing up (its button enabled again, as step 13 has it), as a user
    # waits for "Loading…" to go: a page that puts the cursor in the URL field when the list arrives
    # would move it while the title is typed, and the title would land in the URL field, at random.
    expect(add, "after 'Sign up', once the list has loaded, the bookmark form's button should be enabled"
           ).to_be_enabled()
    fill_form(page, "https://example.com/ana", "Ana's page bookmark")
    add.click()
    expect(bookmark_item(page, "Ana's page bookmark"), "a bookmark added after signing up should be listed"
           ).to_be_visible()

    ana = accounts("ana")
    expect_status(log_in(ana), 200)
    titles = [bookmark["title"] for bookmark in list_bookmarks(ana.client)]
    assert titles == ["Ana's page bookmark"], f"after adding on the page, ana's bookmarks are {titles}"

    button(page, "Log out").click()
    expect(button(page, "Log in"), "after 'Log out' the page should offer to log in again").to_be_visible()
    gone = "after 'Log out' the page still shows the bookmarks of the user who left: clear the list"
    expect(bookmark_entries(page), gone).to_have_count(0)
    expect(page.get_by_text("Ana's page bookmark"), gone).to_have_count(0)

    # Logging in again, the list is slow to come, and the user starts typing a title meanwhile.
    held = hold_the_list(page)
    send_account_form(page, "Log in", "ana", PASSWORDS["ana"])
    wait_until_asked(page, held)
    title = field(page, "Title")
    typing = title.is_visible() and title.is_editable()  # a page may show the form once the list is there
    if typing:
        title.click()
        page.keyboard.type("Typed while")
    release(page, held)
    expect(bookmark_item(page, "Ana's page bookmark"), "after logging in again, the user's list should show"
           ).to_be_visible()
    if typing:
        page.keyboard.type(" the list loaded")
        expect(title, (
            "a title typed while the list loaded after 'Log in' should stay in the Title field; the rest of the "
            "typing went elsewhere: the page moved the cursor when the list arrived (a focus() after an await). "
            f"Put the cursor where it belongs before asking for the list, never after; {THE_BOX}"
        )).to_have_value("Typed while the list loaded")
    page.reload()
    expect(bookmark_item(page, "Ana's page bookmark"),
           "after a reload while logged in (the cookie is still there), the list should show: ask GET /users/me "
           "or GET /bookmarks when the page opens").to_be_visible()


def is_the_list(url: str) -> bool:
    return urlsplit(url).path == "/bookmarks"


def hold_the_list(page) -> list:
    """Hold every GET /bookmarks the page sends from now on, until release(): the list is slow."""
    held: list = []

    def hold(route):
        if route.request.method == "GET":
            held.append(route)
        else:
            route.fallback()

    page.route(is_the_list, hold)
    return held


def wait_until_asked(page, held: list) -> None:
    """Until the page has asked for the list (the browser hands each held request over as the
    test talks to it), at most as long as any check of the page waits."""
    deadline = time.monotonic() + PAGE_TIMEOUT_MS / 1000
    while not held and time.monotonic() < deadline:
        page.wait_for_timeout(20)
    assert held, (
        "after 'Log in' the page never asked GET /bookmarks: once the user is logged in, ask for their list"
    )


def release(page, held: list) -> None:
    page.unroute(is_the_list)
    for route in held:
        route.fallback()


# A user name that runs code if the page inserts it as HTML: the API takes any name of 1 to 50
# characters but NUL (step 17's box), so the page must show this one as text.
HTML_NAME = "<img src=x onerror=alert('name')> & co"
HTML_PASSWORD = "a long secret of cleo 3"


def expect_no_field_holds(page, password: str, when: str) -> None:
    fields = page.locator("input[type=password]")
    for index in range(fields.count()):
        expect(fields.nth(index), (
            f"{when}, a password field of the page still holds the password: anyone at this computer "
            "can show it (the developer tools, or a log-out shows the form again). Empty the form once the "
            "user is logged in (form.reset())"
        )).to_have_value("")


@pytest.mark.points(2)
def test_the_page_shows_the_name_as_text_and_meets_a_login_that_ended(learner_app, accounts, open_page, page):
    """One visit: a sign-up with a name made of HTML, a bookmark, the login ended elsewhere
    (a log-out in another tab), a log-in again, and Log out, which must end the login."""
    open_page(from_app=True)
    expect(button(page, "Sign up"), f"the page at / shows no button 'Sign up' while nobody is logged in; {THE_BOX}"
           ).to_be_visible()
    send_account_form(page, "Sign up", HTML_NAME, HTML_PASSWORD)
    expect(button(page, "Log out"), "after 'Sign up' the user should be logged in, with a button 'Log out'"
           ).to_be_visible()

    # The name is the user's own text: shown as it was typed, never run as HTML.
    expect(page.get_by_text(HTML_NAME).first,
           f"after signing up as {HTML_NAME!r} the page should show that name, as it was typed: set it with "
           "textContent, never innerHTML").to_be_visible()
    assert page.locator("[onerror]").count() == 0 and not page.dialogs, (
        f"the page turned the user name {HTML_NAME!r} into HTML (it ran: {page.dialogs}): a name is the user's "
        "text, set it with textContent, never innerHTML"
    )
    expect_no_field_holds(page, HTML_PASSWORD, "after signing up and logging in")
    add_on_the_page(page, "https://example.com/cleo", "Cleo's first")
    expect(bookmark_item(page, "Cleo's first"), "a bookmark added after signing up should be listed").to_be_visible()

    # The login ends elsewhere: a log-out in another tab, with this browser's cookie.
    elsewhere = accounts(HTML_NAME, HTML_PASSWORD)
    elsewhere.use({cookie["name"]: cookie["value"] for cookie in page.context.cookies(APP_PAGE_URL)})
    kept = dict(elsewhere.cookies)
    elsewhere.client.post("/logout")
    elsewhere.use(kept)
    assert elsewhere.client.get("/users/me").status_code == 401, (
        "POST /logout with the page's login cookie did not end the login: see step 17's log-out"
    )
    add_on_the_page(page, "https://example.com/late", "Added too late")
    expect(button(page, "Log in"),
           "after a 401 from a bookmark route (the login ended elsewhere: a log-out in another tab, or it "
           "expired) the page should show the log-in form again").to_be_visible()
    expect_error_in_words(page, "after a 401 from a bookmark route the page should say why (the API's message)")
    gone = "after the login ended, the page still shows what the user had: nothing of them should stay"
    expect(bookmark_entries(page), gone).to_have_count(0)
    expect(page.get_by_text("Cleo's first"), gone).to_have_count(0)
    expect(page.get_by_text(HTML_NAME).filter(visible=True), gone + " (their name)").to_have_count(0)

    # In again, then out with the page's button: the login must end on the server too.
    send_account_form(page, "Log in", HTML_NAME, HTML_PASSWORD)
    expect(bookmark_item(page, "Cleo's first"), "after logging in again, the user's list should show"
           ).to_be_visible()
    kept = {cookie["name"]: cookie["value"] for cookie in page.context.cookies(APP_PAGE_URL)}
    send(page, ("POST",), button(page, "Log out").click, "'Log out'")  # and waits for the answer
    expect(button(page, "Log in"), "after 'Log out' the page should offer to log in again").to_be_visible()
    expect_no_field_holds(page, HTML_PASSWORD, "after logging in and out")
    elsewhere.use(kept)
    me = elsewhere.client.get("/users/me")
    assert me.status_code == 401, (
        f"after 'Log out' on the page, its login cookie still works (GET /users/me answered {me.status_code}): "
        "the button should send POST /logout, which ends the login on the server, not only hide the list"
    )
