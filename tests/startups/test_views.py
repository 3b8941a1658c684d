import datetime
import itertools
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from startups.models import HighlightedStartup, Phase, Startup
from startups.templatetags.portfolio import long_date, phase_badge
from tests.factories import (
    IncubatorFactory,
    MemberFactory,
    MissionFactory,
    OrganisationFactory,
    StartupFactory,
    TeamFactory,
)
from tests.pages import follow_link
from tests.portfolio import days_ago, grow, shared_portfolio

pytestmark = pytest.mark.django_db

LIST = reverse("startups:startup_list")


@pytest.fixture(scope="module")
def portfolio(django_db_setup, django_db_blocker):
    yield from shared_portfolio(django_db_blocker)


def listed(response) -> list[str]:
    """Titles of the startups on a list page, in the order shown."""
    return [startup.title for startup in response.context["page"].object_list]


def facet(response, name: str) -> dict[str, int]:
    return {value.value: value.count for value in response.context["facets"][name]}


# Home


def test_home_shows_counts_per_group_and_phase_with_links(client, portfolio):
    response = client.get(reverse("startups:home"))
    assert response.status_code == 200
    phases = {phase.slug: count for phase, count in response.context["phases"]}
    assert phases["construction"] == 1
    assert phases["acceleration"] == 1
    assert phases["investigation"] == 0  # Bientôt has not started: counted nowhere
    assert dict(response.context["groups"]) == {
        "incubation": 2,
        "service-vivant": 1,
        "arret": 1,
    }
    assert response.context["total"] == 4
    assert reverse("startups:phase_detail", args=["acceleration"]) in response.text
    assert f"{LIST}?groupe=arret" in response.text


def test_home_query_count_does_not_grow_with_the_portfolio(
    client, portfolio, django_assert_num_queries
):
    with django_assert_num_queries(3):
        client.get(reverse("startups:home"))
    grow(portfolio)
    with django_assert_num_queries(3):
        client.get(reverse("startups:home"))


# The list: default view


def test_list_groups_startups_by_current_phase_in_the_phases_order(client, portfolio):
    response = client.get(LIST)
    assert response.status_code == 200
    sections = [(s.phase.slug if s.phase else None, s.total) for s in response.context["sections"]]
    order = {phase.slug: phase.order for phase in Phase.objects.all()}
    shown = [slug for slug, _ in sections if slug]
    assert shown == sorted(shown, key=order.get)
    assert dict(sections) == {
        "opere": 1,
        "acceleration": 1,
        "construction": 1,
        "abandon": 1,
        None: 1,  # not started yet: listed last
    }
    assert listed(response)[-1] == "Bientôt"


def test_list_has_a_title_description_and_open_graph_tags(client, portfolio):
    response = client.get(LIST, {"phase": "construction"})
    assert "<title>Startups : Construction" in response.text
    assert '<meta name="description"' in response.text
    assert '<meta property="og:title" content="Startups : Construction' in response.text


# Filters


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"phase": ["construction", "acceleration"]}, ["Aides Jeunes", "Écobalyse"]),
        ({"groupe": "incubation"}, ["Aides Jeunes", "Écobalyse"]),
        ({"groupe": "service-vivant"}, ["Service opéré"]),
        ({"groupe": "arret", "phase": "opere"}, ["Service opéré", "Ancien service"]),
        ({"incubator": "fabrique-sociale"}, ["Aides Jeunes", "Ancien service"]),
        ({"sponsor": "cnam"}, ["Aides Jeunes", "Ancien service"]),
        ({"domain": "spm"}, ["Service opéré", "Aides Jeunes"]),
        ({"thematique": "Social"}, ["Aides Jeunes", "Ancien service"]),
        ({"usertype": "entreprise"}, ["Écobalyse"]),
        ({"incubator": "dinum", "groupe": "incubation"}, ["Aides Jeunes"]),
    ],
)
def test_filters_combine(client, portfolio, params, expected):
    response = client.get(LIST, params)
    assert response.status_code == 200
    assert listed(response) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("enfant", ["Ancien service"]),  # « Enfants » in the mission
        ("ENFANTS danger", ["Ancien service"]),
        ("educ", ["Service opéré", "Écobalyse"]),  # « éducation », « Éducation »
        ("ecobalyse", ["Écobalyse"]),
        ("démarches", ["Aides Jeunes"]),  # in the description
        ("enfant jeunes", []),  # every word must match
    ],
)
def test_text_search_ignores_case_and_accents(client, portfolio, query, expected):
    assert listed(client.get(LIST, {"q": query})) == expected


def test_each_facet_counts_with_the_other_filters_applied(client, portfolio):
    response = client.get(LIST, {"phase": "acceleration", "sponsor": "cnam"})
    assert listed(response) == ["Aides Jeunes"]
    # Phase counts ignore the phase filter but apply the sponsor one.
    assert facet(response, "phase")["abandon"] == 1
    assert facet(response, "phase")["acceleration"] == 1
    assert facet(response, "groupe") == {"incubation": 1, "service-vivant": 0, "arret": 1}
    # Sponsor counts ignore the sponsor filter but apply the phase one.
    assert facet(response, "sponsor") == {"cnam": 1, "dinum": 1}
    # Co-incubation counts for both incubators.
    assert facet(response, "incubator") == {"dinum": 1, "fabrique-sociale": 1}
    assert facet(response, "domain") == {"solidarite-sante": 1, "spm": 1}
    assert facet(response, "thematique") == {"Jeunesse": 1, "Social": 1}


def test_the_selected_value_stays_in_its_facet_even_without_results(client, portfolio):
    response = client.get(LIST, {"sponsor": "ademe", "phase": "opere"})
    assert listed(response) == []
    assert facet(response, "sponsor")["ademe"] == 0
    assert "Aucune startup ne correspond" in response.text


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("title", ["Aides Jeunes", "Ancien service", "Bientôt", "Écobalyse", "Service opéré"]),
        ("-latest", ["Aides Jeunes", "Ancien service", "Écobalyse", "Service opéré", "Bientôt"]),
        ("-launch", ["Bientôt", "Écobalyse", "Aides Jeunes", "Ancien service", "Service opéré"]),
        ("launch", ["Service opéré", "Ancien service", "Aides Jeunes", "Écobalyse", "Bientôt"]),
    ],
)
def test_sorts(client, portfolio, sort, expected):
    response = client.get(LIST, {"sort": sort})
    assert listed(response) == expected
    assert response.context["grouped"] is False


def test_by_name_a_name_comes_before_the_longer_names_it_begins(client, portfolio):
    """Whatever follows each name in the text searched (« Zèbre » sorts after « Aide »)."""
    StartupFactory(title="Mes aides à l’embauche", mission="Aide à l’embauche")
    StartupFactory(title="Mes Aides", mission="Zèbre")
    listed_titles = listed(client.get(LIST, {"sort": "title"}))
    titles = [title for title in listed_titles if title.lower().startswith("mes aides")]
    assert titles == ["Mes Aides", "Mes aides à l’embauche"]
    first = MemberFactory(fullname="Alexis Leclerc", github="zz")
    MemberFactory(fullname="Alexis Leclerc - SGDSN", github="aa")
    names = [member.fullname for member in client.get("/membres/?q=leclerc").context["page"]]
    assert names == [first.fullname, "Alexis Leclerc - SGDSN"]


def test_list_is_paginated(client, portfolio):
    StartupFactory.create_batch(50, phases=[("construction", days_ago(10))])
    first = client.get(LIST, {"sort": "title"})
    second = client.get(LIST, {"sort": "title", "page": "2"})
    assert len(listed(first)) == 48
    assert len(listed(second)) == 7
    assert not set(listed(first)) & set(listed(second))
    assert "?sort=title&amp;page=2" in first.text


@pytest.mark.parametrize(
    ("asked", "shown", "message"),
    [
        ("02", 2, False),
        ("0", 1, True),
        ("-1", 1, True),
        ("2_0", 1, True),
        (" 2", 1, True),
        ("3", 2, True),
        ("9" * 30, 2, True),
        ("0" * 30 + "2", 2, False),
    ],
)
def test_a_page_out_of_range_gives_the_nearest_one(client, portfolio, asked, shown, message):
    StartupFactory.create_batch(50, phases=[("construction", days_ago(10))])
    response = client.get(LIST, {"sort": "title", "page": asked})
    assert response.context["page"].number == shown
    assert ("La page demandée n’existe pas" in response.text) is message


# Bad input


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"phase": "nope"}, "Le filtre « Phase » est ignoré"),
        ({"incubator": "inconnu"}, "Le filtre « Incubateur » est ignoré"),
        ({"sponsor": "x" * 5000}, "Le filtre « Sponsor » est ignoré"),
        ({"thematique": "Soc\x00ial"}, "Le filtre « Thématique » est ignoré"),
        ({"sort": "nope"}, "Le filtre « Trier par » est ignoré"),
        ({"page": "abc"}, "voici la page 1 sur 1"),
        ({"page": "99"}, "voici la page 1 sur 1"),
        ({"page": "-1"}, "voici la page 1 sur 1"),
    ],
)
def test_bad_parameters_give_the_page_with_a_message(client, portfolio, params, message):
    response = client.get(LIST, params)
    assert response.status_code == 200
    assert message in response.text


def test_an_unknown_value_is_ignored_and_the_other_filters_still_apply(client, portfolio):
    response = client.get(LIST, {"phase": ["construction", "nope"], "sponsor": "ademe"})
    # The phase filter is wrong as a whole: ignored; the sponsor one applies.
    assert listed(response) == ["Écobalyse"]
    assert not response.context["filters"].is_valid()


@pytest.mark.parametrize("query", ["x" * 10_000, "\x00\x01\x1f", "a b c d e f g h i j k l m", "%"])
def test_hostile_searches_give_a_normal_page(client, portfolio, query):
    response = client.get(LIST, {"q": query})
    assert response.status_code == 200


def test_search_box_shows_the_query_without_control_characters(client, portfolio):
    response = client.get(LIST, {"q": "enf\x00ant" + "x" * 300})
    value = re.search(r'id="filtre-q" name="q" value="([^"]*)"', response.text)[1]
    assert "\x00" not in value
    assert len(value) <= 200


# htmx


def test_htmx_request_gets_the_results_and_the_facets_only(client, portfolio):
    response = client.get(LIST, {"phase": "construction"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "<html" not in response.text
    assert 'id="resultats"' in response.text
    assert 'id="facettes" data-hx-swap-oob="true"' in response.text
    assert "Écobalyse" in response.text
    assert "HX-Request" in response["Vary"]
    # htmx puts it in the tab and the history: the address changed, so does the title.
    assert "<title>Startups : Construction — Startups d’État — beta.gouv.fr</title>" in (
        response.text
    )


def test_each_page_of_a_list_and_each_search_has_its_own_title(client, portfolio):
    StartupFactory.create_batch(50, phases=[("construction", days_ago(10))])
    titles = {
        path: re.search(r"<title>([^<]+) — Startups d’État", client.get(path).text)[1]
        for path in (
            "/startups/?sort=title",
            "/startups/?sort=title&page=2",
            "/recherche/?q=eco",
            "/incubateurs/?q=dinum",
            "/organisations/?q=cnam",
        )
    }
    assert titles == {
        "/startups/?sort=title": "Toutes les startups (page 1 sur 2)",
        "/startups/?sort=title&page=2": "Toutes les startups (page 2 sur 2)",
        "/recherche/?q=eco": "Recherche : « eco »",
        "/incubateurs/?q=dinum": "Incubateurs : « dinum »",
        "/organisations/?q=cnam": "Sponsors : « cnam »",
    }


def test_the_filters_selects_show_each_value_with_its_count(client, portfolio):
    response = client.get(LIST, {"incubator": "dinum"})
    counts = facet(response, "incubator")
    selected = f'<option value="dinum" selected>Incubateur de la DINUM ({counts["dinum"]})</option>'
    assert selected in response.text
    for value, count in facet(response, "sponsor").items():
        assert re.search(rf'<option value="{value}">[^<]+ \({count}\)</option>', response.text)


def test_htmx_history_restore_gets_the_whole_page(client, portfolio):
    response = client.get(
        LIST,
        {"phase": "construction"},
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    assert "<html" in response.text
    assert "hx-swap-oob" not in response.text


def test_the_full_page_works_without_javascript(client, portfolio):
    response = client.get(LIST)
    form = re.search(r'<form id="filtres"[^>]*>', response.text)[0]
    assert 'method="get"' in form
    assert f'action="{LIST}"' in form
    assert '<button class="fr-btn" type="submit">Appliquer les filtres</button>' in response.text


# Query counts


LIST_CASES = [
    {},
    {"sort": "title"},
    {"phase": "acceleration", "incubator": "dinum", "q": "jeunes"},
    {"groupe": "incubation", "sponsor": "dinum", "domain": "spm", "sort": "-launch"},
    {"thematique": "Social", "usertype": "particulier", "sort": "-latest"},
]


@pytest.mark.parametrize("params", LIST_CASES)
def test_list_query_count_does_not_grow_with_the_data(
    client, portfolio, django_assert_num_queries, params
):
    # Version (for the ETag and the counts' cache); phases; then the counts: phase counts,
    # 5 other facets (the labels of 4 of them in a second query), total; then the page and
    # the page's incubators; plus one validation query for each of incubator, sponsor,
    # thematique, usertype given.
    validation = len({"incubator", "sponsor", "thematique", "usertype"} & set(params))
    computed, cached = 15 + validation, 4 + validation
    with django_assert_num_queries(computed):
        client.get(LIST, params)
    # Another page or sort of the same filters reuses the counts until the data changes.
    with django_assert_num_queries(cached):
        client.get(LIST, {**params, "page": "2", "sort": "title"})
    grow(portfolio)
    with django_assert_num_queries(computed):
        response = client.get(LIST, params)
    assert response.status_code == 200


# Startup page


def test_startup_page_shows_everything_about_the_startup(client, portfolio):
    startup = portfolio.startups["aides"]
    response = client.get(startup.get_absolute_url())
    assert response.status_code == 200
    text = response.text
    assert "<h1>Aides Jeunes</h1>" in text
    assert "Aider les jeunes à connaître leurs droits." in text
    # Current phase badge, linking to the phase page.
    assert f'href="{reverse("startups:phase_detail", args=["acceleration"])}"' in text
    assert "Accélération" in text
    # Markdown rendered and sanitised.
    assert "<h3>Le problème</h3>" in text
    assert "<strong>démarches</strong>" in text
    assert "alert(" not in text
    assert 'target="_blank"' not in text
    # Timeline with durations: the period ends where the next phase starts.
    timeline = response.context["timeline"]
    assert [entry["phase"].slug for entry in timeline] == [
        "investigation",
        "construction",
        "acceleration",
    ]
    assert timeline[0]["end"] == days_ago(365)
    assert timeline[0]["duration"].days == 365
    assert timeline[2]["current"] is True
    assert "en cours depuis 30 jours" in text
    # Events, incubators (co-incubation), sponsors.
    assert "Lancement du produit" in text
    assert "Incubateur de la DINUM" in text
    assert "Fabrique des ministères sociaux" in text
    assert 'href="/organisations/cnam/"' in text
    # Team and alumni, linking to the members.
    assert [m.fullname for m in response.context["team"]] == ["Marie Curie"]
    assert [m.fullname for m in response.context["alumni"]] == ["Paul Langevin"]
    assert 'href="/membres/marie.curie/"' in text
    assert 'href="/membres/paul.langevin/"' in text
    # Transparency links, "non renseigné" where missing.
    assert 'href="https://github.com/betagouv/aides-jeunes"' in text
    assert text.count("non renseigné") >= 5
    assert "Partiellement conforme" in text
    # Thematiques and usertypes link to the filtered list.
    assert f'href="{LIST}?thematique=Jeunesse"' in text
    assert f'href="{LIST}?usertype=particulier"' in text
    # Just imported: when the site got it is not when its facts changed.
    assert "Mis à jour le" not in text


def test_a_startup_edited_after_it_came_says_when(client, portfolio):
    startup = portfolio.startups["aides"]
    came = timezone.now() - datetime.timedelta(days=400)
    Startup.objects.filter(pk=startup.pk).update(
        created_at=came, updated_at=came + datetime.timedelta(minutes=2)
    )
    assert "Mis à jour le" not in client.get(startup.get_absolute_url()).text
    edited = came + datetime.timedelta(days=30)
    Startup.objects.filter(pk=startup.pk).update(updated_at=edited)
    text = client.get(startup.get_absolute_url()).text
    assert f"Mis à jour le {long_date(timezone.localdate(edited))}." in text


def test_startup_page_shows_same_day_phases_as_replaced(client, portfolio):
    response = client.get(portfolio.startups["ecobalyse"].get_absolute_url())
    first, second = response.context["timeline"]
    assert (first["phase"].slug, second["phase"].slug) == ("investigation", "construction")
    assert first["same_day"] is True
    assert second["current"] is True
    assert "remplacée le jour même" in response.text


def test_a_relative_link_to_another_startup_leads_to_its_page(client, portfolio):
    # As notifications-v1 links notifications-v2 in the real content.
    aides, ecobalyse = portfolio.startups["aides"], portfolio.startups["ecobalyse"]
    aides.description = f"Suite : [la nouvelle version]({ecobalyse.slug})."
    aides.save()
    response = follow_link(client, aides.get_absolute_url(), "la nouvelle version")
    assert response.context["startup"] == ecobalyse


def test_startup_not_started_yet_says_so(client, portfolio):
    response = client.get(portfolio.startups["bientot"].get_absolute_url())
    assert response.context["current"] is None
    assert "Pas encore commencée" in response.text
    assert "à venir" in response.text


@pytest.mark.parametrize("slug", ["inconnue", "a%00b", "..", "é" * 300])
def test_unknown_startup_is_a_404_in_the_site_look(client, portfolio, slug):
    response = client.get(f"/startups/{slug}/")
    assert response.status_code == 404
    assert "Page introuvable" in response.text
    assert "fr-header" in response.text


def test_a_startup_asking_not_to_be_indexed_says_so_to_search_engines(client, portfolio):
    aides = portfolio.startups["aides"]
    noindex = '<meta name="robots" content="noindex">'
    assert noindex not in client.get(aides.get_absolute_url()).text
    aides.extra_front_matter = "robots: noindex\n"
    aides.save()
    assert noindex in client.get(aides.get_absolute_url()).text


def test_startup_page_query_count_does_not_grow_with_the_data(
    client, portfolio, django_assert_num_queries
):
    url = portfolio.startups["aides"].get_absolute_url()
    # Version (for the ETag); startup, timeline, events, incubators, sponsors, thematiques,
    # usertypes, team, alumni, and their missions for the startup.
    with django_assert_num_queries(11):
        client.get(url)
    grow(portfolio)
    with django_assert_num_queries(11):
        response = client.get(url)
    assert len(response.context["team"]) == 4


# Phases, incubators, sponsors


def test_phase_page_lists_every_startup_in_it_today(client, portfolio):
    response = client.get(reverse("startups:phase_detail", args=["construction"]))
    assert response.status_code == 200
    assert listed(response) == ["Écobalyse"]
    assert "<h1>Phase « Construction »</h1>" in response.text
    assert client.get("/phases/inconnue/").status_code == 404


@pytest.mark.parametrize(
    ("documentation", "link"),
    [
        ("/approche/construction", "https://beta.gouv.fr/approche/construction"),
        ("https://doc.incubateur.net/phases", "https://doc.incubateur.net/phases"),
    ],
)
def test_phase_page_links_to_its_documentation_on_beta_gouv_fr(
    client, portfolio, documentation, link
):
    Phase.objects.filter(slug="construction").update(documentation_url=documentation)
    response = client.get(reverse("startups:phase_detail", args=["construction"]))
    assert f'<a href="{link}" rel="noopener">En savoir plus sur cette phase</a>' in response.text


def test_phase_page_query_count(client, portfolio, django_assert_num_queries):
    url = reverse("startups:phase_detail", args=["acceleration"])
    with django_assert_num_queries(5):  # version, phase, count, page, incubators
        client.get(url)
    grow(portfolio)
    with django_assert_num_queries(5):
        client.get(url)


def test_incubator_list_shows_counts_per_group(client, portfolio):
    response = client.get(reverse("startups:incubator_list"))
    assert response.status_code == 200
    cards = {incubator.slug: dict(groups) for incubator, _, groups in response.context["cards"]}
    # Co-incubated Aides Jeunes counts for DINUM and the Fabrique.
    assert cards["dinum"] == {"incubation": 1, "service-vivant": 1, "arret": 0}
    assert cards["fabrique-sociale"] == {"incubation": 1, "service-vivant": 0, "arret": 1}
    response = client.get(reverse("startups:incubator_list"), {"q": "ecologique"})
    assert [incubator.slug for incubator, _, _ in response.context["cards"]] == ["ademe"]


def test_incubator_page_shows_counts_startups_by_phase_and_team(client, portfolio):
    response = client.get(portfolio.incubators["dinum"].get_absolute_url())
    assert response.status_code == 200
    counts = {s.phase.slug: s.total for s in response.context["sections"]}
    assert counts == {"opere": 1, "acceleration": 1}
    assert response.context["total"] == 2
    # Every phase's count, zeros included, the others linking to the filtered list.
    assert "Investigation : 0" in response.text
    assert f'href="{LIST}?incubator=dinum&amp;phase=acceleration">Accélération : 1' in response.text
    assert "Direction interministérielle du numérique" in response.text
    assert "contact@incubateur.gouv.fr" in response.text
    assert "Irène Joliot" in response.text  # its team, active today


def test_incubator_page_shows_the_first_startups_of_each_phase_and_links_to_all(client, portfolio):
    StartupFactory.create_batch(
        15, incubator=portfolio.incubators["ademe"], phases=[("construction", days_ago(3))]
    )
    response = client.get(portfolio.incubators["ademe"].get_absolute_url())
    (section,) = response.context["sections"]
    assert (section.total, len(section.startups), section.more) == (16, 12, 4)
    assert f"{LIST}?incubator=ademe&amp;phase=construction" in response.text


def test_an_incubator_shows_its_teams_even_with_nobody_active_today(client, portfolio):
    quiet = TeamFactory(
        name="Équipe des mentors", incubator=portfolio.incubators["dinum"], mission="Conseiller."
    )
    gone = MemberFactory(fullname="Ancienne Mentore", teams=[quiet])
    MissionFactory(member=gone, start=days_ago(900), end=days_ago(400))
    text = client.get(portfolio.incubators["dinum"].get_absolute_url()).text
    team = text.split("<h3>Équipe des mentors</h3>")[1].split("<h3>")[0]
    assert "Conseiller." in team
    assert "Aucun membre de cette équipe n’est en activité aujourd’hui." in team
    assert "Ancienne Mentore" not in team
    assert "Irène Joliot" in text.split("<h3>Équipe d’animation</h3>")[1]


def test_incubator_pages_query_counts(client, portfolio, django_assert_num_queries):
    detail = portfolio.incubators["dinum"].get_absolute_url()
    listing = reverse("startups:incubator_list")
    # Detail: version, incubator, counts, first startups per phase, phases, its teams, their
    # active members, the startups it puts forward.
    with django_assert_num_queries(8):
        client.get(detail)
    with django_assert_num_queries(4):  # version, count, page, counts per incubator
        client.get(listing)
    grow(portfolio)
    with django_assert_num_queries(8):
        client.get(detail)
    with django_assert_num_queries(4):
        client.get(listing)


def test_incubator_and_sponsor_pages_rank_their_startups_once_per_version(
    client, portfolio, settings, django_assert_num_queries
):
    settings.RESPONSE_CACHE_SECONDS = 0  # The data's own cache, not the response cache.
    incubator = portfolio.incubators["dinum"]
    sponsor = portfolio.organisations["cnam"]
    # The counts and the first startups per phase come from the cache: left, the version, the
    # page's row, the phases, and the incubator's teams, their active members and the
    # startups it puts forward.
    for page, queries in ((incubator, 6), (sponsor, 4)):
        client.get(page.get_absolute_url())
        with django_assert_num_queries(queries):
            client.get(page.get_absolute_url())
    StartupFactory(
        title="Nouvelle",
        incubator=incubator,
        sponsors=[sponsor],
        phases=[("construction", days_ago(0))],
    )
    for page in (incubator, sponsor):
        response = client.get(page.get_absolute_url())
        (section,) = [s for s in response.context["sections"] if s.phase.slug == "construction"]
        assert "Nouvelle" in [startup.title for startup in section.startups]


def test_organisation_pages(client, portfolio, django_assert_num_queries):
    url = portfolio.organisations["cnam"].get_absolute_url()
    response = client.get(url)
    assert response.status_code == 200
    assert {s.phase.slug: s.total for s in response.context["sections"]} == {
        "acceleration": 1,
        "abandon": 1,
    }
    assert "Fabrique des ministères sociaux" in response.text  # the incubator it owns
    assert client.get("/organisations/inconnue/").status_code == 404
    listing = client.get(reverse("startups:organisation_list"))
    cards = {o.slug: dict(groups) for o, _, groups in listing.context["cards"]}
    assert cards["dinum"] == {"incubation": 1, "service-vivant": 1, "arret": 0}
    # Version, organisation, phases, incubators owned: the counts and first startups per phase
    # of this version are cached.
    with django_assert_num_queries(4):
        client.get(url)
    grow(portfolio)
    # And those two queries after a write.
    with django_assert_num_queries(6):
        client.get(url)
    with django_assert_num_queries(4):
        client.get(reverse("startups:organisation_list"))


# Site-wide search


def test_site_search_finds_startups_members_incubators_and_sponsors(client, portfolio):
    response = client.get(reverse("startups:search"), {"q": "ÉCOLOGIQUE"})
    found = {r["kind"]: [str(item) for item in r["found"]] for r in response.context["results"]}
    assert found == {
        "startups": [],
        "membres": [],
        "incubateurs": ["Accélérateur de la transition écologique"],
        "organisations": ["ADEME"],
    }
    response = client.get(reverse("startups:search"), {"q": "irene"})
    assert "Irène Joliot" in response.text


def test_site_search_without_words_shows_only_the_form(client, portfolio):
    for query in ("", "   ", "\x00"):
        response = client.get(reverse("startups:search"), {"q": query})
        assert response.status_code == 200
        assert response.context["results"] == []


def test_site_search_query_count(client, portfolio, django_assert_num_queries):
    with django_assert_num_queries(9):  # version; a count and the first results, for four kinds
        client.get(reverse("startups:search"), {"q": "a"})
    grow(portfolio)
    with django_assert_num_queries(9):
        client.get(reverse("startups:search"), {"q": "a"})


# Old addresses


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/startups/aides-jeunes.html", "/startups/aides-jeunes/"),
        ("/startups/ancien-aides-jeunes", "/startups/aides-jeunes/"),
        ("/startups/ancien-aides-jeunes/", "/startups/aides-jeunes/"),
        ("/startups/Ancien-Aides-Jeunes.html", "/startups/aides-jeunes/"),
        ("/startups/vieux.html", "/startups/aides-jeunes/"),
        ("/startups/vieux", "/startups/aides-jeunes/"),
        ("/incubateurs/ancien-ademe", "/incubateurs/ademe/"),
    ],
)
def test_old_addresses_are_permanent_redirects(client, portfolio, old, new):
    response = client.get(old)
    assert response.status_code == 301
    assert response["Location"] == new


def test_an_old_address_keeps_its_query_string(client, portfolio):
    response = client.get("/startups/aides-jeunes.html?utm_source=lettre&q=%C3%A9")
    assert response.status_code == 301
    assert response["Location"] == "/startups/aides-jeunes/?utm_source=lettre&q=%C3%A9"


def test_an_unknown_old_address_is_a_404_after_a_bounded_lookup(
    client, portfolio, django_assert_num_queries
):
    # Version (ETag), which the lookup reuses; the incubator (not found); then the old
    # addresses of startups and incubators, read once per version of the data.
    with django_assert_num_queries(4):
        response = client.get("/incubateurs/jamais-vu/")
    assert response.status_code == 404
    with django_assert_num_queries(2):
        assert client.get("/incubateurs/jamais-vu-non-plus/").status_code == 404
    # An old page address nobody replaced: a 404 at once, not a slash appended to it.
    assert client.get("/startups/jamais-vue.html").status_code == 404
    assert client.get("/startups/Jamais-Vue.MD").status_code == 404


def test_a_missing_slash_is_still_added(client, portfolio):
    for path in ("/startups", "/startups/aides-jeunes", "/membres/marie.curie", "/membres/ali.md"):
        response = client.get(path)
        assert (response.status_code, response["Location"]) == (301, f"{path}/")


def test_existing_pages_do_not_look_up_old_addresses(client, portfolio, django_assert_num_queries):
    with django_assert_num_queries(3):
        client.get(reverse("startups:home"))


# Error pages


def test_server_error_page_renders_without_the_database(rf):
    """No django_db mark here: any query would fail the test."""
    from django.views.defaults import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500
    text = response.content.decode()
    assert "Erreur inattendue" in text
    assert "fr-header" in text
    assert "<title>" in text


@pytest.mark.parametrize(
    ("handler", "status", "heading"),
    [
        ("django.views.defaults.bad_request", 400, "Requête invalide"),
        ("django.views.defaults.permission_denied", 403, "Accès refusé"),
        ("django.views.csrf.csrf_failure", 403, "Envoi refusé"),
    ],
)
def test_other_error_pages_are_the_sites_in_french_without_the_database(
    rf, handler, status, heading
):
    """Django renders them without context (a refused host, a refused form): no query."""
    from django.utils.module_loading import import_string

    view = import_string(handler)
    request = rf.get("/")
    response = view(request, reason="") if "csrf" in handler else view(request, Exception())
    assert response.status_code == status
    text = response.content.decode()
    assert f"<h1>{heading}</h1>" in text
    assert '<html lang="fr"' in text
    assert "fr-header" in text


# Every page: title, description, Open Graph


PAGE_TYPES = {
    "home": "/",
    "list": LIST,
    "list, filtered": f"{LIST}?groupe=incubation&q=aides",
    "startup": "/startups/aides-jeunes/",
    "phase": "/phases/acceleration/",
    "incubators": "/incubateurs/",
    "incubator": "/incubateurs/dinum/",
    "sponsors": "/organisations/",
    "sponsor": "/organisations/cnam/",
    "members": "/membres/",
    "member": "/membres/marie.curie/",
    "search": "/recherche/?q=aides",
    "accessibility": "/accessibilite/",
    "not found": "/startups/inconnue/",
}


def test_every_page_links_the_accessibility_statement_which_names_a_contact(client, settings):
    settings.CONTACT_EMAIL = "accessibilite@exemple.gouv.fr"
    footer = client.get("/").text.split('id="pied-de-page"')[1]
    assert (
        '<a class="fr-footer__bottom-link" href="/accessibilite/">Accessibilité : non conforme</a>'
        in (footer)
    )
    statement = client.get("/accessibilite/")
    assert statement.status_code == 200
    assert "<strong>non conforme</strong>" in statement.text
    assert 'href="mailto:accessibilite@exemple.gouv.fr"' in statement.text
    assert "Défenseur des droits" in statement.text


@pytest.mark.parametrize("path", PAGE_TYPES.values(), ids=PAGE_TYPES)
def test_every_page_has_a_title_a_description_and_open_graph_tags(client, portfolio, path):
    text = client.get(path).text
    title = re.search(r"<title>([^<]+)</title>", text)[1]
    assert title.endswith("Startups d’État — beta.gouv.fr")
    assert title.count("Startups d’État") == 1
    for attribute in (
        'name="description"',
        'property="og:title"',
        'property="og:description"',
        'property="og:type"',
        'property="og:url"',
        'property="og:image"',
    ):
        content = re.search(rf'<meta {attribute} content="([^"]*)"', text)
        assert content, attribute
        assert content[1].strip(), attribute
    image = re.search(r'<meta property="og:image" content="([^"]+)"', text)[1]
    assert re.fullmatch(r"http://testserver/static/\S+\.png", image)


def test_the_home_page_title_is_the_site_name_once(client, portfolio):
    text = client.get(reverse("startups:home")).text
    assert "<title>Startups d’État — beta.gouv.fr</title>" in text
    assert '<meta property="og:title" content="Startups d’État">' in text


# The same queries for an empty row as for a busy one


def queries_of(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_detail_pages_run_the_same_queries_for_empty_and_busy_rows(client, portfolio):
    """A prefetch is skipped when there is nothing to prefetch for: the pages do without, so
    that their query count never depends on the data."""
    grow(portfolio)
    lonely_incubator = IncubatorFactory(owner=OrganisationFactory())
    pairs = [
        # Team, alumni, events, sponsors, thematiques vs none of them.
        (portfolio.startups["aides"], portfolio.startups["bientot"]),
        # Startups and a team vs nothing at all.
        (portfolio.incubators["dinum"], lonely_incubator),
        (portfolio.organisations["dinum"], lonely_incubator.owner),
        # Missions for startups vs no mission.
        (portfolio.members["marie"], MemberFactory()),
    ]
    for busy, empty in pairs:
        busy_url, empty_url = busy.get_absolute_url(), empty.get_absolute_url()
        assert queries_of(client, empty_url) == queries_of(client, busy_url), empty_url


# Texts


def test_incubator_summary_written_with_html_shows_as_text(client, portfolio):
    incubator = portfolio.incubators["ademe"]
    incubator.short_description = (
        'Soutient les services <span class="fr-text--bold">accélérant</span> '
        "la &quot;transition&quot;."
    )
    incubator.save()
    for url in (reverse("startups:incubator_list"), incubator.get_absolute_url()):
        text = client.get(url).text
        assert "Soutient les services accélérant la &quot;transition&quot;." in text
        assert "&lt;span" not in text
        assert "&amp;quot;" not in text


def heading_levels(html: str) -> list[int]:
    return [int(level) for level in re.findall(r"<h([1-6])[ >]", html)]


def test_descriptions_headings_follow_the_pages_own(client, portfolio):
    """A description right under the h1 starts at h2; a team's, under its h3, at h4."""
    text = "### Notre mission\n\nAider.\n\n#### Comment\n\nEnsemble."
    incubator = portfolio.incubators["dinum"]
    incubator.description = text
    incubator.save()
    organisation = portfolio.organisations["dinum"]
    organisation.description = text
    organisation.save()
    Phase.objects.filter(slug="construction").update(description=text)
    MemberFactory(teams=[TeamFactory(incubator=incubator, mission=text)])
    pages = [
        incubator.get_absolute_url(),
        organisation.get_absolute_url(),
        reverse("startups:phase_detail", args=["construction"]),
    ]
    for url in pages:
        html = client.get(url).text
        assert "<h2>Notre mission</h2>" in html, url
        levels = heading_levels(html[html.index("<h1") :])
        skips = [(a, b) for a, b in itertools.pairwise(levels) if b > a + 1]
        assert skips == [], url


def test_group_counts_agree_in_number(client, portfolio):
    StartupFactory.create_batch(
        2, incubator=portfolio.incubators["ademe"], phases=[("abandon", days_ago(5))]
    )
    text = client.get(reverse("startups:incubator_list")).text
    assert "1 sortie avec un service vivant<" in text  # DINUM
    assert "0 arrêtée<" in text  # DINUM
    assert "1 arrêtée<" in text  # the Fabrique
    assert "2 arrêtées<" in text  # ADEME


def test_one_startups_phase_is_named_in_the_singular(client, portfolio):
    """The content names the phases for all the startups in them (« Services arrêtés »):
    one startup's badge, timeline and feed entry say « Arrêté »; the list's sections and
    the phase's page keep the content's label."""
    Phase.objects.filter(slug="abandon").update(label="Services arrêtés")
    stopped = portfolio.startups["ancien"]
    page = client.get(stopped.get_absolute_url()).text
    assert f'{phase_badge("abandon")}">Arrêté</span>' in page
    assert '<a href="/phases/abandon/">Arrêté</a>' in page
    assert "Services arrêtés" not in page.split("<main")[1]
    assert '<a href="/phases/abandon/">Services arrêtés</a>' in client.get(LIST).text
    card = client.get(LIST, {"phase": "abandon", "sort": "title"}).text
    assert f'{phase_badge("abandon")}">Arrêté</p>' in card
    feed = client.get("/flux/changements-de-phase.atom").text
    assert f"{stopped.title} : Arrêté" in feed


def test_pages_show_technologies_security_fast_skills_and_highlighted_startups(client, portfolio):
    """Keys hundreds of real files fill, shown nowhere but the API before: `techno` (174
    startups), `mon_service_securise` (169), `fast` (46), `competences` (1,297 members),
    `highlighted_startups` (22 incubators)."""
    startup = portfolio.startups["ecobalyse"]
    startup.techno = ["Django", "PostgreSQL"]
    startup.mon_service_securise = True
    startup.fast_promotion, startup.fast_amount = 3, 150000
    startup.save()
    page = client.get(startup.get_absolute_url()).text
    assert '<li><p class="fr-tag">Django</p></li><li><p class="fr-tag">PostgreSQL</p></li>' in page
    assert "<dd>homologation suivie</dd>" in page.split("MonServiceSécurisé)</dt>")[1][:40]
    assert "<dd>promotion 3, 150 000 €</dd>" in page.replace("\xa0", " ").replace("\u202f", " ")
    other = client.get(portfolio.startups["aides"].get_absolute_url()).text
    assert "Technologies" not in other
    assert "Financement FAST" not in other
    assert "<dd>non renseignée</dd>" in other.split("MonServiceSécurisé)</dt>")[1]

    marie = portfolio.members["marie"]
    marie.competences = ["Python", "Design"]
    marie.save()
    member_page = client.get(marie.get_absolute_url()).text
    assert "<dt>Compétences</dt><dd>Python, Design</dd>" in member_page

    dinum = portfolio.incubators["dinum"]
    HighlightedStartup.objects.create(incubator=dinum, startup=startup, position=1)
    HighlightedStartup.objects.create(incubator=dinum, startup=portfolio.startups["aides"])
    forward = client.get(dinum.get_absolute_url()).text.split("Startups mises en avant")[1]
    assert forward.index("/startups/aides-jeunes/") < forward.index("/startups/ecobalyse/")
    # However many the data gives, the page shows the first dozen.
    for position in range(2, 20):
        startup = StartupFactory(incubator=dinum)
        HighlightedStartup.objects.create(incubator=dinum, startup=startup, position=position)
    response = client.get(dinum.get_absolute_url())
    assert len(response.context["highlighted"]) == 12


def test_usertype_codes_show_as_words(client, portfolio):
    """beta.gouv.fr's forms write codes (`entreprise`, `etat`…): pages show words, addresses
    keep the codes; a free-text value shows as written."""
    page = client.get(portfolio.startups["ecobalyse"].get_absolute_url()).text
    assert '<a class="fr-tag" href="/startups/?usertype=entreprise">Entreprises</a>' in page
    StartupFactory(usertypes=["agents publics"], phases=[("construction", days_ago(10))])
    listing = client.get(LIST).text
    assert '<option value="entreprise">Entreprises (1)</option>' in listing
    assert '<option value="agents publics">agents publics (1)</option>' in listing


def test_transparency_says_what_the_content_says(client, portfolio):
    startup = portfolio.startups["ecobalyse"]
    startup.link = "https://ecobalyse.example.org/"
    startup.stats = True
    startup.analyse_risques = True
    startup.save()
    text = client.get(startup.get_absolute_url()).text
    # `stats: true`: the service's own /stats page (beta.gouv.fr's convention).
    assert 'href="https://ecobalyse.example.org/stats"' in text
    # A risk analysis done but not published is not "non renseignée".
    assert "réalisée, non publiée" in text
    assert "non renseigné" in client.get(portfolio.startups["aides"].get_absolute_url()).text
    # `analyse_risques: false` (107 real files): not done, which is not "non renseignée".
    startup.analyse_risques = False
    startup.save()
    risk = client.get(startup.get_absolute_url()).text.split("Analyse de risques", 1)[1][:200]
    assert "non réalisée" in risk
    assert "non renseignée" not in risk


def test_cached_counts_follow_every_write(client, portfolio):
    """The counts are cached per version of the data: a write shows on the next request."""

    def acceleration_count() -> str:
        text = client.get(LIST, {"sort": "title"}).text
        return re.search(r'value="acceleration"[^>]*>\s*<label[^>]*>\s*[^<(]*\((\d+)\)', text)[1]

    before = int(acceleration_count())
    assert int(acceleration_count()) == before  # From the cache.
    grow(portfolio, count=1)
    assert int(acceleration_count()) == before + 1


def test_a_search_cannot_pass_for_other_filters_in_the_cache(client, portfolio):
    """The counts are cached per set of filters: a search written like another filter
    (« aides&sponsor=<id> ») must not name the same entry as that filter."""
    sponsor = portfolio.organisations["dinum"]
    heading = re.compile(r'id="resultats-titre"[^>]*>(\d+) startup')
    lookalike = client.get(LIST, {"q": f"aides&sponsor={sponsor.pk}"}).text
    assert heading.search(lookalike)[1] == "0"
    real = client.get(LIST, {"q": "aides", "sponsor": sponsor.slug}).text
    assert heading.search(real)[1] == "1"


@pytest.mark.parametrize("params", LIST_CASES)
@pytest.mark.parametrize("path", [LIST, reverse("members:member_list")])
def test_htmx_fragments_run_the_same_queries_as_the_whole_page(client, portfolio, path, params):
    grow(portfolio)
    with CaptureQueriesContext(connection) as whole:
        client.get(path, params)
    cache.clear()
    with CaptureQueriesContext(connection) as fragment:
        response = client.get(path, params, headers={"HX-Request": "true"})
    assert "<html" not in response.text
    assert len(fragment) == len(whole)


def test_a_list_sorted_by_launch_shows_the_launch_dates(client, portfolio):
    response = client.get(LIST, {"sort": "launch"})
    launched = days_ago(1460)  # Service opéré, the first launched
    assert f"lancée le {long_date(launched)}" in response.text
    assert response.text.index("lancée le") < response.text.index("Ancien service")
    assert "lancée le" not in client.get(LIST, {"sort": "title"}).text


@pytest.mark.parametrize(
    "path",
    [
        LIST,
        reverse("members:member_list"),
        reverse("startups:incubator_list"),
        reverse("startups:organisation_list"),
        reverse("startups:search"),
    ],
)
def test_a_search_cut_short_says_so(client, portfolio, path):
    assert "fr-alert" not in client.get(path, {"q": "aides jeunes"}).text
    text = client.get(path, {"q": "aides " + "x" * 5000}).text
    assert "La recherche est limitée à 200 caractères : la suite est ignorée." in text
    text = client.get(path, {"q": "a b c d e f g h i j k l"}).text
    assert "Seuls les 10 premiers mots de la recherche comptent." in text
