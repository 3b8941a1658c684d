"""Who may do what in the admin: each role × each registered model × each kind of request.

Requests go through the admin's URLs, as someone typing them would: a staff member of
incubator A asking for incubator B's rows gets a 403 (never a page, a redirect to them or a
500), whether by the change, delete, history or revert URL, an autocomplete, an inline row
or a bulk action.
"""

import datetime
from types import SimpleNamespace

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, User
from django.urls import reverse
from simple_history.admin import SimpleHistoryAdmin

from members.models import Member, Mission, MissionStartup, Team, TeamMembership
from staff.base_admin import LinkRowAdmin
from staff.models import IncubatorGroup
from startups.models import (
    Event,
    HighlightedStartup,
    Incubator,
    Organisation,
    Phase,
    PortfolioVersion,
    Startup,
    StartupIncubator,
    StartupPhase,
    StartupSponsor,
    StartupThematique,
    StartupUsertype,
    Thematique,
    Usertype,
)
from tests.factories import (
    EventFactory,
    IncubatorFactory,
    MemberFactory,
    MissionFactory,
    OrganisationFactory,
    StartupFactory,
    StartupPhaseFactory,
    TeamFactory,
    UserFactory,
)
from tests.staff.admin_forms import form_data

pytestmark = pytest.mark.django_db

OK, DENIED, REDIRECT = 200, 403, 302
ROLES = ["superuser", "staff_a", "staff_b", "plain_staff", "anonymous"]
# Rows belonging to an incubator's startups, and how to find incubator A's or B's: staff reach
# their own incubator's only.
SCOPED = {
    Startup: "pk",
    StartupPhase: "startup",
    Event: "startup",
    StartupIncubator: "startup",
    StartupSponsor: "startup",
    StartupThematique: "startup",
    StartupUsertype: "startup",
    Mission: "startups",
    MissionStartup: "startup",
}
# Public reference data staff need to pick sponsors, co-incubators, team members.
VIEW_ONLY = {Member, Incubator, Organisation, Phase}
TAGS = {Thematique, Usertype}
ACTIONS = [
    "list",
    "add",
    "view",
    "change",
    "delete",
    "history",
    "revert",
    "revert_post",
    "delete_post",
]


@pytest.fixture
def world():
    a = IncubatorFactory(slug="incubateur-a")
    b = IncubatorFactory(slug="incubateur-b")
    day = datetime.date(2021, 3, 1)
    startups = {
        key: StartupFactory(
            incubator=incubator,
            phases=[("investigation", day)],
            sponsors=[OrganisationFactory()],
            thematiques=[f"Santé {key}"],
            usertypes=[f"agents {key}"],
        )
        for key, incubator in (("a", a), ("b", b))
    }
    team = TeamFactory(incubator=a)
    for startup in startups.values():
        EventFactory(startup=startup)
        MissionFactory(startups=[startup], member=MemberFactory(teams=[team]))
    HighlightedStartup.objects.create(incubator=a, startup=startups["a"])
    for phase in Phase.objects.all():
        phase.save()  # a first version (the migration that made them recorded none)
    users = {
        "superuser": UserFactory(is_superuser=True),
        "staff_a": UserFactory(incubators=[a]),
        "staff_b": UserFactory(incubators=[b]),
        "plain_staff": UserFactory(),
    }
    return SimpleNamespace(incubators={"a": a, "b": b}, startups=startups, users=users)


def targets(model, world) -> dict[str, object]:
    """The objects a role acts on: incubator A's and B's for scoped models, else any one."""
    if model is User:
        return {"any": world.users["plain_staff"]}  # not the one acting: it may delete it
    if model not in SCOPED:
        return {"any": model._default_manager.order_by("pk").first()}
    return {
        key: model._default_manager.get(**{SCOPED[model]: startup.pk})
        for key, startup in world.startups.items()
    }


def may(role: str, model, action: str, target: str) -> bool:
    """The rule, written independently of the code: what each role may do."""
    link = issubclass(type(admin.site.get_model_admin(model)), LinkRowAdmin)
    if action == "add" and link:
        return False  # links are added on their parent's page
    if role == "superuser":
        if model is Phase:
            return action not in {"add", "delete", "delete_post"}  # the eight are fixed
        if model is PortfolioVersion:
            return action in {"list", "view", "history", "revert"}  # technical, read only
        return True
    if role == "plain_staff":
        return False
    own = target in {"any", role.removeprefix("staff_")}
    if model in SCOPED:
        if action in {"list", "add"}:
            return True  # pages of no row: what they offer is scoped
        if model is Startup and action in {"delete", "delete_post"}:
            return False  # staff do not delete startups: their end is a phase
        return own
    if model in VIEW_ONLY:
        return action in {"list", "view", "history", "revert"}
    if model in TAGS:
        return action in {"list", "add", "view", "history"}
    return False  # teams, staff groups, highlighted startups, users and groups, the version


def expected(role: str, model, action: str, target: str) -> int:
    if role == "anonymous":
        return REDIRECT  # to the login page
    if not may(role, model, action, target):
        return DENIED
    link = issubclass(type(admin.site.get_model_admin(model)), LinkRowAdmin)
    if link and action in {"view", "change", "delete"}:
        return REDIRECT  # to the parent's page, where links are edited
    if link and action == "revert_post":
        return REDIRECT  # restored as it was: its revert page has nothing to fill in
    if action == "delete_post":
        return REDIRECT  # deleted, back to the list
    return OK


def latest_version(model, obj) -> int:
    return model.history.filter(**{model._meta.pk.attname: obj.pk}).latest().history_id


def request(client, model, action: str, obj) -> int:
    info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
    if action == "list":
        return client.get(reverse(f"{info}_changelist")).status_code
    if action == "add":
        return client.get(reverse(f"{info}_add")).status_code
    if action == "view":
        return client.get(reverse(f"{info}_change", args=[obj.pk])).status_code
    if action == "change":
        # An empty form: allowed means the form comes back with its errors (200).
        return client.post(reverse(f"{info}_change", args=[obj.pk]), {}).status_code
    if action == "delete":
        return client.get(reverse(f"{info}_delete", args=[obj.pk])).status_code
    if action == "delete_post":
        return client.post(reverse(f"{info}_delete", args=[obj.pk]), {"post": "yes"}).status_code
    if action == "history":
        return client.get(reverse(f"{info}_history", args=[obj.pk])).status_code
    url = reverse(f"{info}_simple_history", args=[obj.pk, latest_version(model, obj)])
    if action == "revert":
        return client.get(url).status_code
    # An empty form: allowed means the form comes back with its errors (200).
    return client.post(url, {}).status_code


def registered_models() -> list:
    # The project's models and the accounts; third-party admins (axes, dsfr) are theirs.
    apps = {"startups", "members", "staff", "auth"}
    return [model for model in admin.site._registry if model._meta.app_label in apps]


def test_every_model_has_an_admin():
    from django.apps import apps

    project = [
        model
        for label in ("startups", "members", "staff")
        for model in apps.get_app_config(label).get_models()
        if not model.__name__.startswith("Historical")
    ]
    assert [model for model in project if model not in admin.site._registry] == []


@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(client, world, role):
    if role != "anonymous":
        client.force_login(world.users[role])
    models = registered_models()
    assert {
        Startup,
        StartupPhase,
        Event,
        Mission,
        Member,
        Team,
        IncubatorGroup,
        User,
        Group,
        MissionStartup,
        TeamMembership,
        PortfolioVersion,
    } <= set(models)
    mismatches, requests = [], 0
    every_target = {model: targets(model, world) for model in models}
    # Deletions last, children before their parents, so that every target is still there.
    for action in ACTIONS:
        ordered = sorted(models, key=lambda m: (m is Startup, m in {Incubator, Organisation}))
        for model in ordered:
            model_admin = admin.site.get_model_admin(model)
            if action.startswith("revert") and not isinstance(model_admin, SimpleHistoryAdmin):
                continue  # no versions to restore
            for target, obj in every_target[model].items():
                # Lists and add pages have no target; a superuser's reach has no scope.
                if target == "b" and (action in {"list", "add"} or role == "superuser"):
                    continue
                if obj is None or not model._default_manager.filter(pk=obj.pk).exists():
                    continue  # deleted with its parent by an earlier allowed deletion
                got = request(client, model, action, obj)
                requests += 1
                want = expected(role, model, action, target)
                if action == "delete_post" and want == REDIRECT and got == OK:
                    # The admin refuses a deletion that would break a PROTECTed link, by
                    # showing what protects the row: allowed, yet not done.
                    continue
                if got != want:
                    mismatches.append(f"{model._meta.label} {action} {target}: {got} ≠ {want}")
    assert mismatches == []
    assert requests > 150


def test_denied_deletions_delete_nothing(client, world):
    client.force_login(world.users["staff_a"])
    for model in SCOPED:
        theirs = targets(model, world)["b"]
        info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        url = reverse(f"{info}_delete", args=[theirs.pk])
        assert client.post(url, {"post": "yes"}).status_code == DENIED, model
        assert model._default_manager.filter(pk=theirs.pk).exists(), model


def test_bulk_delete_ignores_other_incubators_rows(client, world):
    client.force_login(world.users["staff_a"])
    mine, theirs = (world.startups[key].phases.get() for key in ("a", "b"))
    # Not its last phase: that one a startup keeps (tests/startups/test_admin.py).
    StartupPhaseFactory(startup=world.startups["a"], phase_id="construction")
    response = client.post(
        reverse("admin:startups_startupphase_changelist"),
        {"action": "delete_selected", "_selected_action": [mine.pk, theirs.pk], "post": "yes"},
    )
    assert response.status_code == REDIRECT
    assert not StartupPhase.objects.filter(pk=mine.pk).exists()
    assert StartupPhase.objects.filter(pk=theirs.pk).exists()


def test_inline_rows_of_another_startup_cannot_be_edited_from_ones_own(client, world):
    client.force_login(world.users["staff_a"])
    mine, theirs = world.startups["a"], world.startups["b"]
    url = reverse("admin:startups_startup_change", args=[mine.pk])
    data = form_data(client.get(url))
    their_phase = theirs.phases.get()
    data["phases-0-id"] = str(their_phase.pk)
    data["phases-0-start"] = "2000-01-01"
    client.post(url, data)
    # Django ignores a row outside the formset's own (the startup's phases): nothing changes.
    their_phase.refresh_from_db()
    assert their_phase.start == datetime.date(2021, 3, 1)
    assert their_phase.startup == theirs
    assert list(mine.phases.values_list("start", flat=True)) == [datetime.date(2021, 3, 1)]


def test_staff_lists_only_their_incubators_rows(client, world):
    client.force_login(world.users["staff_a"])
    for name in ("startup", "startupphase", "event", "startupsponsor"):
        page = client.get(reverse(f"admin:startups_{name}_changelist")).content.decode()
        assert world.startups["a"].title in page, name
        assert world.startups["b"].title not in page, name
    missions = client.get(reverse("admin:members_mission_changelist")).context["cl"]
    assert [m.startups.get() for m in missions.result_list] == [world.startups["a"]]


def autocomplete_fields() -> list[tuple[str, str, str, type]]:
    """Every autocomplete of the admin: (app, model, field, model of the choices)."""
    found = set()
    for model, model_admin in admin.site._registry.items():
        inlines = [inline(model, admin.site) for inline in model_admin.inlines]
        for owner in [model_admin, *inlines]:
            fields = list(owner.autocomplete_fields)
            if "mission_startups" in getattr(owner.form, "base_fields", {}):
                fields.append("startups")  # the mission's startups, a form field
            for name in fields:
                field = owner.model._meta.get_field(name)
                meta = owner.model._meta
                found.add((meta.app_label, meta.model_name, name, field.related_model))
    return sorted(found, key=str)


def test_autocompletes_never_offer_other_incubators_startups(client, world):
    fields = autocomplete_fields()
    startup_fields = [f for f in fields if f[3] is Startup]
    assert len(startup_fields) >= 5
    client.force_login(world.users["staff_a"])
    theirs = world.startups["b"].title
    for app_label, model_name, field_name, related in fields:
        response = client.get(
            reverse("admin:autocomplete"),
            {"app_label": app_label, "model_name": model_name, "field_name": field_name},
        )
        assert response.status_code in {OK, DENIED}, (model_name, field_name)
        if response.status_code == OK:
            texts = [result["text"] for result in response.json()["results"]]
            assert theirs not in texts, (model_name, field_name)
            if related is Startup:
                assert texts == [world.startups["a"].title], (model_name, field_name)


@pytest.mark.parametrize("role", ["anonymous", "plain_staff"])
def test_autocompletes_answer_nothing_to_others(client, world, role):
    if role != "anonymous":
        client.force_login(world.users[role])
    for app_label, model_name, field_name, _ in autocomplete_fields():
        response = client.get(
            reverse("admin:autocomplete"),
            {"app_label": app_label, "model_name": model_name, "field_name": field_name},
        )
        assert response.status_code in {REDIRECT, DENIED}, (model_name, field_name)


def test_staff_choose_main_incubator_among_theirs(client, world):
    client.force_login(world.users["staff_a"])
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "startups", "model_name": "startup", "field_name": "incubator", "term": ""},
    )
    assert [result["text"] for result in response.json()["results"]] == [
        world.incubators["a"].title
    ]


def test_co_incubated_startup_is_edited_by_both_incubators(client, world):
    shared = StartupFactory(
        incubator=world.incubators["b"],
        incubators=[world.incubators["a"]],
        phases=[("investigation", datetime.date(2022, 1, 1))],
    )
    url = reverse("admin:startups_startup_change", args=[shared.pk])
    for role in ("staff_a", "staff_b"):
        client.force_login(world.users[role])
        assert client.get(url).status_code == OK


def test_a_row_moved_to_another_incubator_cannot_be_taken_back_by_a_revert(client, world):
    """A version may describe the row as it was (a phase of incubator A's startup): the row
    as it is now (incubator B's) decides."""
    phase = world.startups["a"].phases.get()
    version = phase.history.latest()
    phase.startup = world.startups["b"]
    phase.phase_id = "construction"
    phase.save()
    client.force_login(world.users["staff_a"])
    url = reverse("admin:startups_startupphase_simple_history", args=[phase.pk, version.pk])
    assert client.get(url).status_code == DENIED
    assert client.post(url, {"startup": world.startups["a"].pk}).status_code == DENIED
    assert StartupPhase.objects.get(pk=phase.pk).startup == world.startups["b"]


def test_a_mission_no_longer_theirs_is_out_of_reach_even_by_its_history(client, world):
    mine, theirs = world.startups["a"], world.startups["b"]
    mission = MissionFactory(startups=[mine, theirs], employer="Octo")
    MissionStartup.objects.get(mission=mission, startup=mine).delete()
    version = mission.history.earliest()
    client.force_login(world.users["staff_a"])
    for name, args in [
        ("change", [mission.pk]),
        ("history", [mission.pk]),
        ("delete", [mission.pk]),
        ("simple_history", [mission.pk, version.pk]),
    ]:
        url = reverse(f"admin:members_mission_{name}", args=args)
        assert client.get(url).status_code == DENIED, name
        assert client.post(url, {"employer": "Piraté"}).status_code == DENIED, name
    assert Mission.objects.get(pk=mission.pk).employer == "Octo"


def test_a_link_rows_revert_puts_the_version_back_whatever_is_posted(client, world):
    """A link row's revert page edits nothing: a value posted to it (another incubator's
    startup or mission) would escape the mission page's scope."""
    mine, theirs = world.startups["a"], world.startups["b"]
    link = MissionStartup.objects.get(startup=mine)
    their_mission = MissionStartup.objects.get(startup=theirs).mission
    version = link.history.latest()
    client.force_login(world.users["staff_a"])
    url = reverse("admin:members_missionstartup_simple_history", args=[link.pk, version.pk])
    page = client.get(url)
    assert 'name="startup"' not in page.text
    data = {**form_data(page), "startup": theirs.pk, "mission": their_mission.pk}
    assert client.post(url, data).status_code == REDIRECT
    link.refresh_from_db()
    assert (link.startup, link.mission) == (mine, version.instance.mission)


def test_a_startups_incubator_link_is_not_restored_away_from_its_main_incubator(client, world):
    startup = world.startups["a"]
    link = StartupIncubator.objects.get(startup=startup)
    link.incubator = world.incubators["b"]
    link.save()
    elsewhere = link.history.latest()
    link.incubator = world.incubators["a"]
    link.save()
    client.force_login(world.users["superuser"])
    url = reverse("admin:startups_startupincubator_simple_history", args=[link.pk, elsewhere.pk])
    response = client.post(url, form_data(client.get(url)))
    assert response.status_code == OK
    assert "garde son incubateur principal" in response.text
    assert StartupIncubator.objects.get(pk=link.pk).incubator == world.incubators["a"]


def test_a_link_is_not_restored_twice(client, world):
    startup = world.startups["a"]
    link = StartupSponsor.objects.get(startup=startup)
    version = link.history.latest()
    link.delete()
    StartupSponsor.objects.create(startup=startup, organisation=version.instance.organisation)
    client.force_login(world.users["superuser"])
    url = reverse("admin:startups_startupsponsor_simple_history", args=[version.id, version.pk])
    response = client.post(url, form_data(client.get(url)))
    assert response.status_code == OK
    assert StartupSponsor.objects.filter(startup=startup).count() == 1


def test_a_deleted_row_is_restored_only_by_its_incubators_staff(client, world):
    event = world.startups["b"].events.get()
    version = event.history.latest()
    event.delete()
    url = reverse("admin:startups_event_simple_history", args=[version.id, version.pk])
    client.force_login(world.users["staff_a"])
    assert client.get(url).status_code == DENIED
    client.force_login(world.users["staff_b"])
    assert client.post(url, form_data(client.get(url))).status_code == REDIRECT
    assert Event.objects.filter(pk=version.id).exists()


def test_staff_group_link_to_a_deactivated_user_session_is_refused(client, world):
    user = world.users["staff_a"]
    user.is_active = False
    user.save()
    client.force_login(user)
    response = client.get(reverse("admin:startups_startup_changelist"))
    assert response.status_code == REDIRECT


def test_unknown_or_malformed_ids_never_cause_an_error(client, world):
    client.force_login(world.users["staff_a"])
    mine = world.startups["a"].pk
    for url in [
        "/admin/startups/startup/999999/change/",
        "/admin/startups/startup/abc/change/",
        "/admin/startups/startup/abc/history/",
        "/admin/startups/startup/999999/history/",
        "/admin/startups/startup/abc/delete/",
        f"/admin/startups/startup/{mine}/history/abc/",
        f"/admin/startups/startup/{mine}/history/999999/",
        "/admin/startups/startupphase/abc/history/1/",
        "/admin/startups/startupsponsor/abc/change/",
        "/admin/startups/startupsponsor/999999/change/",
        "/admin/members/missionstartup/abc/history/",
        "/admin/autocomplete/?app_label=startups&model_name=startup&field_name=nope",
        "/admin/autocomplete/?app_label=nope&model_name=startup&field_name=incubator",
        "/admin/startups/startup/?phase=%00&active=2&o=99&incubator__id__exact=abc",
    ]:
        assert client.get(url).status_code in {200, 302, 400, 403, 404}, url
