"""Exercise 18 (show the password): a toggle button beside the password field.

    pytest tests/test_exercise_18_show_password.py --app=path/to/your/folder

The folder holds your step 18 app. On the page it serves, a button "Show password"
shows what is typed in the password field (type="text") and hides it again
(type="password"); it says whether it is pressed (aria-pressed "true" or "false"),
and sends nothing. After a log-in the password is hidden again, for whoever uses the
computer next.
"""

from playwright.sync_api import expect

REFERENCE = "exercises/18-show-password"
PASSWORD = "a secret to see 18"


def test_show_password_shows_and_hides_it_and_a_log_in_hides_it_again(learner_app, open_page, page):
    open_page(from_app=True)  # the page as the app serves it
    password = page.get_by_label("Password").first
    toggle = page.get_by_role("button", name="Show password").first
    expect(toggle, 'the account form should have a button "Show password"').to_be_visible()
    password.fill(PASSWORD)
    expect(password, "before the button is pressed, the password shows as dots").to_have_attribute("type", "password")
    expect(toggle, 'before it is pressed, the button says aria-pressed="false"').to_have_attribute(
        "aria-pressed", "false"
    )

    toggle.click()
    expect(password, '"Show password" should show the password: type="text"').to_have_attribute("type", "text")
    expect(password, "the password typed should still be there").to_have_value(PASSWORD)
    expect(toggle, 'pressed, the button should say aria-pressed="true"').to_have_attribute("aria-pressed", "true")
    toggle.click()
    expect(password, 'pressed again, the password should be hidden: type="password"').to_have_attribute(
        "type", "password"
    )
    expect(toggle, 'pressed again, the button should say aria-pressed="false"').to_have_attribute(
        "aria-pressed", "false"
    )

    # Shown, then signed up: once logged in and out, the field hides the password again.
    toggle.click()
    page.get_by_label("User name").first.fill("ana")
    page.get_by_role("button", name="Sign up", exact=True).click()
    expect(page.get_by_role("button", name="Log out", exact=True), "'Sign up' should log the user in").to_be_visible()
    page.get_by_role("button", name="Log out", exact=True).click()
    expect(page.get_by_role("button", name="Log in", exact=True)).to_be_visible()
    expect(password, 'after a log-in the password field should hide again (type="password")').to_have_attribute(
        "type", "password"
    )
    expect(toggle, 'after a log-in the button should say aria-pressed="false" again').to_have_attribute(
        "aria-pressed", "false"
    )
