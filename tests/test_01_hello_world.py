"""Step 01: GET / answers with a JSON greeting, and FastAPI's free docs are there."""

from workshop_checks import expect_json, expect_status, openapi_operation


def test_root_answers_with_a_json_greeting(client):
    response = client.get("/")
    expect_status(response, 200)
    greeting = expect_json(response)
    assert isinstance(greeting, dict) and greeting, (
        f'GET / should answer a JSON object such as {{"message": "Hello"}}, got: {greeting!r}'
    )
    assert any(isinstance(value, str) and value.strip() for value in greeting.values()), (
        f"the greeting should hold some text, got: {greeting!r}"
    )


def test_swagger_ui_is_served_at_docs(client):
    response = client.get("/docs")
    expect_status(response, 200)
    assert "swagger" in response.text.lower(), "GET /docs should be the Swagger UI page"


def test_openapi_lists_the_root_route(client):
    openapi_operation(client, "GET", "/")
