"""Members, incubators, organisations and phases: lists, details, filters, query counts."""

import pytest

pytestmark = pytest.mark.django_db


def test_members_with_missions_and_activity(client, portfolio, django_assert_num_queries):
    # Version, count, page, the page's active members, teams, missions' startups, missions.
    with django_assert_num_queries(7):
        body = client.get("/api/v1/members").json()
    assert body["count"] == 3
    members = {item["slug"]: item for item in body["results"]}
    marie = members["marie.curie"]
    assert marie["is_active"] is True
    assert marie["teams"] == ["animation"]
    assert [m["startups"] for m in marie["missions"]] == [
        ["ancien-service"],
        ["aides-jeunes", "ecobalyse"],
    ]
    assert marie["missions"][1]["end"] is None
    assert members["paul.langevin"]["is_active"] is False


def test_member_queries_do_not_grow_with_the_page(client, portfolio, django_assert_num_queries):
    with django_assert_num_queries(7):
        assert len(client.get("/api/v1/members?page_size=1").json()["results"]) == 1


@pytest.mark.parametrize(
    ("query", "expected"),
    [("active=true", 2), ("active=false", 1), ("domain=Coaching", 1), ("q=curie", 1)],
)
def test_member_filters(client, portfolio, query, expected):
    assert client.get(f"/api/v1/members?{query}").json()["count"] == expected


@pytest.mark.parametrize("query", ["active=peut-etre", "domain=Astrologie", "page=2"])
def test_member_bad_filters_are_400(client, portfolio, query):
    assert client.get(f"/api/v1/members?{query}").status_code == 400


def test_member_detail_has_the_bio(client, portfolio):
    body = client.get("/api/v1/members/marie.curie").json()
    assert body["fullname"] == "Marie Curie"
    assert "bio" in body
    assert client.get("/api/v1/members/personne").status_code == 404


def test_incubators_list_counts_co_incubation(client, portfolio, django_assert_num_queries):
    with django_assert_num_queries(4):
        body = client.get("/api/v1/incubators").json()
    incubators = {item["slug"]: item for item in body["results"]}
    assert incubators["dinum"]["startups"] == ["aides-jeunes", "ancien-service", "ecobalyse"]
    assert incubators["dinum"]["owner"] == "dinum"
    detail = client.get("/api/v1/incubators/ademe").json()
    assert detail["startups"] == ["ecobalyse"]
    assert detail["highlighted_startups"] == []


def test_organisations_and_their_sponsored_startups(client, portfolio, django_assert_num_queries):
    with django_assert_num_queries(4):
        body = client.get("/api/v1/organisations?domain=environnement").json()
    assert [item["slug"] for item in body["results"]] == ["ademe"]
    assert body["results"][0]["sponsored_startups"] == ["aides-jeunes", "ecobalyse"]
    detail = client.get("/api/v1/organisations/dinum").json()
    assert detail["incubators"] == ["dinum"]
    assert client.get("/api/v1/organisations?kind=ministere").status_code == 400


def test_phases_in_display_order(client, portfolio):
    body = client.get("/api/v1/phases").json()
    assert body["count"] == 8
    by_slug = {item["slug"]: item for item in body["results"]}
    assert by_slug["opere"]["group"] == "service-vivant"
    assert by_slug["opere"]["counts_as_active"] is True
    assert by_slug["transfere"]["counts_as_active"] is False
    orders = [item["order"] for item in body["results"]]
    assert orders == sorted(orders)


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/members.csv",
        "/api/v1/incubators.csv",
        "/api/v1/organisations.csv",
        "/api/v1/phases.csv",
    ],
)
def test_every_list_answers_csv(client, portfolio, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response.content.decode("utf-8-sig").splitlines()[0].startswith("slug,")


def test_unknown_api_path_is_a_json_404(client):
    response = client.get("/api/v1/nulle-part")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")


def test_the_api_root_says_where_everything_is(client):
    response = client.get("/api/v1/")
    assert response.status_code == 200
    index = response.json()
    assert index["documentation"] == "http://testserver/api/v1/docs"
    assert index["schema"] == "http://testserver/api/v1/openapi.json"
    assert index["resources"]["startups"] == "http://testserver/api/v1/startups"
    assert index["statistics"]["evolution"] == "http://testserver/api/v1/stats/evolution"
    for url in [*index["resources"].values(), *index["statistics"].values(), index["schema"]]:
        assert client.get(url).status_code == 200, url
