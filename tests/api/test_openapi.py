"""The OpenAPI schema describes exactly what the API returns."""

import jsonschema_rs
import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(client) -> dict:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def test_schema_is_openapi_3_1_with_every_endpoint(schema):
    assert schema["openapi"].startswith("3.1")
    assert set(schema["paths"]) == {
        "/api/v1/startups",
        "/api/v1/startups/{slug}",
        "/api/v1/members",
        "/api/v1/members/{slug}",
        "/api/v1/incubators",
        "/api/v1/incubators/{slug}",
        "/api/v1/organisations",
        "/api/v1/organisations/{slug}",
        "/api/v1/phases",
        "/api/v1/stats/phases",
        "/api/v1/stats/evolution",
    }
    startups = schema["paths"]["/api/v1/startups"]["get"]
    assert set(startups["responses"]["200"]["content"]) == {"application/json", "text/csv"}
    assert {"400", "429"} <= set(startups["responses"])
    names = {parameter["name"] for parameter in startups["parameters"]}
    assert {"phase", "groupe", "incubator", "sponsor", "thematique", "usertype", "q"} <= names
    assert {"phase_on", "page", "page_size", "fields", "format", "domain", "sort"} <= names


def response_validator(schema: dict, path: str, status: str = "200"):
    body = schema["paths"][path]["get"]["responses"][status]["content"]["application/json"]
    return jsonschema_rs.validator_for({**body["schema"], "components": schema["components"]})


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("/api/v1/startups", "/api/v1/startups"),
        ("/api/v1/startups?fields=title", "/api/v1/startups"),
        ("/api/v1/startups/aides-jeunes", "/api/v1/startups/{slug}"),
        ("/api/v1/startups/ancien-service", "/api/v1/startups/{slug}"),
        ("/api/v1/members", "/api/v1/members"),
        ("/api/v1/members/marie.curie", "/api/v1/members/{slug}"),
        ("/api/v1/incubators", "/api/v1/incubators"),
        ("/api/v1/incubators/dinum", "/api/v1/incubators/{slug}"),
        ("/api/v1/organisations", "/api/v1/organisations"),
        ("/api/v1/organisations/ademe", "/api/v1/organisations/{slug}"),
        ("/api/v1/phases", "/api/v1/phases"),
        ("/api/v1/stats/phases", "/api/v1/stats/phases"),
        ("/api/v1/stats/evolution", "/api/v1/stats/evolution"),
    ],
)
def test_answers_are_valid_against_the_schema(client, schema, portfolio, url, path):
    response = client.get(url)
    assert response.status_code == 200
    validator = response_validator(schema, path)
    errors = [error.message for error in validator.iter_errors(response.json())]
    assert errors == []


def test_errors_are_valid_against_the_schema(client, schema, portfolio):
    validator = response_validator(schema, "/api/v1/startups", "400")
    assert validator.is_valid(client.get("/api/v1/startups?page=0").json())
    validator = response_validator(schema, "/api/v1/startups/{slug}", "404")
    assert validator.is_valid(client.get("/api/v1/startups/inconnue").json())


def test_docs_page_is_served_from_the_site(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    assert "/static/ninja/swagger-ui-bundle.js" in response.text
    assert "cdn" not in response.text.lower()
