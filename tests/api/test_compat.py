"""beta.gouv.fr's v2.7 files, compared field by field with what its Liquid templates and
Ruby plugins print for the same content (tests/content/fixtures, expected values worked out
from the templates by hand). bench/compare_compat.py runs the real templates on the real
content."""

from io import StringIO
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db

FIXTURE = Path(__file__).parents[1] / "content" / "fixtures" / "content"


@pytest.fixture
def content():
    call_command("import_betagouv", str(FIXTURE), stdout=StringIO(), stderr=StringIO())


def test_startups_json(client, content):
    document = client.get("/api/v2.7/startups.json").json()
    assert document["links"] == {"self": "http://testserver/startups"}
    data = document["data"]
    # Jekyll's order: by file name, byte by byte (`e-` before `ec`).
    assert [item["id"] for item in data] == [
        "aides-jeunes",
        "ancien-service",
        "e-inspé",
        "ecobalyse",
    ]
    aides = data[0]
    assert aides["type"] == "startup"
    assert list(aides["attributes"]) == [
        "name", "pitch", "stats_url", "impact_url", "link", "repository", "contact",
        "content_url_encoded_markdown", "events", "phases", "sponsors", "thematiques",
        "technos", "accessibility_status",
    ]  # fmt: skip
    attributes = aides["attributes"]
    assert attributes["stats_url"] == "https://www.1jeune1solution.gouv.fr/mes-aides/stats"
    assert attributes["impact_url"] == ""
    body = (FIXTURE / "_startups" / "aides-jeunes.md").read_text().split("---\n", 2)[2]
    assert attributes["content_url_encoded_markdown"] == quote(body, safe="")
    assert attributes["events"] == [
        {"name": "product_launch", "date": "2017-11-01", "comment": ""},
        {
            "name": "committee",
            "date": "2018-03-01",
            "comment": "Comité d'investissement favorable.",
        },
    ]
    assert attributes["phases"] == [
        {"name": "construction", "start": "2017-05-01", "end": ""},
        {"name": "investigation", "start": "2017-05-01", "end": ""},
        {"name": "acceleration", "start": "2018-03-15", "end": "2020-01-31"},
        {"name": "transfere", "start": "2021-01-01", "end": ""},
    ]
    assert attributes["sponsors"] == ["dinum", "cnam"]
    assert attributes["technos"] == ["vuejs"]
    # `link: ''` is true for Liquid: impact_url and link are printed, empty.
    ancien = data[1]["attributes"]
    assert (ancien["impact_url"], ancien["link"], ancien["stats_url"]) == ("", "", "")
    assert ancien["content_url_encoded_markdown"] == ""
    assert "link" not in data[2]["attributes"]
    assert "impact_url" not in data[2]["attributes"]
    assert data[3]["relationships"] == {
        "incubator": {"data": {"type": "incubator", "id": "ademe"}},
        "incubators": {
            "data": [{"type": "incubator", "id": "ademe"}, {"type": "incubator", "id": "dinum"}]
        },
    }
    assert data[0]["relationships"]["incubators"]["data"] == [{"type": "incubator", "id": "dinum"}]
    assert document["included"] == [
        {
            "id": "ademe",
            "type": "incubator",
            "attributes": {
                "title": "Incubateur de l'ADEME",
                "owner": "/organisations/inexistante",
                "website": "",
                "github": "",
                "contact": "incubateur@ademe.fr",
            },
        },
        {
            "id": "dinum",
            "type": "incubator",
            "attributes": {
                "title": "Incubateur de la DINUM",
                "owner": "/organisations/dinum",
                "website": "https://beta.gouv.fr",
                "github": "https://github.com/betagouv",
                "contact": "contact@beta.gouv.fr",
            },
        },
    ]


def test_authors_json(client, content):
    authors = client.get("/api/v2.7/authors.json").json()
    assert [author["id"] for author in authors] == ["irene.joliot", "marie.curie", "paul.langevin"]
    assert authors[0] == {
        "id": "irene.joliot",
        "fullname": "Irène Joliot",
        "role": "Chargée de déploiement",
        "domaine": "Déploiement",
        "link": "",
        "bio": "",
        "missions": [
            {
                "start": "2022-01-01",
                "end": "2030-06-30",
                "status": "service",
                "employer": "Octo",
                "startups": ["ecobalyse"],
            }
        ],
    }
    marie = authors[1]
    assert list(marie) == [
        "id", "fullname", "role", "domaine", "link", "bio", "github", "missions", "competences",
    ]  # fmt: skip
    assert marie["bio"] == "Développeuse **web** depuis 2010."
    assert marie["competences"] == ["Python", "Django"]
    paul = authors[2]
    assert paul["missions"][0]["employer"] == ""
    assert paul["previously"] == ["ancien-service"]


def test_organisations_json_escapes_like_liquid(client, content):
    organisations = client.get("/api/v2.7/organisations.json").json()
    assert [o["id"] for o in organisations] == ["ademe", "cnam", "dinum"]
    assert organisations[1] == {
        "id": "cnam",
        "name": "Caisse nationale d&#39;assurance maladie",
        "acronym": "CNAM",
        "domaine_ministeriel": "solidarite-sante",
        "type": "securite-sociale",
    }


def test_incubators_json(client, content):
    incubators = client.get("/api/v2.7/incubators.json").json()
    # Keys in the order the plugin fills its hash: incubators met through startups first.
    assert list(incubators) == ["dinum", "ademe"]
    dinum = incubators["dinum"]
    assert list(dinum) == ["startups", "title", "owner", "contact", "address", "website", "github"]
    assert [s["id"] for s in dinum["startups"]] == [
        "aides-jeunes", "ancien-service", "e-inspé", "ecobalyse",
    ]  # fmt: skip
    aides = dinum["startups"][0]
    assert aides["repository"] == "https://github.com/betagouv/aides-jeunes"
    assert aides["phases"][2] == {
        "name": "acceleration",
        "start": "2018-03-15",
        "end": "2020-01-31",
        "comment": "Passage en accélération après le comité.",
    }
    assert dinum["startups"][1]["repository"] is None
    assert incubators["ademe"]["address"] is None
    assert incubators["ademe"]["website"] == ""


def test_startups_csv(client, content):
    response = client.get("/api/v2.7/startups.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.decode() == (
        "id;name;mission;start;status;incubator;stats;link;repository;accessibility;contact;incubators\n"
        "\n"
        'aides-jeunes;"Aides Jeunes";"Simplifier l\'accès aux aides pour les jeunes.";2017-05-01;'
        "transfere;dinum;null;https://www.1jeune1solution.gouv.fr/mes-aides;"
        'https://github.com/betagouv/aides-jeunes;"partiellement conforme";'
        'contact@aides-jeunes.beta.gouv.fr;"dinum"\n'
        'ancien-service;"Ancien service";"Un service arrêté.";2015-01-01;abandon;dinum;null;;null;'
        '"";contact@beta.gouv.fr;"dinum"\n'
        'e-inspé;"e-INSPÉ";"Former les futurs enseignants.";2019-01-01;investigation;dinum;null;'
        'null;null;"";einspe@beta.gouv.fr;"dinum"\n'
        'ecobalyse;"Écobalyse";"Calculer l\'impact environnemental des produits.";2021-06-01;'
        'construction;ademe;null;https://ecobalyse.beta.gouv.fr;null;"";ecobalyse@beta.gouv.fr;'
        '"ademe,dinum"\n'
        "\n"
    )


def test_compat_files_have_the_api_http_behaviour(client, content):
    response = client.get("/api/v2.7/authors.json", headers={"accept-encoding": "gzip"})
    assert response["Content-Encoding"] == "gzip"
    assert (
        client.get(
            "/api/v2.7/authors.json", headers={"if-none-match": response["ETag"]}
        ).status_code
        == 304
    )
    assert client.post("/api/v2.7/authors.json").status_code == 405
