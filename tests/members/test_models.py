import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from members.models import Member, member_domains
from tests.factories import MemberFactory, MissionFactory, StartupFactory

pytestmark = pytest.mark.django_db

D = datetime.date
DAY = datetime.timedelta(days=1)


class TestActiveOnDate:
    def test_mission_ending_on_the_day_asked_is_active(self):
        mission = MissionFactory(start=D(2021, 1, 1), end=D(2021, 6, 30))
        assert mission.member.is_active_on(D(2021, 6, 30))
        assert not mission.member.is_active_on(D(2021, 7, 1))

    def test_mission_starting_on_the_day_asked_is_active(self):
        mission = MissionFactory(start=D(2021, 1, 1), end=D(2021, 6, 30))
        assert mission.member.is_active_on(D(2021, 1, 1))
        assert not mission.member.is_active_on(D(2020, 12, 31))

    def test_mission_without_end_is_active_from_its_start(self):
        mission = MissionFactory(start=D(2021, 1, 1), end=None)
        assert mission.member.is_active_on(D(2030, 1, 1))

    def test_member_is_active_when_any_mission_is(self):
        member = MemberFactory()
        MissionFactory(member=member, start=D(2019, 1, 1), end=D(2019, 12, 31))
        MissionFactory(member=member, start=D(2021, 1, 1), end=D(2021, 12, 31))
        assert not member.is_active_on(D(2020, 6, 1))
        assert member.is_active_on(D(2021, 6, 1))

    def test_queryset_and_annotation_agree(self, django_assert_num_queries):
        active = MissionFactory(start=D(2021, 1, 1), end=D(2021, 12, 31)).member
        MissionFactory(start=D(2019, 1, 1), end=D(2019, 12, 31))
        MemberFactory()
        day = D(2021, 12, 31)
        assert list(Member.objects.active_on(day)) == [active]
        with django_assert_num_queries(1):
            flags = {m.pk: m.is_active for m in Member.objects.with_active_on(day)}
        assert [pk for pk, is_active in flags.items() if is_active] == [active.pk]

    def test_a_member_with_two_active_missions_is_listed_once(self):
        member = MemberFactory()
        MissionFactory(member=member, start=D(2021, 1, 1), end=None)
        MissionFactory(member=member, start=D(2021, 3, 1), end=None)
        assert Member.objects.active_on(D(2021, 6, 1)).count() == 1


class TestTeam:
    def test_team_and_alumni_of_a_startup_on_a_date(self):
        startup = StartupFactory()
        other = StartupFactory()
        current = MissionFactory(start=D(2021, 1, 1), end=None, startups=[startup]).member
        former = MissionFactory(start=D(2020, 1, 1), end=D(2020, 12, 31), startups=[startup]).member
        elsewhere = MissionFactory(start=D(2021, 1, 1), end=None, startups=[other]).member
        future = MissionFactory(start=D(2030, 1, 1), end=None, startups=[startup]).member
        day = D(2021, 6, 1)
        assert list(Member.objects.in_team_of(startup, day)) == [current]
        assert list(Member.objects.alumni_of(startup, day)) == [former]
        assert elsewhere not in Member.objects.alumni_of(startup, day)
        assert future not in Member.objects.in_team_of(startup, day)

    def test_a_returning_member_is_in_the_team_not_among_alumni(self):
        startup = StartupFactory()
        member = MemberFactory()
        MissionFactory(member=member, start=D(2019, 1, 1), end=D(2019, 12, 31), startups=[startup])
        MissionFactory(member=member, start=D(2021, 1, 1), end=None, startups=[startup])
        day = D(2021, 6, 1)
        assert list(Member.objects.in_team_of(startup, day)) == [member]
        assert list(Member.objects.alumni_of(startup, day)) == []

    def test_team_on_the_last_day_of_a_mission(self):
        startup = StartupFactory()
        member = MissionFactory(start=D(2021, 1, 1), end=D(2021, 6, 30), startups=[startup]).member
        assert list(Member.objects.in_team_of(startup, D(2021, 6, 30))) == [member]
        assert list(Member.objects.alumni_of(startup, D(2021, 7, 1))) == [member]


def test_a_mission_cannot_end_before_it_starts():
    with pytest.raises(IntegrityError), transaction.atomic():
        MissionFactory(start=D(2021, 1, 2), end=D(2021, 1, 1))


@pytest.mark.parametrize(
    ("github", "url"),
    [
        ("octocat", "https://github.com/octocat"),
        ("https://github.com/octocat/", "https://github.com/octocat"),
        (" octocat ", "https://github.com/octocat"),
        ("Lola Charbit", ""),
        ("/", ""),
        ("", ""),
    ],
)
def test_github_url_only_for_logins(github, url):
    assert Member(github=github).github_url == url


class TestArrivalsAndDepartures:
    def test_a_member_arrives_once_at_the_start_of_the_first_mission(self):
        member = MemberFactory()
        MissionFactory(member=member, start=D(2019, 3, 1), end=D(2019, 12, 31))
        MissionFactory(member=member, start=D(2019, 3, 1), end=D(2020, 6, 30))
        MissionFactory(member=member, start=D(2021, 1, 1), end=None)
        MissionFactory(start=D(2021, 5, 1), end=None)
        MemberFactory()  # No mission: never arrived.
        assert Member.objects.arrivals_by_year(D(2030, 1, 1)) == {2019: 1, 2021: 1}
        assert Member.objects.arrivals_by_year(D(2021, 4, 30)) == {2019: 1}

    def test_a_member_leaves_at_the_end_of_the_last_mission(self):
        returning = MemberFactory()
        MissionFactory(member=returning, start=D(2018, 1, 1), end=D(2018, 12, 31))
        MissionFactory(member=returning, start=D(2020, 1, 1), end=D(2021, 3, 31))
        overlapping = MemberFactory()
        MissionFactory(member=overlapping, start=D(2019, 1, 1), end=D(2022, 6, 30))
        MissionFactory(member=overlapping, start=D(2020, 1, 1), end=D(2020, 12, 31))
        assert Member.objects.departures_by_year(D(2030, 1, 1)) == {2021: 1, 2022: 1}

    def test_open_or_future_missions_mean_the_member_has_not_left(self):
        open_ended = MemberFactory()
        MissionFactory(member=open_ended, start=D(2018, 1, 1), end=D(2018, 12, 31))
        MissionFactory(member=open_ended, start=D(2019, 1, 1), end=None)
        MissionFactory(start=D(2020, 1, 1), end=D(2021, 6, 30))
        assert Member.objects.departures_by_year(D(2021, 6, 29)) == {}
        # The last day of the mission is the day of departure.
        assert Member.objects.departures_by_year(D(2021, 6, 30)) == {2021: 1}

    def test_counts_follow_the_queryset_filter(self):
        kept = MissionFactory(start=D(2020, 1, 1), end=D(2020, 6, 30)).member
        MissionFactory(start=D(2020, 1, 1), end=D(2020, 6, 30))
        members = Member.objects.filter(pk=kept.pk)
        assert members.arrivals_by_year(D(2021, 1, 1)) == {2020: 1}
        assert members.departures_by_year(D(2021, 1, 1)) == {2020: 1}


class TestStoredMissionDates:
    """`arrived_on` and `left_on` are stored; every change of missions keeps them right."""

    def dates(self, member: Member) -> tuple:
        return Member.objects.values_list("arrived_on", "left_on").get(pk=member.pk)

    def test_follow_saves_and_deletes_of_missions(self):
        member = MemberFactory()
        assert self.dates(member) == (None, None)
        first = MissionFactory(member=member, start=D(2019, 3, 1), end=D(2019, 12, 31))
        assert self.dates(member) == (D(2019, 3, 1), D(2019, 12, 31))
        second = MissionFactory(member=member, start=D(2020, 1, 1), end=None)
        assert self.dates(member) == (D(2019, 3, 1), None)  # Still under way: not left.
        second.end = D(2021, 6, 30)
        second.save()
        assert self.dates(member) == (D(2019, 3, 1), D(2021, 6, 30))
        first.delete()
        assert self.dates(member) == (D(2020, 1, 1), D(2021, 6, 30))
        second.delete()
        assert self.dates(member) == (None, None)

    def test_a_mission_moved_to_another_member_updates_both(self):
        mission = MissionFactory(start=D(2019, 1, 1), end=D(2019, 6, 30))
        giver, taker = mission.member, MemberFactory()
        mission.member = taker
        mission.save()
        assert self.dates(giver) == (None, None)
        assert self.dates(taker) == (D(2019, 1, 1), D(2019, 6, 30))


class TestStoredActivity:
    """Whether a member is active today is stored; saves keep it right, and so does the
    passing of days."""

    def stored(self, member: Member) -> tuple:
        return Member.objects.values_list("active", "active_until").get(pk=member.pk)

    def test_follows_saves_and_deletes_of_missions(self):
        today = timezone.localdate()
        member = MemberFactory()
        assert self.stored(member) == (False, None)
        mission = MissionFactory(member=member, start=today - DAY * 10, end=today)
        assert self.stored(member) == (True, today + DAY)  # Active through its last day.
        mission.end = None
        mission.save()
        assert self.stored(member) == (True, None)  # Nothing will change by itself.
        MissionFactory(member=member, start=today + DAY * 30, end=None)
        assert self.stored(member) == (True, today + DAY * 30)
        mission.delete()
        assert self.stored(member) == (False, today + DAY * 30)  # Not yet arrived.

    def test_a_mission_ending_on_the_last_day_there_is_never_ends(self):
        member = MemberFactory()
        MissionFactory(member=member, start=D(2020, 1, 1), end=datetime.date.max)
        assert self.stored(member) == (True, None)

    def test_the_passing_of_days_is_stored_by_the_first_request(self, monkeypatch, client):
        today = timezone.localdate()
        member = MemberFactory()
        MissionFactory(member=member, start=today - DAY * 10, end=today)
        later = MemberFactory()
        MissionFactory(member=later, start=today + DAY, end=None)
        monkeypatch.setattr(timezone, "localdate", lambda *args: today + DAY)
        page = client.get("/membres/", {"statut": "actif"})
        assert self.stored(member) == (False, None)
        assert self.stored(later) == (True, None)
        assert [shown.pk for shown in page.context["page"].object_list] == [later.pk]

    def test_staff_pages_store_it_too(self, monkeypatch, admin_client):
        """Signed-in staff get pages never cached, with no public request before theirs."""
        today = timezone.localdate()
        member = MemberFactory()
        MissionFactory(member=member, start=today - DAY * 10, end=today)
        monkeypatch.setattr(timezone, "localdate", lambda *args: today + DAY)
        admin_client.get("/admin/members/member/")
        assert self.stored(member) == (False, None)

    def test_todays_activity_is_the_rule_applied_to_the_missions(self):
        """The stored answer is `with_active_on(today)`'s: the same as the missions say,
        gaps between missions included."""
        today = timezone.localdate()
        histories = [
            [],
            [(today - DAY * 100, today - DAY)],
            [(today - DAY * 100, today - DAY * 50), (today + DAY, None)],
            [(today - DAY * 100, today - DAY * 50), (today - DAY * 49, today)],
            [(today, today)],
            [(today - DAY * 100, None), (today - DAY * 50, today - DAY * 40)],
        ]
        members = []
        for missions in histories:
            member = MemberFactory()
            for start, end in missions:
                MissionFactory(member=member, start=start, end=end)
            members.append(member)
        stored = dict(Member.objects.with_active_on(today).values_list("pk", "is_active"))
        by_missions = {member.pk: member.is_active_on(today) for member in members}
        assert stored == by_missions
        assert list(by_missions.values()) == [False, False, False, True, True, True]
        active = set(Member.objects.active_on(today).values_list("pk", flat=True))
        assert active == {pk for pk, is_active in by_missions.items() if is_active}


def test_saving_a_member_loaded_before_a_new_mission_keeps_the_dates():
    """A form loaded before a mission was added writes back its old dates: the save stores
    them again from the missions."""
    member = MemberFactory()
    stale = Member.objects.get(pk=member.pk)
    MissionFactory(member=member, start=D(2020, 1, 1), end=D(2020, 12, 31))
    stale.role = "Développeuse"
    stale.save()
    assert Member.objects.values_list("arrived_on", "left_on").get(pk=member.pk) == (
        D(2020, 1, 1),
        D(2020, 12, 31),
    )


def test_member_domains_are_the_distinct_ones_in_order():
    for domain in ["Produit", "Design", "", "Développement", "Design", "Produit"]:
        MemberFactory(domain=domain)
    assert member_domains() == ["Design", "Développement", "Produit"]
