"""The startups' admin: lists, validation in French, history and revert, live public pages."""

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from startups.models import (
    Event,
    Organisation,
    Startup,
    StartupIncubator,
    StartupPhase,
)
from startups.templatetags.portfolio import long_date
from tests.factories import (
    EventFactory,
    IncubatorFactory,
    MissionFactory,
    OrganisationFactory,
    StartupFactory,
    UserFactory,
)
from tests.staff.admin_forms import add_inline_row, form_data

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
YEAR = datetime.timedelta(days=365)
LAST_YEAR = TODAY - YEAR


def change_url(obj) -> str:
    meta = obj._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])


@pytest.fixture
def superuser(client):
    user = UserFactory(is_superuser=True)
    client.force_login(user)
    return user


@pytest.fixture
def startup():
    sponsor = OrganisationFactory(slug="dinum", name="Direction interministérielle du numérique")
    return StartupFactory(
        slug="aides-jeunes",
        title="Aides Jeunes",
        mission="Simplifier l’accès des jeunes aux aides.",
        incubator=IncubatorFactory(slug="dinum"),
        phases=[("investigation", LAST_YEAR), ("construction", TODAY)],
        sponsors=[sponsor],
    )


def edit(client, obj, **changes):
    """Submit `obj`'s change page with `changes` over what it displays."""
    data = form_data(client.get(change_url(obj)))
    data.update(changes)
    return client.post(change_url(obj), data)


# Lists (their query counts are pinned in tests/staff/test_changelists.py).


def test_startup_list_shows_current_phase_and_team_size(client, superuser, startup):
    MissionFactory(startups=[startup], start=LAST_YEAR, end=None)
    MissionFactory(startups=[startup], start=LAST_YEAR, end=TODAY)
    MissionFactory(startups=[startup], start=LAST_YEAR, end=TODAY - datetime.timedelta(days=1))
    response = client.get(reverse("admin:startups_startup_changelist"))
    row = next(r for r in response.context["cl"].result_list if r.pk == startup.pk)
    assert (row.current_phase, row.team_size) == ("construction", 2)
    page = response.content.decode()
    assert "Construction" in page
    assert startup.get_absolute_url() in page


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("q=AIDES jeunes", True),
        ("q=aides-jeunes", True),
        ("q=acces des jeunes", True),  # the mission, without accents
        ("q=inconnu", False),
        ("phase=construction", True),
        ("phase=investigation", False),
        ("phase=nimporte", True),
        ("active=1", True),
        ("active=0", False),
    ],
)
def test_startup_list_search_and_filters(client, superuser, startup, query, found):
    StartupFactory(title="Autre service", phases=[("abandon", LAST_YEAR)])
    response = client.get(reverse("admin:startups_startup_changelist") + "?" + query)
    assert response.status_code == 200
    titles = [row.title for row in response.context["cl"].result_list]
    assert ("Aides Jeunes" in titles) is found


def test_startup_list_filters_by_incubator_and_sponsor(client, superuser, startup):
    other = StartupFactory(phases=[("investigation", LAST_YEAR)])
    changelist = reverse("admin:startups_startup_changelist")
    for query in (
        f"incubator__id__exact={startup.incubator_id}",
        f"sponsors__id__exact={startup.sponsors.get().pk}",
    ):
        rows = client.get(f"{changelist}?{query}").context["cl"].result_list
        assert [row.title for row in rows] == ["Aides Jeunes"]
    assert other.title in client.get(changelist).content.decode()


def test_every_admin_page_links_to_the_public_page(client, superuser, startup):
    """« Voir sur le site » on each change page, « Voir sur le site » in each list."""
    public = startup.get_absolute_url()
    event = EventFactory(startup=startup)
    for obj in [startup, startup.phases.first(), event, startup.sponsors.through.objects.first()]:
        info = f"admin:{obj._meta.app_label}_{obj._meta.model_name}"
        page = client.get(reverse(f"{info}_history", args=[obj.pk])).content.decode()
        assert f'href="{public}"' in page, obj
        listing = client.get(reverse(f"{info}_changelist")).content.decode()
        assert f'href="{public}">Voir sur le site</a>' in listing, obj
    page = client.get(change_url(startup)).content.decode()
    assert f'href="{public}"' in page
    assert client.get(public).status_code == 200


# Validation: clear French errors, and nothing the editor typed is lost.


def test_phase_ending_before_it_starts_is_refused_keeping_the_input(client, superuser, startup):
    response = edit(
        client,
        startup,
        **{"phases-1-end": LAST_YEAR.isoformat(), "phases-1-comment": "Mon commentaire à garder"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "précède le début de la phase" in page
    assert "Mon commentaire à garder" in page
    assert not StartupPhase.objects.filter(comment="Mon commentaire à garder").exists()


def test_new_phase_on_the_same_day_as_another_is_refused(client, superuser, startup):
    data = form_data(client.get(change_url(startup)))
    add_inline_row(data, "phases", phase="acceleration", start=TODAY.isoformat())
    response = client.post(change_url(startup), data)
    assert response.status_code == 200
    assert "deux phases ne peuvent pas commencer le même jour" in response.content.decode()
    assert startup.phases.count() == 2


def test_legacy_phases_on_one_day_stay_editable(client, superuser):
    legacy = StartupFactory(phases=[("investigation", LAST_YEAR), ("construction", LAST_YEAR)])
    response = edit(client, legacy, mission="Une mission reformulée.")
    assert response.status_code == 302
    legacy.refresh_from_db()
    assert legacy.mission == "Une mission reformulée."


def test_moving_a_phase_onto_another_ones_day_is_refused(client, superuser, startup):
    response = edit(client, startup, **{"phases-1-start": LAST_YEAR.isoformat()})
    assert "deux phases ne peuvent pas commencer le même jour" in response.content.decode()


def test_a_phase_listed_twice_is_refused(client, superuser, startup):
    data = form_data(client.get(change_url(startup)))
    add_inline_row(data, "phases", phase="investigation", start="2015-01-01")
    response = client.post(change_url(startup), data)
    assert "figure déjà dans l’historique" in response.content.decode()


def test_a_startup_without_any_phase_is_refused(client, superuser, startup):
    response = edit(client, startup, **{"phases-0-DELETE": "on", "phases-1-DELETE": "on"})
    assert "Une startup a au moins une phase" in response.content.decode()
    assert startup.phases.count() == 2


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"link": "pas une adresse"}, "Saisissez une URL valide."),
        ({"slug": "autre"}, "« autre » est déjà l’identifiant d’une autre fiche"),
        ({"slug": "avec espace"}, "Lettres, chiffres, points, tirets et soulignés uniquement"),
        ({"fast_promotion": "3"}, "Indiquez la promotion et le montant FAST"),
        ({"contact": ""}, "Ce champ est obligatoire."),
    ],
)
def test_invalid_fields_get_french_errors(client, superuser, startup, changes, message):
    StartupFactory(slug="autre")
    response = edit(client, startup, **changes)
    assert response.status_code == 200
    assert message in response.content.decode()


def test_adding_a_startup_makes_its_main_incubator_one_of_its_incubators(client, superuser):
    incubator = IncubatorFactory()
    data = {
        "title": "Nouveau service",
        "slug": "nouveau-service",
        "mission": "Aider.",
        "incubator": incubator.pk,
        "contact": "equipe@beta.gouv.fr",
        "stats": "unknown",
        "analyse_risques": "unknown",
        "mon_service_securise": "unknown",
    }
    add_page = client.get(reverse("admin:startups_startup_add"))
    for inline in add_page.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        for name in ("TOTAL_FORMS", "INITIAL_FORMS"):
            data[management.add_prefix(name)] = "0"
    add_inline_row(data, "phases", phase="investigation", start=TODAY.isoformat())
    response = client.post(reverse("admin:startups_startup_add"), data)
    assert response.status_code == 302, response.context["errors"]
    startup = Startup.objects.get(slug="nouveau-service")
    assert list(startup.incubators.all()) == [incubator]
    assert startup.current_phase().phase_id == "investigation"


def test_moving_a_startup_to_another_incubator(client, superuser, startup):
    target = IncubatorFactory()
    assert edit(client, startup, incubator=target.pk).status_code == 302
    assert list(Startup.objects.get(pk=startup.pk).incubators.all()) == [target]


def test_staff_cannot_take_a_co_incubated_startup_out_of_their_reach(client):
    mine, theirs = IncubatorFactory(), IncubatorFactory()
    shared = StartupFactory(
        incubator=theirs, incubators=[mine], phases=[("investigation", LAST_YEAR)]
    )
    client.force_login(UserFactory(incubators=[mine]))
    data = form_data(client.get(change_url(shared)))
    rows = StartupIncubator.objects.filter(startup=shared).order_by("position")
    index = [row.incubator_id for row in rows].index(mine.pk)
    data[f"startupincubator_set-{index}-DELETE"] = "on"
    response = client.post(change_url(shared), data)
    assert "doit rester rattachée à l’un de vos incubateurs" in response.content.decode()


# History and revert.


def test_every_change_is_recorded_with_who_and_what(client, superuser, startup):
    edit(client, startup, mission="Nouvelle mission.")
    record = startup.history.latest()
    assert record.history_user == superuser
    delta = record.diff_against(record.prev_record)
    assert {change.field: change.new for change in delta.changes} == {
        "mission": "Nouvelle mission."
    }
    page = client.get(reverse("admin:startups_startup_history", args=[startup.pk]))
    assert "Nouvelle mission." in page.content.decode()


def test_a_phase_edit_is_reverted_from_the_startups_history(client, superuser, startup):
    construction = startup.phases.get(phase="construction")
    edit(client, startup, **{"phases-1-start": (TODAY - datetime.timedelta(days=30)).isoformat()})
    construction.refresh_from_db()
    assert construction.start == TODAY - datetime.timedelta(days=30)

    history = client.get(reverse("admin:startups_startup_history", args=[startup.pk]))
    entries = [e for e in history.context["related_history"] if e.kind == "Phase"]
    assert entries[0].action == "Modification"
    assert entries[0].user == superuser
    before = construction.history.order_by("history_date")[0]
    revert_url = reverse(
        "admin:startups_startupphase_simple_history", args=[construction.pk, before.pk]
    )
    assert revert_url in [entry.revert_url for entry in entries]

    data = form_data(client.get(revert_url))
    assert client.post(revert_url, data).status_code == 302
    construction.refresh_from_db()
    assert construction.start == TODAY
    assert construction.history.latest().history_user == superuser


def test_a_deleted_phase_is_restored_from_the_startups_history(client, superuser, startup):
    edit(client, startup, **{"phases-1-DELETE": "on"})
    assert startup.current_phase().phase_id == "investigation"
    history = client.get(reverse("admin:startups_startup_history", args=[startup.pk]))
    deletion = next(
        entry for entry in history.context["related_history"] if entry.action == "Suppression"
    )
    data = form_data(client.get(deletion.revert_url))
    assert client.post(deletion.revert_url, data).status_code == 302
    assert startup.current_phase().phase_id == "construction"


def test_a_startups_last_phase_cannot_move_to_another_startup(client, superuser, startup):
    other = StartupFactory(title="Écobalyse", phases=[("investigation", LAST_YEAR)])
    only = other.phases.get()
    url = reverse("admin:startups_startupphase_change", args=[only.pk])
    data = {**form_data(client.get(url)), "startup": startup.pk, "phase": "acceleration"}
    refused = client.post(url, data)
    assert refused.status_code == 200
    assert "C’est la seule phase de « Écobalyse » : une startup garde" in refused.text
    assert StartupPhase.objects.get(pk=only.pk).startup == other
    construction = startup.phases.get(phase="construction")
    url = reverse("admin:startups_startupphase_change", args=[construction.pk])
    assert client.post(url, {**form_data(client.get(url)), "startup": other.pk}).status_code == 302
    assert StartupPhase.objects.get(pk=construction.pk).startup == other


def test_a_startups_last_phase_cannot_be_deleted_alone_or_in_bulk(client, superuser, startup):
    investigation, construction = startup.phases.order_by("start")
    url = reverse("admin:startups_startupphase_delete", args=[construction.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302
    alone = reverse("admin:startups_startupphase_delete", args=[investigation.pk])
    refused = client.post(alone, {"post": "yes"})
    assert "Aides Jeunes : une startup garde au moins une phase" in refused.text
    other = StartupFactory(title="Écobalyse", phases=[("investigation", LAST_YEAR)])
    bulk = {
        "action": "delete_selected",
        "post": "yes",
        "_selected_action": [investigation.pk, *other.phases.values_list("pk", flat=True)],
    }
    refused = client.post(reverse("admin:startups_startupphase_changelist"), bulk)
    assert "Écobalyse : une startup garde au moins une phase" in refused.text
    assert startup.phases.count() == other.phases.count() == 1


def test_staff_of_another_incubator_cannot_revert(client, startup):
    phase = startup.phases.first()
    record = phase.history.latest()
    url = reverse("admin:startups_startupphase_simple_history", args=[phase.pk, record.pk])
    client.force_login(UserFactory(incubators=[IncubatorFactory()]))
    assert client.get(url).status_code == 403
    assert client.post(url, {}).status_code == 403


# Live: the next request shows the edit, to anyone, whatever the caches hold.


@pytest.fixture
def caches_on(settings):
    """The production caches: public pages and API answers kept in the (locmem) cache."""
    settings.RESPONSE_CACHE_SECONDS = 3600
    settings.API_RESPONSE_CACHE_SECONDS = 3600
    cache.clear()
    yield
    cache.clear()


def phase_counts(response) -> dict[str, int]:
    """Today's counts per phase on the statistics page, as rendered (None: not rendered now)."""
    assert response.status_code == 200
    assert response.context is not None, "served from the cache: a stale page"
    return {phase["slug"]: phase["count"] for phase in response.context["phases"]}


def test_an_admin_edit_is_live_for_visitors_despite_the_caches(
    client, superuser, startup, caches_on
):
    visitor = Client()  # anonymous: the answers the caches keep and serve
    page, stats = startup.get_absolute_url(), reverse("stats:statistics")
    api = f"/api/v1/startups/{startup.slug}"
    Startup.objects.filter(pk=startup.pk).update(
        created_at=timezone.now() - 2 * YEAR, updated_at=timezone.now() - YEAR
    )
    before = {url: visitor.get(url) for url in (page, stats, api)}
    counts = phase_counts(before[stats])
    assert "Construction" in before[page].content.decode()
    assert before[api].json()["current_phase"] == "construction"
    for url, response in before.items():
        # Served again from the shared cache, or revalidated (304): what an edit must defeat.
        with CaptureQueriesContext(connection) as queries:
            assert visitor.get(url).content == response.content
        assert len(queries) == 1, url  # the portfolio version only
        revalidated = visitor.get(url, headers={"if-none-match": response["ETag"]})
        assert revalidated.status_code == 304, url

    edit(client, startup, **{"phases-1-phase": "acceleration"})

    after = {}
    for url, response in before.items():
        # A browser or a CDN revalidating its copy gets the new answer, not a 304.
        after[url] = visitor.get(url, headers={"if-none-match": response["ETag"]})
        assert after[url].status_code == 200, url
        assert after[url]["ETag"] != response["ETag"], url
    public = after[page].content.decode()
    assert "Accélération" in public
    assert f"Mis à jour le {long_date(TODAY)}" in public
    now = phase_counts(after[stats])
    assert (now["construction"], now["acceleration"]) == (
        counts["construction"] - 1,
        counts["acceleration"] + 1,
    )
    assert now == Startup.objects.phase_counts_on(TODAY)
    assert after[api].json()["current_phase"] == "acceleration"
    # And the next visitors get the new answers from the cache.
    assert visitor.get(page).content == after[page].content


def test_a_revert_is_live_too(client, superuser, startup, caches_on):
    visitor = Client()
    phase = startup.phases.get(phase="construction")
    version = phase.history.latest()
    edit(client, startup, **{"phases-1-phase": "acceleration"})
    assert "Accélération" in visitor.get(startup.get_absolute_url()).content.decode()
    url = reverse("admin:startups_startupphase_simple_history", args=[phase.pk, version.pk])
    assert client.post(url, form_data(client.get(url))).status_code == 302
    public = visitor.get(startup.get_absolute_url()).content.decode()
    assert "Construction" in public
    assert "Accélération" not in public
    assert visitor.get(f"/api/v1/startups/{startup.slug}").json()["current_phase"] == (
        "construction"
    )


def test_new_rows_are_written_after_the_existing_ones_in_date_order(client, superuser, startup):
    data = form_data(client.get(change_url(startup)))
    add_inline_row(data, "phases", phase="abandon-investigation", start="2000-01-01")
    add_inline_row(data, "events", name="committee", date=TODAY.isoformat())
    assert client.post(change_url(startup), data).status_code == 302
    order = list(startup.phases.order_by("position").values_list("phase", flat=True))
    assert order == ["abandon-investigation", "investigation", "construction"]
    assert Event.objects.get(startup=startup).position == 0


def test_incubator_action_creates_its_staff_group(client, superuser):
    incubator = IncubatorFactory(title="La Fabrique")
    response = client.post(
        reverse("admin:startups_incubator_changelist"),
        {"action": "create_staff_groups", "_selected_action": [incubator.pk]},
    )
    assert response.status_code == 302
    assert incubator.staff_group.group.permissions.filter(codename="change_startup").exists()


def test_organisation_admin_lists_and_searches(client, superuser):
    OrganisationFactory(name="Ministère de l’Éducation nationale", slug="men")
    response = client.get(reverse("admin:startups_organisation_changelist") + "?q=education")
    assert [o.slug for o in response.context["cl"].result_list] == ["men"]
    assert Organisation.objects.count() == 1


def test_saving_only_a_phase_adds_no_empty_version_of_the_startup(client, superuser, startup):
    versions = startup.history.count()
    edit(client, startup, **{"phases-1-comment": "Comité passé."})
    assert startup.history.count() == versions
    assert startup.phases.get(phase="construction").history.latest().history_user == superuser
    # A revert restores what a version held, even when the page showed the same: recorded.
    version = startup.history.latest()
    url = reverse("admin:startups_startup_simple_history", args=[startup.pk, version.pk])
    assert client.post(url, form_data(client.get(url))).status_code == 302
    assert startup.history.count() == versions + 1


def test_history_speaks_french_field_by_field(client, superuser, startup):
    edit(
        client,
        startup,
        accessibility_status="partiellement conforme",
        **{"phases-1-start": (TODAY - datetime.timedelta(days=3)).isoformat()},
    )
    startup.sponsors.through.objects.get().delete()
    page = client.get(reverse("admin:startups_startup_history", args=[startup.pk]))
    html = page.content.decode()
    assert "<strong>Accessibilité :</strong> — → Partiellement conforme" in html
    phase_change = next(e for e in page.context["related_history"] if e.action == "Modification")
    assert phase_change.changes == [
        {
            "field": "Début",
            "old": f"{TODAY:%d/%m/%Y}",
            "new": f"{TODAY - datetime.timedelta(days=3):%d/%m/%Y}",
        }
    ]
    sponsor = next(e for e in page.context["related_history"] if e.action == "Suppression")
    assert sponsor.changes[0]["field"] == "Organisation"
    for english in ("Incubator :", "Usertype :", "Organisation_id", "Position"):
        assert english not in html


def test_a_removed_sponsor_is_restored_from_the_startups_history(client, superuser, startup):
    sponsor = startup.sponsors.get()
    edit(client, startup, **{"startupsponsor_set-0-DELETE": "on"})
    assert not startup.sponsors.exists()
    history = client.get(reverse("admin:startups_startup_history", args=[startup.pk]))
    removal = next(e for e in history.context["related_history"] if e.kind == "Sponsor")
    assert removal.action == "Suppression"
    data = form_data(client.get(removal.revert_url))
    assert client.post(removal.revert_url, data).status_code == 302
    assert list(startup.sponsors.all()) == [sponsor]


def test_a_link_rows_own_page_leads_to_its_startup(client, superuser, startup):
    link = startup.sponsors.through.objects.get()
    response = client.get(reverse("admin:startups_startupsponsor_change", args=[link.pk]))
    assert response.url == change_url(startup)
    index = client.get(reverse("admin:index")).content.decode()
    assert "/admin/startups/startupsponsor/" not in index


def test_implausible_dates_and_nul_characters_are_refused(client, superuser, startup):
    response = edit(
        client, startup, techno="Django\nPost\x00greSQL", **{"phases-1-start": "01/01/0001"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Date invraisemblable (01/01/0001)" in html
    assert "Le caractère nul n’est pas autorisé." in html
    assert not startup.phases.filter(start__year=1).exists()


def test_typed_lists_are_kept_on_an_error(client, superuser, startup):
    response = edit(client, startup, techno="Django\nPostgreSQL", link="pas une adresse")
    assert response.status_code == 200
    assert "Django\nPostgreSQL</textarea>" in response.content.decode()


def test_line_breaks_typed_in_a_browser_are_stored_as_in_the_files(client, superuser, startup):
    """Browsers send a textarea's line breaks as CRLF; the content files use LF."""
    Startup.objects.filter(pk=startup.pk).update(description="## Le problème\n\nTrop long.")
    versions = startup.history.count()
    response = edit(
        client,
        startup,
        description="## Le problème\r\n\r\nTrop long.",
        **{"phases-1-comment": "Ligne 1\r\nLigne 2"},
    )
    assert response.status_code == 302
    startup.refresh_from_db()
    assert startup.description == "## Le problème\n\nTrop long."
    assert startup.history.count() == versions  # nothing changed in the startup itself
    assert startup.phases.get(phase="construction").comment == "Ligne 1\nLigne 2"


def test_a_description_is_trimmed_as_the_import_trims_a_body(client, superuser, startup):
    """Blank lines before and spaces after go; an indented first line stays (Markdown)."""
    typed = "\r\n\r\n Lancé en 2024.\r\n\r\n- une liste  \r\n\r\n"
    assert edit(client, startup, description=typed, mission="  Aider.  ").status_code == 302
    startup.refresh_from_db()
    assert startup.description == " Lancé en 2024.\n\n- une liste"
    assert startup.mission == "Aider."
