"""Who may do what in the admin: each role × each registered model × view/add/change/delete.

Requests go through the admin's URLs, as someone typing them would: a staff member of
incubator A asking for incubator B's startup gets a 403, never a page or a 500.
"""

import datetime
from types import SimpleNamespace

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, User
from django.urls import reverse

from members.models import Member, Mission, Team
from staff.models import IncubatorGroup
from startups.models import (
    Event,
    Incubator,
    Organisation,
    Phase,
    Startup,
    StartupPhase,
    Thematique,
    Usertype,
)
from tests.factories import (
    EventFactory,
    IncubatorFactory,
    MissionFactory,
    StartupFactory,
    TeamFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

OK, DENIED, LOGIN = 200, 403, 302
ROLES = ["superuser", "staff_a", "staff_b", "plain_staff", "anonymous"]
# Rows belonging to an incubator's startups: staff reach their own incubator's only.
SCOPED = {Startup, StartupPhase, Event, Mission}
# Public reference data staff need to pick sponsors, co-incubators, team members.
VIEW_ONLY = {Member, Incubator, Organisation, Phase}
TAGS = {Thematique, Usertype}
ACTIONS = ["list", "add", "view", "change", "delete", "history"]


@pytest.fixture
def world():
    a = IncubatorFactory(slug="incubateur-a")
    b = IncubatorFactory(slug="incubateur-b")
    day = datetime.date(2021, 3, 1)
    startups = {
        "a": StartupFactory(incubator=a, phases=[("investigation", day)], thematiques=["Santé"]),
        "b": StartupFactory(incubator=b, phases=[("construction", day)], usertypes=["agents"]),
    }
    for startup in startups.values():
        EventFactory(startup=startup)
        MissionFactory(startups=[startup])
    users = {
        "superuser": UserFactory(is_superuser=True),
        "staff_a": UserFactory(incubators=[a]),
        "staff_b": UserFactory(incubators=[b]),
        "plain_staff": UserFactory(),
    }
    TeamFactory(incubator=a)
    return SimpleNamespace(incubators={"a": a, "b": b}, startups=startups, users=users)


def targets(model, world) -> dict[str, object]:
    """The objects a role acts on: incubator A's and B's for scoped models, else any one."""
    if model not in SCOPED:
        return {"any": model._default_manager.order_by("pk").first()}
    lookup = {
        Startup: "pk",
        StartupPhase: "startup",
        Event: "startup",
        Mission: "startups",
    }[model]
    return {
        key: model._default_manager.get(**{lookup: startup.pk})
        for key, startup in world.startups.items()
    }


def expected(role: str, model, action: str, target: str) -> int:
    if role == "anonymous":
        return LOGIN
    if role == "superuser":
        fixed_phases = model is Phase and action in {"add", "delete"}
        return DENIED if fixed_phases else OK
    if role == "plain_staff":
        return DENIED
    own = target in {"any", role.removeprefix("staff_")}
    if model in SCOPED:
        if action in {"list", "add"}:
            return OK
        if model is Startup and action == "delete":
            return DENIED  # staff do not delete startups: their end is a phase
        return OK if own else DENIED
    if model in VIEW_ONLY:
        return OK if action in {"list", "view", "history"} else DENIED
    if model in TAGS:
        return OK if action in {"list", "add", "view", "history"} else DENIED
    return DENIED  # teams, staff groups, users and groups


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
    return client.get(reverse(f"{info}_history", args=[obj.pk])).status_code


@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(client, world, role):
    if role != "anonymous":
        client.force_login(world.users[role])
    # The project's models and the accounts; third-party admins (axes, dsfr) are theirs.
    apps = {"startups", "members", "staff", "auth"}
    models = [model for model in admin.site._registry if model._meta.app_label in apps]
    assert {Startup, StartupPhase, Event, Mission, Member, Team, IncubatorGroup, User} <= set(
        models
    )
    assert {Group, Thematique, Usertype, Incubator, Organisation, Phase} <= set(models)
    mismatches = []
    for model in models:
        for target, obj in targets(model, world).items():
            for action in ACTIONS:
                # Lists and add pages have no target; a superuser's reach has no scope.
                if target == "b" and (action in {"list", "add"} or role == "superuser"):
                    continue
                got = request(client, model, action, obj)
                want = expected(role, model, action, target)
                if got != want:
                    mismatches.append(f"{model._meta.label} {action} {target}: {got} ≠ {want}")
    assert mismatches == []


def test_staff_lists_only_their_incubators_startups(client, world):
    client.force_login(world.users["staff_a"])
    page = client.get(reverse("admin:startups_startup_changelist")).content.decode()
    assert world.startups["a"].title in page
    assert world.startups["b"].title not in page
    phases = client.get(reverse("admin:startups_startupphase_changelist")).content.decode()
    assert world.startups["a"].title in phases
    assert world.startups["b"].title not in phases


def test_staff_autocomplete_offers_only_their_startups(client, world):
    client.force_login(world.users["staff_a"])
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "members", "model_name": "mission", "field_name": "startups", "term": ""},
    )
    names = [result["text"] for result in response.json()["results"]]
    assert names == [world.startups["a"].title]


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


def test_staff_group_link_to_a_deleted_user_session_is_refused(client, world):
    user = world.users["staff_a"]
    user.is_active = False
    user.save()
    client.force_login(user)
    response = client.get(reverse("admin:startups_startup_changelist"))
    assert response.status_code == LOGIN


def test_unknown_or_malformed_ids_never_cause_an_error(client, world):
    client.force_login(world.users["staff_a"])
    for url in [
        "/admin/startups/startup/999999/change/",
        "/admin/startups/startup/abc/change/",
        "/admin/startups/startup/abc/history/",
        "/admin/startups/startup/999999/history/",
        f"/admin/startups/startup/{world.startups['a'].pk}/history/abc/",
        f"/admin/startups/startup/{world.startups['a'].pk}/history/999999/",
        "/admin/startups/startupphase/abc/history/1/",
    ]:
        assert client.get(url).status_code in {302, 403, 404}, url
