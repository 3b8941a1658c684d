import re

import pytest
from django.urls import reverse

from tests.factories import IncubatorFactory
from tests.pages import follow_link
from tests.portfolio import grow, shared_portfolio

pytestmark = pytest.mark.django_db

LIST = reverse("members:member_list")


@pytest.fixture(scope="module")
def portfolio(django_db_setup, django_db_blocker):
    yield from shared_portfolio(django_db_blocker)


def listed(response) -> list[str]:
    return [member.fullname for member in response.context["page"].object_list]


def test_member_list_shows_active_members_and_alumni_in_alphabetical_order(client, portfolio):
    response = client.get(LIST)
    assert response.status_code == 200
    # « Élise » among the E, whatever the database's collation.
    assert listed(response) == ["Élise Ancienne", "Irène Joliot", "Marie Curie", "Paul Langevin"]
    assert "En activité" in response.text
    assert "Ancien ou ancienne" in response.text


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"statut": "actif"}, ["Irène Joliot", "Marie Curie"]),
        ({"statut": "ancien"}, ["Élise Ancienne", "Paul Langevin"]),
        ({"domain": "Design"}, ["Paul Langevin"]),
        # Worked for a startup of the incubator, co-incubation included.
        ({"incubator": "fabrique-sociale"}, ["Marie Curie", "Paul Langevin"]),
        ({"incubator": "ademe"}, ["Irène Joliot", "Marie Curie"]),
        ({"incubator": "ademe", "statut": "actif", "domain": "Produit"}, ["Irène Joliot"]),
        ({"q": "IRENE"}, ["Irène Joliot"]),
        ({"q": "élise"}, ["Élise Ancienne"]),
        ({"q": "curie marie"}, ["Marie Curie"]),
    ],
)
def test_member_filters(client, portfolio, params, expected):
    assert listed(client.get(LIST, params)) == expected


@pytest.mark.parametrize(
    "params",
    [
        {"statut": "retraite"},
        {"domain": "Astrologie"},
        {"incubator": "inconnu"},
        {"incubator": "\x00"},
        {"q": "\x00" * 3 + "x" * 5000},
        {"page": "zz"},
        {"page": "1000"},
    ],
)
def test_bad_member_parameters_give_a_normal_page(client, portfolio, params):
    response = client.get(LIST, params)
    assert response.status_code == 200
    assert 'class="fr-alert fr-alert--warning' in response.text or "q" in params


def test_member_list_htmx_gets_the_results_and_the_filters(client, portfolio):
    response = client.get(LIST, {"statut": "actif"}, headers={"HX-Request": "true"})
    assert "<html" not in response.text
    assert 'id="facettes" data-hx-swap-oob="true"' in response.text
    assert "Marie Curie" in response.text
    assert "HX-Request" in response["Vary"]


@pytest.mark.parametrize(
    "params", [{}, {"statut": "ancien", "domain": "Design"}, {"incubator": "dinum", "q": "a"}]
)
def test_member_list_query_count_does_not_grow(
    client, portfolio, django_assert_num_queries, params
):
    # Version (for the ETag and the data cached until it changes: domains, count), domains,
    # count, page, the page's active members, incubators for the select (+ the incubator
    # given, validated).
    expected = 6 + ("incubator" in params)
    with django_assert_num_queries(expected):
        client.get(LIST, params)
    grow(portfolio)
    with django_assert_num_queries(expected):
        client.get(LIST, params)


def test_member_page_shows_the_member_and_every_mission(client, portfolio):
    response = client.get(portfolio.members["marie"].get_absolute_url())
    assert response.status_code == 200
    text = response.text
    assert "<h1>Marie Curie</h1>" in text
    assert "Développeuse" in text
    assert 'href="https://github.com/mcurie"' in text
    assert "En activité" in text
    missions = response.context["missions"]
    assert len(missions) == 2
    assert missions[0].end is None  # the latest first
    assert 'href="/startups/aides-jeunes/"' in text
    assert 'href="/startups/ecobalyse/"' in text
    assert "Indépendant" in text
    assert "Scopyleft" in text


def test_a_relative_link_of_a_bio_leads_where_it_led_on_beta_gouv_fr(client, portfolio):
    # Written for /membres/<slug>.html: one level up is the site's root.
    marie, aides = portfolio.members["marie"], portfolio.startups["aides"]
    marie.bio = f"Je travaille sur [Aides Jeunes](../startups/{aides.slug})."
    marie.save()
    assert follow_link(client, marie.get_absolute_url(), "Aides Jeunes").context["startup"] == aides


def test_member_page_shows_the_incubator_team(client, portfolio):
    response = client.get(portfolio.members["irene"].get_absolute_url())
    assert "Équipe d’animation" in response.text
    assert 'href="/incubateurs/dinum/"' in response.text


def test_unknown_member_is_a_404(client, portfolio):
    assert client.get("/membres/personne/").status_code == 404
    assert client.get("/membres/a%00b/").status_code == 404


def test_the_member_list_title_says_what_is_filtered(client, portfolio):
    def title(query: str) -> str:
        return re.search(r"<title>([^<]+) — Startups d’État", client.get(LIST + query).text)[1]

    assert title("") == "Membres"
    assert title("?q=curie&statut=actif&domain=Design&incubator=dinum") == (
        "Membres : « curie », En activité, Design, Incubateur de la DINUM"
    )
    assert title("?statut=nope&domain=Design") == "Membres : Design"
    htmx = client.get(LIST + "?domain=Design", headers={"HX-Request": "true"}).text
    assert "<title>Membres : Design — Startups d’État — beta.gouv.fr</title>" in htmx


def test_member_page_shows_the_startups_of_its_file_outside_missions(client, portfolio):
    """`previously` (and old files' `startups`) name startups that no mission names: the page
    links them once, by title; one already in a mission is not repeated, an unknown one is
    skipped."""
    elise = portfolio.members["elise"]
    elise.previously = ["service-opere", "ecobalyse", "disparue"]
    elise.legacy_startups = ["aides-jeunes"]
    elise.save()
    marie = portfolio.members["marie"]
    marie.previously = ["ecobalyse"]
    marie.save()

    response = client.get(elise.get_absolute_url())
    section = response.text.split("<h2>Autres startups</h2>")[1]
    links = re.findall(r'<li><a href="(/startups/[^"]+/)">', section)
    assert links == ["/startups/aides-jeunes/", "/startups/ecobalyse/", "/startups/service-opere/"]
    assert "Autres startups" not in client.get(marie.get_absolute_url()).text
    assert "Autres startups" not in client.get(portfolio.members["paul"].get_absolute_url()).text


def test_member_page_query_count_does_not_grow(client, portfolio, django_assert_num_queries):
    url = portfolio.members["marie"].get_absolute_url()
    with django_assert_num_queries(5):  # version, member, missions, their startups, teams
        client.get(url)
    grow(portfolio)
    with django_assert_num_queries(5):
        client.get(url)
    marie = portfolio.members["marie"]
    marie.previously = ["service-opere", "ancien-service"]
    marie.save()
    with django_assert_num_queries(6):  # and the startups of its file outside missions
        client.get(url)


def options(text: str, select_id: str) -> list[str]:
    select = re.search(rf'<select[^>]*id="{select_id}".*?</select>', text, re.DOTALL)[0]
    return re.findall(r"<option[^>]*>([^<]*)</option>", select)


def test_member_filter_selects_list_each_value_once_in_alphabetical_order(client, portfolio):
    IncubatorFactory(slug="ecole", title="école du numérique")
    text = client.get(LIST).text
    assert options(text, "filtre-domain") == [
        "Tous les domaines",
        "Coaching",
        "Design",
        "Développement",
        "Produit",
    ]
    # Accents and case ignored, as a French reader expects.
    assert options(text, "filtre-incubator") == [
        "Tous les incubateurs",
        "Accélérateur de la transition écologique",
        "école du numérique",
        "Fabrique des ministères sociaux",
        "Incubateur de la DINUM",
    ]
