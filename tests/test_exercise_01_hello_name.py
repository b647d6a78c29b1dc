"""Exercise 01 (hello, name): GET /hello/{name} greets whoever is named in the path.

    pytest tests/test_exercise_01_hello_name.py --app=path/to/your/folder
"""

import pytest

from workshop_checks import expect_json, expect_status

REFERENCE = "exercises/01-hello-name"


@pytest.mark.parametrize("name", ["Ana", "Kwame", "Zoë"])
def test_hello_greets_the_name_in_the_path(client, name):
    response = client.get(f"/hello/{name}")
    expect_status(response, 200)
    assert expect_json(response) == {"message": f"Hello, {name}!"}, (
        f'GET /hello/{name} should answer {{"message": "Hello, {name}!"}}'
    )


def test_the_root_still_answers(client):
    expect_status(client.get("/"), 200)
