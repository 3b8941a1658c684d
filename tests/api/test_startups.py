import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from startups.models import Startup

pytestmark = pytest.mark.django_db


def results(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


def slugs(response) -> list[str]:
    return [item["slug"] for item in results(response)]


def test_list_gives_every_field_with_the_site_rules(client, portfolio, today):
    items = {item["slug"]: item for item in results(client.get("/api/v1/startups"))}
    aides = items["aides-jeunes"]
    assert aides["current_phase"] == "construction"
    assert aides["current_phase_start"] == today.isoformat()
    assert aides["incubators"] == ["dinum"]
    assert aides["sponsors"] == ["dinum", "ademe"]
    assert aides["thematiques"] == ["Jeunesse", "Social"]
    assert aides["links"]["website"] == "https://aides.example.org"
    assert aides["links"]["repository"] is None
    assert aides["fast"] == {"promotion": 3, "amount": 150000}
    assert [p["phase"] for p in aides["phases"]] == ["investigation", "construction"]
    assert aides["phases"][0]["end"] == today.isoformat()
    assert aides["phases"][1]["end"] is None
    assert aides["url"] == "http://testserver/startups/aides-jeunes/"
    assert aides["api_url"] == "http://testserver/api/v1/startups/aides-jeunes"
    # Co-incubation; two phases on one day: the later in the lifecycle wins.
    assert items["ecobalyse"]["incubators"] == ["ademe", "dinum"]
    assert items["ecobalyse"]["current_phase"] == "construction"
    assert items["ancien-service"]["fast"] is None


def test_pagination_links_and_count(client, portfolio):
    first = client.get("/api/v1/startups?page_size=2&sort=title").json()
    assert first["count"] == 3
    assert first["previous"] is None
    assert first["next"] == "http://testserver/api/v1/startups?page_size=2&sort=title&page=2"
    second = client.get(first["next"]).json()
    assert [item["slug"] for item in second["results"]] == ["ecobalyse"]
    assert second["next"] is None
    assert second["previous"].endswith("page=1")


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("page=3&page_size=2", "page"),
        ("page=0", "page"),
        ("page_size=1001", "page_size"),
        ("page_size=abc", "page_size"),
        ("phase=lancement", "phase"),
        ("groupe=vivant", "groupe"),
        ("incubator=inconnu", "incubator"),
        ("sponsor=inconnu", "sponsor"),
        ("thematique=Inconnue", "thematique"),
        ("usertype=martiens", "usertype"),
        ("domain=lune", "domain"),
        ("sort=hasard", "sort"),
        ("phase_on=2020-02-30", "phase_on"),
        ("phase_on=01/02/2020", "phase_on"),
        ("fields=title,budget", "fields"),
        ("format=xml", "format"),
        ("couleur=bleu", "couleur"),
        ("incubator=%00", "incubator"),
    ],
)
def test_bad_input_is_a_400_naming_the_parameter(client, portfolio, query, parameter):
    response = client.get(f"/api/v1/startups?{query}")
    assert response.status_code == 400
    body = response.json()
    assert parameter in [error["parameter"] for error in body["errors"]]
    assert body["detail"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            "fields=title,budget",
            "noms de champs séparés par des virgules (champs possibles : slug,",
        ),
        ("fields=title,", "noms de champs séparés par des virgules"),
        ("incubator=a%20b", "identifiant attendu : lettres, chiffres"),
        ("thematique=%01", "caractères de contrôle refusés"),
        (f"q={'a' * 201}", "200 caractères au plus"),
        ("phase_on=01/02/2020", "date attendue au format AAAA-MM-JJ"),
    ],
)
def test_each_error_says_what_was_expected(client, portfolio, query, message):
    (error,) = client.get(f"/api/v1/startups?{query}").json()["errors"]
    assert error["message"].startswith(message)


def test_empty_values_are_no_values_as_the_site_form_sends_them(client, portfolio):
    """The list's form without JavaScript sends every field, filled or not."""
    form = "q=&sort=&incubator=dinum&sponsor=&domain=&thematique=&usertype=&phase=&phase_on="
    response = client.get(f"/api/v1/startups?{form}&page=&fields=")
    assert response.status_code == 200
    assert [item["slug"] for item in response.json()["results"]] == [
        item["slug"] for item in client.get("/api/v1/startups?incubator=dinum").json()["results"]
    ]
    assert response.json()["count"] == 3


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("phase=construction", ["aides-jeunes", "ecobalyse"]),
        ("phase=construction&phase=abandon", ["aides-jeunes", "ancien-service", "ecobalyse"]),
        ("groupe=arret", ["ancien-service"]),
        ("incubator=dinum", ["aides-jeunes", "ancien-service", "ecobalyse"]),
        ("incubator=ademe", ["ecobalyse"]),
        ("sponsor=ademe", ["aides-jeunes", "ecobalyse"]),
        ("domain=environnement", ["aides-jeunes", "ecobalyse"]),
        ("thematique=Écologie", ["ecobalyse"]),
        ("usertype=jeunes", ["aides-jeunes", "ecobalyse"]),
        ("q=ecobalyse", ["ecobalyse"]),
        ("q=AIDES jeunes", ["aides-jeunes"]),
    ],
)
def test_filters_are_those_of_the_public_list(client, portfolio, query, expected):
    assert sorted(slugs(client.get(f"/api/v1/startups?{query}"))) == expected


def test_phase_on_filters_on_the_phase_at_that_date(client, portfolio, today):
    day_before = today - datetime.timedelta(days=1)
    response = client.get(f"/api/v1/startups?phase=investigation&phase_on={day_before}")
    assert sorted(slugs(response)) == ["aides-jeunes"]
    # Alone, it keeps the startups that had a phase then.
    assert sorted(slugs(client.get("/api/v1/startups?phase_on=2016-01-01"))) == ["ancien-service"]
    assert slugs(client.get("/api/v1/startups?phase_on=2000-01-01")) == []


def test_sparse_fields(client, portfolio):
    items = results(client.get("/api/v1/startups?fields=title,current_phase&sort=title"))
    assert items[0] == {
        "slug": "aides-jeunes",
        "title": "Aides Jeunes",
        "current_phase": "construction",
    }


def test_csv_has_a_bom_a_header_and_the_json_columns(client, portfolio):
    response = client.get("/api/v1/startups?format=csv&sort=title")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(b"\xef\xbb\xbf")
    table = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row["slug"] for row in table] == ["aides-jeunes", "ancien-service", "ecobalyse"]
    assert table[0]["sponsors"] == "dinum|ademe"
    assert table[0]["links.website"] == "https://aides.example.org"
    assert table[0]["links.repository"] == ""
    assert table[0]["fast.amount"] == "150000"
    assert table[1]["fast.promotion"] == ""
    assert '"phase":"investigation"' in table[0]["phases"]
    assert response["X-Total-Count"] == "3"


def test_csv_suffix_and_sparse_columns(client, portfolio):
    response = client.get("/api/v1/startups.csv?fields=title&sort=title")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines == [
        "slug,title",
        "aides-jeunes,Aides Jeunes",
        "ancien-service,Ancien service",
        "ecobalyse,Écobalyse",
    ]


def test_list_queries_do_not_grow_with_the_page(client, portfolio):
    counts = []
    for page_size in (1, 1000):
        with CaptureQueriesContext(connection) as queries:
            assert len(results(client.get(f"/api/v1/startups?page_size={page_size}"))) in (1, 3)
        counts.append(len(queries))
    # Version, count, startups, one query per relation (6), the filter's own (phase order).
    assert counts[0] == counts[1] <= 10


def test_detail_has_team_alumni_and_description(client, portfolio, django_assert_num_queries):
    # Version, the startup with its relations (7), its description, team, alumni.
    with django_assert_num_queries(11):
        response = client.get("/api/v1/startups/aides-jeunes")
    assert response.status_code == 200
    body = response.json()
    assert body["description"].startswith("## Le problème")
    assert [member["slug"] for member in body["team"]] == ["marie.curie"]
    assert [member["slug"] for member in body["alumni"]] == ["paul.langevin"]
    assert body["team"][0]["api_url"] == "http://testserver/api/v1/members/marie.curie"
    assert [event["name"] for event in body["events"]] == ["committee", "product_launch"]


@pytest.mark.parametrize("slug", ["inconnue", "a%00b", "x" * 300, "..", "%C3%A9t%C3%A9"])
def test_unknown_startup_is_a_json_404(client, portfolio, slug):
    response = client.get(f"/api/v1/startups/{slug}")
    assert response.status_code == 404
    assert response.json()["detail"]


def test_detail_refuses_parameters(client, portfolio):
    response = client.get("/api/v1/startups/aides-jeunes?fields=title")
    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert error == {
        "parameter": "fields",
        "message": "paramètre inconnu (cette adresse n’en prend aucun)",
    }


def test_full_dump_returns_every_startup(client, portfolio):
    body = client.get("/api/v1/startups?page_size=1000").json()
    assert body["count"] == Startup.objects.count() == len(body["results"])


def test_csv_cells_never_run_as_formulas_and_json_keeps_the_text(client, portfolio):
    Startup.objects.filter(slug="ecobalyse").update(
        title='=HYPERLINK("https://example.org/x","Tabula")', mission="+33 1 23 45 67 89"
    )
    response = client.get("/api/v1/startups.csv?fields=slug,title,mission&sort=title")
    rows = {
        row["slug"]: row
        for row in csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")))
    }
    assert rows["ecobalyse"]["title"] == '\'=HYPERLINK("https://example.org/x","Tabula")'
    assert rows["ecobalyse"]["mission"] == "'+33 1 23 45 67 89"
    assert rows["aides-jeunes"]["title"] == "Aides Jeunes"
    item = client.get("/api/v1/startups/ecobalyse").json()
    assert item["title"] == '=HYPERLINK("https://example.org/x","Tabula")'


def test_the_stats_link_follows_the_sites_rule(client, portfolio):
    """`stats: true` without `stats_url`: the service's own /stats page, as on the site."""
    Startup.objects.filter(slug="ecobalyse").update(
        link="https://ecobalyse.example.org/", stats=True, stats_url=""
    )
    links = client.get("/api/v1/startups/ecobalyse").json()["links"]
    assert links["stats"] == "https://ecobalyse.example.org/stats"
    listed = client.get("/api/v1/startups?fields=links&q=ecobalyse").json()["results"]
    assert listed[0]["links"]["stats"] == "https://ecobalyse.example.org/stats"
