"""The members' admin: missions inline, their startups, history, and incubator staff's reach."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from members.models import Member, Mission, MissionStartup
from startups.models import Startup
from tests.factories import (
    IncubatorFactory,
    MemberFactory,
    MissionFactory,
    StartupFactory,
    UserFactory,
)
from tests.staff.admin_forms import add_inline_row, form_data

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
LAST_YEAR = TODAY - datetime.timedelta(days=365)


def change_url(obj) -> str:
    meta = obj._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])


@pytest.fixture
def superuser(client):
    user = UserFactory(is_superuser=True)
    client.force_login(user)
    return user


@pytest.fixture
def member():
    person = MemberFactory(slug="irene.joliot", fullname="Irène Joliot-Curie", github="ijc")
    MissionFactory(member=person, start=LAST_YEAR, end=None)
    return person


def edit(client, obj, **changes):
    data = form_data(client.get(change_url(obj)))
    data.update(changes)
    return client.post(change_url(obj), data)


@pytest.mark.parametrize(
    ("query", "found"),
    [("q=irene joliot", True), ("q=IJC", True), ("actif=1", True), ("actif=0", False)],
)
def test_member_list_search_and_active_filter(client, superuser, member, query, found):
    MissionFactory(member=MemberFactory(fullname="Ancien"), end=LAST_YEAR)
    response = client.get(reverse("admin:members_member_changelist") + "?" + query)
    names = [row.fullname for row in response.context["cl"].result_list]
    assert ("Irène Joliot-Curie" in names) is found


def test_missions_are_edited_inline_with_their_startups_in_order(client, superuser, member):
    first, second = StartupFactory(title="Zèbre"), StartupFactory(title="Abeille")
    data = form_data(client.get(change_url(member)))
    add_inline_row(
        data,
        "missions",
        start=TODAY.isoformat(),
        status="admin",
        employer="DINUM",
        mission_startups=[str(first.pk), str(second.pk)],
    )
    response = client.post(change_url(member), data)
    assert response.status_code == 302
    mission = member.missions.get(start=TODAY)
    links = MissionStartup.objects.filter(mission=mission).order_by("position")
    assert [link.startup for link in links] == [first, second]
    assert [m.position for m in member.missions.order_by("start")] == [0, 1]


def test_mission_ending_before_it_starts_is_refused(client, superuser, member):
    response = edit(client, member, **{"missions-0-end": "2000-01-01"})
    assert response.status_code == 200
    assert "précède son début" in response.content.decode()


def test_a_member_keeps_at_least_one_mission(client, superuser, member):
    response = edit(client, member, **{"missions-0-DELETE": "on"})
    assert "Un membre a au moins une mission." in response.content.decode()


def test_a_members_last_mission_cannot_move_to_another_member(client, superuser, member):
    only = member.missions.get()
    other = MemberFactory(fullname="Marie Curie")
    url = reverse("admin:members_mission_change", args=[only.pk])
    refused = client.post(url, {**form_data(client.get(url)), "member": other.pk})
    assert refused.status_code == 200
    assert "C’est la seule mission de « Irène Joliot-Curie » : un membre garde" in refused.text
    assert Mission.objects.get(pk=only.pk).member == member
    second = MissionFactory(member=member, start=TODAY, end=None, startups=[StartupFactory()])
    url = reverse("admin:members_mission_change", args=[second.pk])
    assert client.post(url, {**form_data(client.get(url)), "member": other.pk}).status_code == 302
    assert Mission.objects.get(pk=second.pk).member == other


def test_a_members_last_mission_cannot_be_deleted_alone_or_in_bulk(client, superuser, member):
    only = member.missions.get()
    refused = client.post(reverse("admin:members_mission_delete", args=[only.pk]), {"post": "yes"})
    assert "Irène Joliot-Curie : un membre garde au moins une mission" in refused.text
    other = MemberFactory(fullname="Marie Curie")
    MissionFactory(member=other, start=LAST_YEAR, end=None)
    bulk = {
        "action": "delete_selected",
        "post": "yes",
        "_selected_action": list(Mission.objects.values_list("pk", flat=True)),
    }
    refused = client.post(reverse("admin:members_mission_changelist"), bulk)
    assert "Marie Curie : un membre garde au moins une mission" in refused.text
    assert Mission.objects.filter(member__in=[member, other]).count() == 2


def test_former_startups_must_exist(client, superuser, member):
    response = edit(client, member, previously="aides-jeunes\nfantome")
    assert "Startup(s) inconnue(s) : aides-jeunes, fantome" in response.content.decode()
    StartupFactory(slug="aides-jeunes")
    assert edit(client, member, previously="aides-jeunes").status_code == 302
    assert Member.objects.get(pk=member.pk).previously == ["aides-jeunes"]


def test_member_history_shows_and_reverts_a_mission_edit(client, superuser, member):
    mission = member.missions.get()
    edit(client, member, **{"missions-0-employer": "Octo"})
    history = client.get(reverse("admin:members_member_history", args=[member.pk]))
    entry = next(e for e in history.context["related_history"] if e.action == "Modification")
    assert entry.user == superuser
    assert [(c["field"], c["new"]) for c in entry.changes] == [("Employeur", "Octo")]
    first = mission.history.order_by("history_date")[0]
    revert = reverse("admin:members_mission_simple_history", args=[mission.pk, first.pk])
    assert client.post(revert, form_data(client.get(revert))).status_code == 302
    mission.refresh_from_db()
    assert mission.employer == "Scopyleft"


def test_a_deleted_mission_is_restored_with_its_startups(client, superuser, member):
    startup = StartupFactory()
    mission = MissionFactory(member=member, start=TODAY, end=None, startups=[startup])
    record = mission.history.latest()
    mission.delete()
    revert = reverse("admin:members_mission_simple_history", args=[record.id, record.pk])
    assert client.post(revert, form_data(client.get(revert))).status_code == 302
    assert list(Mission.objects.get(pk=record.id).startups.all()) == [startup]


# An incubator's staff: the missions of their startups' teams, and nothing else.


@pytest.fixture
def staff_world(client):
    mine, theirs = IncubatorFactory(), IncubatorFactory()
    own = StartupFactory(incubator=mine, title="Mon service")
    other = StartupFactory(incubator=theirs, title="Leur service")
    user = UserFactory(incubators=[mine])
    client.force_login(user)
    return own, other


def test_staff_edit_their_team_missions(client, staff_world, member):
    own, _ = staff_world
    mission = MissionFactory(member=member, start=TODAY, end=None, startups=[own])
    assert edit(client, mission, employer="Octo").status_code == 302
    mission.refresh_from_db()
    assert mission.employer == "Octo"


def test_staff_missions_must_keep_one_of_their_startups(client, staff_world, member):
    own, other = staff_world
    shared = MissionFactory(member=member, start=TODAY, end=None, startups=[own, other])
    response = edit(client, shared, mission_startups=[str(other.pk)])
    assert "au moins une startup de vos incubateurs" in response.content.decode()
    response = edit(client, shared, mission_startups=[str(own.pk)])
    assert "Vous ne pouvez pas retirer Leur service" in response.content.decode()


def test_staff_cannot_attach_a_mission_to_another_incubators_startup(client, staff_world, member):
    own, other = staff_world
    add = reverse("admin:members_mission_add")
    data = {
        "member": member.pk,
        "start": TODAY.isoformat(),
        "status": "independent",
        "mission_startups": [str(own.pk), str(other.pk)],
    }
    response = client.post(add, data)
    assert "Sélectionnez un choix valide" in response.content.decode()
    data["mission_startups"] = [str(own.pk)]
    assert client.post(add, data).status_code == 302


def test_staff_view_members_but_cannot_revert_them(client, staff_world, member):
    assert client.get(change_url(member)).status_code == 200
    assert client.post(change_url(member), {}).status_code == 403
    record = member.history.latest()
    revert = reverse("admin:members_member_simple_history", args=[member.pk, record.pk])
    assert client.get(revert).status_code == 200
    assert client.post(revert, {"fullname": "Piraté"}).status_code == 403
    assert Member.objects.get(pk=member.pk).fullname == "Irène Joliot-Curie"


def test_staff_see_a_members_missions_read_only_with_their_startups(client, staff_world, member):
    own, other = staff_world
    MissionFactory(member=member, start=TODAY, end=None, startups=[own, other])
    page = client.get(change_url(member))
    html = page.content.decode()
    assert "Mon service, Leur service" in html
    assert "None" not in html
    assert "Mission startups" not in html
    assert 'name="missions-0-employer"' not in html  # nothing to fill: they may not save it


def test_superusers_edit_the_team_of_a_member_in_french(client, superuser, member):
    page = client.get(change_url(member)).content.decode()
    assert '<th class="column-team required">Équipe' in page


def test_a_mission_edit_updates_its_startups_page_date(client, superuser, member):
    startup = StartupFactory()
    mission = MissionFactory(member=member, start=TODAY, end=None, startups=[startup])
    long_ago = timezone.now() - datetime.timedelta(days=400)
    Startup.objects.filter(pk=startup.pk).update(updated_at=long_ago)
    assert edit(client, member, **{"missions-1-employer": "Octo"}).status_code == 302
    assert Startup.objects.get(pk=startup.pk).updated_at > long_ago
    # A revert of the mission from its history too.
    Startup.objects.filter(pk=startup.pk).update(updated_at=long_ago)
    first = mission.history.order_by("history_date")[0]
    revert = reverse("admin:members_mission_simple_history", args=[mission.pk, first.pk])
    assert client.post(revert, form_data(client.get(revert))).status_code == 302
    assert Startup.objects.get(pk=startup.pk).updated_at > long_ago


def test_a_mission_edited_on_its_own_page_updates_its_members_date(client, superuser, member):
    """The member's page and the sitemap's lastmod say when it last changed."""
    mission = MissionFactory(member=member, start=TODAY, end=None, startups=[StartupFactory()])
    long_ago = timezone.now() - datetime.timedelta(days=400)
    Member.objects.filter(pk=member.pk).update(updated_at=long_ago)
    url = reverse("admin:members_mission_change", args=[mission.pk])
    data = form_data(client.get(url))
    data["employer"] = "Octo"
    assert client.post(url, data).status_code == 302
    assert Member.objects.get(pk=member.pk).updated_at > long_ago
    Member.objects.filter(pk=member.pk).update(updated_at=long_ago)
    delete = reverse("admin:members_mission_delete", args=[mission.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 302
    assert Member.objects.get(pk=member.pk).updated_at > long_ago


def test_chosen_startups_are_kept_on_an_error(client, superuser, member):
    first, second = StartupFactory(title="Zèbre"), StartupFactory(title="Abeille")
    data = form_data(client.get(change_url(member)))
    add_inline_row(
        data,
        "missions",
        start=TODAY.isoformat(),
        end=LAST_YEAR.isoformat(),
        status="admin",
        mission_startups=[str(first.pk), str(second.pk)],
    )
    response = client.post(change_url(member), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "précède son début" in html
    for startup in (first, second):
        assert f'<option value="{startup.pk}" selected>{startup.title}</option>' in html
