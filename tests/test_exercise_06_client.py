"""Exercise 06 (client): a Python program that uses the API, with httpx2.

    pytest tests/test_exercise_06_client.py --app=path/to/your/folder

The folder holds the step's main.py and your client.py. The functions of
client.py get the test's client (an httpx2.Client that sends to the app
directly), so they talk to the API exactly as they do to the real server.
"""

import importlib.util
from itertools import count

import httpx2
import pytest

from workshop_checks import NEW_BOOKMARK, create_bookmark, list_bookmarks

REFERENCE = "exercises/06-client"

_names = count(1)


def load_client(folder):
    path = folder / "client.py"
    if not path.is_file():
        pytest.fail(f"{folder} has no client.py: write the client there, beside main.py", pytrace=False)
    spec = importlib.util.spec_from_file_location(f"bookmark_client_{next(_names)}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for name in ("list_bookmarks", "add_bookmark", "delete_bookmark"):
        if not callable(getattr(module, name, None)):
            pytest.fail(f"client.py has no function {name}()", pytrace=False)
    return module


def test_list_bookmarks_answers_the_list(client, step_dir):
    assert load_client(step_dir).list_bookmarks(client) == list_bookmarks(client)


def test_add_bookmark_creates_one(client, step_dir):
    added = load_client(step_dir).add_bookmark(client, NEW_BOOKMARK["url"], NEW_BOOKMARK["title"])
    assert isinstance(added, dict) and isinstance(added.get("id"), int), (
        f"add_bookmark should answer the new bookmark, got {added!r}"
    )
    assert added in list_bookmarks(client), "the bookmark add_bookmark() answered is not in the list"


def test_add_bookmark_raises_when_the_api_refuses(client, step_dir):
    with pytest.raises(httpx2.HTTPStatusError):
        load_client(step_dir).add_bookmark(client, "javascript:alert(1)", "Click me")


def test_delete_bookmark_deletes_it(client, step_dir):
    created = create_bookmark(client)
    load_client(step_dir).delete_bookmark(client, created["id"])
    assert created["id"] not in [bookmark["id"] for bookmark in list_bookmarks(client)]


def test_delete_bookmark_raises_for_an_unknown_id(client, step_dir):
    with pytest.raises(httpx2.HTTPStatusError):
        load_client(step_dir).delete_bookmark(client, 10_000)
