"""Exercise 07 (dark mode): the page turns dark when the system is set to dark mode.

    pytest tests/test_exercise_07_dark_mode.py --app=path/to/your/folder

The page is opened twice in Chromium, once as on a system in light mode and once
in dark mode, and the colours of its background and its text are compared.
"""

import re

from page_checks import field

REFERENCE = "exercises/07-dark-mode"


def colours(page, scheme: str) -> dict:
    page.emulate_media(color_scheme=scheme)
    body = page.evaluate("""() => {
        const style = getComputedStyle(document.body);
        return {background: style.backgroundColor, text: style.color};
    }""")
    return body


def lightness(colour: str) -> float:
    """0 (black) to 1 (white), from "rgb(r, g, b)"."""
    red, green, blue = (int(value) for value in re.findall(r"\d+", colour)[:3])
    return (0.2126 * red + 0.7152 * green + 0.0722 * blue) / 255


def test_the_background_is_dark_in_dark_mode_and_light_in_light_mode(live_api, open_page):
    page = open_page()
    light, dark = colours(page, "light"), colours(page, "dark")
    assert lightness(light["background"]) > 0.5, (
        f"in light mode the background should stay light, it is {light['background']}"
    )
    assert lightness(dark["background"]) < 0.3, (
        f"in dark mode the page's background is {dark['background']}: "
        "add a @media (prefers-color-scheme: dark) { ... } block that makes it dark"
    )


def test_the_text_stays_readable_in_dark_mode(live_api, open_page):
    page = open_page()
    dark = colours(page, "dark")
    assert lightness(dark["text"]) - lightness(dark["background"]) > 0.5, (
        f"in dark mode the text ({dark['text']}) is hard to read on the background ({dark['background']})"
    )
    fields = field(page, "Title").evaluate("input => getComputedStyle(input).backgroundColor")
    assert lightness(fields) < 0.5, f"in dark mode the fields stay bright ({fields}): give them a dark background too"
