import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from startups.models import (
    Phase,
    PhaseGroup,
    PhaseSlug,
    Startup,
    StartupPhase,
    count_active,
    count_groups,
    count_per_year,
    next_starts,
    usage_statistics_url,
)
from tests.factories import IncubatorFactory, StartupFactory, StartupPhaseFactory

pytestmark = pytest.mark.django_db

D = datetime.date
JAN_1 = D(2022, 1, 1)


def phase_on(startup: Startup, day: datetime.date) -> str | None:
    """The phase by both paths (instance method and queryset annotation), checked equal."""
    instance = startup.phase_on(day)
    annotated = Startup.objects.with_phase_on(day).get(pk=startup.pk).phase_on
    assert (instance.phase_id if instance else None) == annotated
    return annotated


class TestPhaseOnDate:
    def test_phase_starting_on_the_day_asked_is_the_phase(self):
        startup = StartupFactory(phases=[("investigation", D(2021, 1, 1)), ("construction", JAN_1)])
        assert phase_on(startup, JAN_1) == "construction"
        assert phase_on(startup, JAN_1 - datetime.timedelta(days=1)) == "investigation"

    def test_startup_without_phases_has_no_phase(self):
        startup = StartupFactory()
        assert phase_on(startup, JAN_1) is None
        assert startup.current_phase() is None

    def test_startup_has_no_phase_before_its_first_start(self):
        startup = StartupFactory(phases=[("investigation", JAN_1)])
        assert phase_on(startup, D(2021, 12, 31)) is None

    def test_future_dated_phase_counts_only_from_its_start(self):
        today = datetime.date.today()
        startup = StartupFactory(
            phases=[
                ("acceleration", today - datetime.timedelta(days=30)),
                ("transfere", today + datetime.timedelta(days=30)),
            ]
        )
        assert startup.current_phase().phase_id == "acceleration"
        assert phase_on(startup, today + datetime.timedelta(days=30)) == "transfere"

    def test_two_phases_on_the_same_day_the_later_in_lifecycle_wins(self):
        # Listed construction first, as 52 real files do: the file order does not matter.
        startup = StartupFactory(phases=[("construction", JAN_1), ("investigation", JAN_1)])
        assert phase_on(startup, JAN_1) == "construction"

    def test_opere_and_transfere_on_one_day_gives_transfere(self):
        startup = StartupFactory(phases=[("transfere", JAN_1), ("opere", JAN_1)])
        assert phase_on(startup, JAN_1) == "transfere"

    def test_abandon_beats_every_other_phase_on_the_same_day(self):
        startup = StartupFactory(phases=[("abandon", JAN_1), ("transfere", JAN_1)])
        assert phase_on(startup, JAN_1) == "abandon"

    def test_latest_start_wins_over_lifecycle_order(self):
        startup = StartupFactory(phases=[("acceleration", D(2020, 1, 1)), ("construction", JAN_1)])
        assert phase_on(startup, JAN_1) == "construction"


class TestPhaseCounts:
    def test_counts_every_phase_in_one_query(self, django_assert_num_queries):
        StartupFactory(phases=[("investigation", D(2020, 1, 1)), ("construction", JAN_1)])
        StartupFactory(phases=[("investigation", JAN_1)])
        StartupFactory(phases=[("construction", JAN_1), ("investigation", JAN_1)])
        StartupFactory(phases=[("investigation", D(2030, 1, 1))])
        StartupFactory()
        with django_assert_num_queries(1):
            counts = Startup.objects.phase_counts_on(JAN_1)
        assert counts == {
            "investigation": 1,
            "construction": 2,
            "acceleration": 0,
            "consolidation": 0,
            "opere": 0,
            "transfere": 0,
            "abandon-investigation": 0,
            "abandon": 0,
        }

    def test_counts_apply_to_a_filtered_queryset(self):
        kept = StartupFactory(phases=[("investigation", JAN_1)])
        StartupFactory(phases=[("investigation", JAN_1)])
        counts = Startup.objects.filter(pk=kept.pk).phase_counts_on(JAN_1)
        assert counts["investigation"] == 1

    def test_in_phase_on_lists_the_startups_in_those_phases(self):
        building = StartupFactory(phases=[("construction", JAN_1)])
        StartupFactory(phases=[("investigation", JAN_1)])
        stopped = StartupFactory(phases=[("abandon", JAN_1)])
        found = Startup.objects.in_phase_on(["construction", "abandon"], JAN_1)
        assert set(found) == {building, stopped}


LIFECYCLE = [phase.value for phase in PhaseSlug]
HISTORIES = [
    [("investigation", D(2021, 1, 10)), ("construction", D(2021, 3, 1))],
    [("construction", D(2021, 2, 1)), ("investigation", D(2021, 2, 1))],
    [("acceleration", D(2021, 1, 1)), ("transfere", D(2021, 2, 15)), ("opere", D(2021, 2, 15))],
    [("abandon", D(2021, 3, 3)), ("investigation", D(2021, 1, 5)), ("construction", D(2021, 3, 3))],
]


def rule(history: list[tuple[str, datetime.date]], day: datetime.date) -> str | None:
    """The rule as the issue states it, independently of the models."""
    started = [(start, LIFECYCLE.index(phase), phase) for phase, start in history if start <= day]
    return max(started)[2] if started else None


def test_stored_periods_give_the_rule_on_every_day():
    startups = [StartupFactory(phases=history) for history in HISTORIES]
    day = D(2020, 12, 25)
    while day <= D(2021, 4, 1):
        expected = {s.pk: rule(h, day) for s, h in zip(startups, HISTORIES, strict=True)}
        annotated = {s.pk: s.phase_on for s in Startup.objects.with_phase_on(day)}
        assert annotated == expected, day
        assert {s.pk: getattr(s.phase_on(day), "phase_id", None) for s in startups} == expected
        day += datetime.timedelta(days=1)


class TestStoredPeriods:
    def test_next_starts_follow_precedence(self):
        history = [
            ("abandon", D(2021, 3, 3)),
            ("investigation", D(2021, 1, 5)),
            ("construction", D(2021, 3, 3)),
        ]
        # investigation → construction (3 March) → abandon the same day → nothing after.
        assert next_starts(history) == [None, D(2021, 3, 3), D(2021, 3, 3)]

    def test_editing_a_phase_recomputes_its_startup_periods(self):
        startup = StartupFactory(phases=[("investigation", JAN_1), ("construction", D(2022, 6, 1))])
        construction = startup.phases.get(phase="construction")
        construction.start = D(2022, 3, 1)
        construction.save()
        assert startup.phases.get(phase="investigation").next_start == D(2022, 3, 1)
        assert startup.phase_on(D(2022, 3, 1)).phase_id == "construction"

    def test_deleting_a_phase_recomputes_its_startup_periods(self):
        startup = StartupFactory(phases=[("investigation", JAN_1), ("construction", D(2022, 6, 1))])
        startup.phases.get(phase="construction").delete()
        assert startup.phases.get(phase="investigation").next_start is None
        assert Startup.objects.phase_counts_on(D(2023, 1, 1))["investigation"] == 1

    def test_other_startups_are_left_alone(self):
        other = StartupFactory(phases=[("investigation", JAN_1), ("construction", D(2022, 6, 1))])
        StartupPhase.objects.filter(pk=other.phases.get(phase="investigation").pk).update(
            next_start=None
        )
        StartupFactory(phases=[("investigation", JAN_1)])
        assert other.phases.get(phase="investigation").next_start is None


class TestPhaseSlug:
    def test_lifecycle_order_breaks_ties(self):
        assert [phase.value for phase in PhaseSlug] == [
            "investigation",
            "construction",
            "acceleration",
            "consolidation",
            "opere",
            "transfere",
            "abandon-investigation",
            "abandon",
        ]

    def test_groups(self):
        assert PhaseSlug.in_group(PhaseGroup.INCUBATION) == [
            PhaseSlug.INVESTIGATION,
            PhaseSlug.CONSTRUCTION,
            PhaseSlug.ACCELERATION,
            PhaseSlug.CONSOLIDATION,
        ]
        assert PhaseSlug.in_group(PhaseGroup.LIVING) == [PhaseSlug.OPERE, PhaseSlug.TRANSFERE]
        assert PhaseSlug.in_group(PhaseGroup.STOPPED) == [
            PhaseSlug.ABANDON_INVESTIGATION,
            PhaseSlug.ABANDON,
        ]

    def test_active_means_incubated_or_operated(self):
        active = [phase.value for phase in PhaseSlug if phase.counts_as_active]
        assert active == ["investigation", "construction", "acceleration", "consolidation", "opere"]


class TestConstraints:
    def test_a_startup_enters_each_phase_once(self):
        startup = StartupFactory(phases=[("investigation", JAN_1)])
        with pytest.raises(IntegrityError), transaction.atomic():
            StartupPhaseFactory(startup=startup, phase_id="investigation", start=D(2023, 1, 1))

    def test_a_phase_cannot_end_before_it_starts(self):
        with pytest.raises(IntegrityError), transaction.atomic():
            StartupPhaseFactory(start=JAN_1, end=D(2021, 12, 31))

    def test_slugs_are_unique(self):
        existing = StartupFactory(slug="mon-service")
        with pytest.raises(IntegrityError), transaction.atomic():
            Startup.objects.create(
                slug="mon-service", title="Doublon", incubator=existing.incubator
            )


class TestSearch:
    def test_search_ignores_case_and_accents(self):
        children = StartupFactory(title="Aide aux Enfants")
        school = StartupFactory(title="Plateforme", mission="Orientation à l’Éducation nationale")
        StartupFactory(title="Autre chose")
        assert list(Startup.objects.search("enfant")) == [children]
        assert list(Startup.objects.search("EDUC")) == [school]

    def test_every_word_must_match(self):
        both = StartupFactory(title="Santé des enfants")
        StartupFactory(title="Santé au travail")
        assert list(Startup.objects.search("sante enfant")) == [both]

    def test_search_text_follows_edits(self):
        startup = StartupFactory(title="Ancien nom")
        startup.title = "Nouveau nom"
        startup.save(update_fields=["title"])
        assert list(Startup.objects.search("nouveau")) == [startup]

    def test_hostile_queries_are_harmless(self):
        StartupFactory(title="Service")
        assert list(Startup.objects.search("%_\x00" * 1000)) == []
        assert Startup.objects.search("").count() == 1


def test_monthly_counts_are_the_counts_on_each_month_end():
    StartupFactory(phases=[("investigation", D(2021, 1, 31)), ("construction", D(2021, 3, 1))])
    StartupFactory(phases=[("construction", D(2021, 2, 1)), ("investigation", D(2021, 2, 1))])
    StartupFactory(phases=[("acceleration", D(2021, 1, 1)), ("abandon", D(2021, 4, 30))])
    StartupFactory(phases=[("investigation", D(2021, 3, 15)), ("transfere", D(2021, 5, 20))])
    until = D(2021, 5, 10)
    series = Startup.objects.phase_counts_by_month(until)
    assert [day for day, _ in series] == [
        D(2021, 1, 31),
        D(2021, 2, 28),
        D(2021, 3, 31),
        D(2021, 4, 30),
        until,
    ]
    for day, counts in series:
        assert counts == Startup.objects.phase_counts_on(day), day


def test_monthly_counts_follow_the_queryset_filter():
    kept = StartupFactory(phases=[("investigation", D(2021, 1, 1))])
    StartupFactory(phases=[("investigation", D(2020, 1, 1))])
    series = Startup.objects.filter(pk=kept.pk).phase_counts_by_month(D(2021, 2, 1))
    assert series[0] == (D(2021, 1, 31), {**dict.fromkeys(PhaseSlug.values, 0), "investigation": 1})


def test_monthly_counts_of_nothing_is_empty():
    assert Startup.objects.phase_counts_by_month(D(2021, 1, 1)) == []


def test_group_and_active_totals():
    counts = {**dict.fromkeys(PhaseSlug.values, 1), "opere": 5, "abandon": 3}
    assert count_groups(counts) == {
        PhaseGroup.INCUBATION: 4,
        PhaseGroup.LIVING: 6,
        PhaseGroup.STOPPED: 4,
    }
    assert count_active(counts) == 9


def test_current_phase_start_and_launch_date():
    today = datetime.date.today()
    startup = StartupFactory(
        phases=[
            ("investigation", D(2020, 1, 1)),
            ("construction", D(2021, 1, 1)),
            ("acceleration", today + datetime.timedelta(days=10)),
        ]
    )
    StartupFactory()
    annotated = Startup.objects.with_current_phase().get(pk=startup.pk)
    assert annotated.current_phase == "construction"
    assert annotated.current_phase_start == D(2021, 1, 1)
    assert annotated.launched_on == D(2020, 1, 1)
    without = Startup.objects.with_current_phase().exclude(pk=startup.pk).get()
    assert (without.current_phase, without.current_phase_start, without.launched_on) == (None,) * 3


class TestPhaseChangesAndCompletedPeriods:
    """`entries_by` and `completed_by` (statistics) follow the periods of `with_period_end`."""

    def test_a_phase_overridden_the_same_day_is_no_entry_and_never_completed(self):
        StartupFactory(
            phases=[
                ("investigation", D(2021, 1, 1)),
                ("construction", D(2021, 1, 1)),
                ("acceleration", D(2021, 6, 1)),
            ]
        )
        entered = StartupPhase.objects.entries_by(D(2022, 1, 1))
        assert sorted(entered.values_list("phase", flat=True)) == ["acceleration", "construction"]
        completed = StartupPhase.objects.completed_by(D(2022, 1, 1))
        assert list(completed.values_list("phase", "period_end")) == [
            ("construction", D(2021, 6, 1))
        ]

    def test_phases_after_the_day_have_not_happened(self):
        StartupFactory(phases=[("investigation", D(2021, 1, 1)), ("abandon", D(2021, 3, 1))])
        day = D(2021, 2, 28)
        assert list(StartupPhase.objects.entries_by(day).values_list("phase", flat=True)) == [
            "investigation"
        ]
        assert not StartupPhase.objects.completed_by(day).exists()
        # The next phase's start is the last day of the period: completed on that day.
        assert StartupPhase.objects.completed_by(D(2021, 3, 1)).get().phase_id == "investigation"

    def test_completed_periods_end_where_with_period_end_says(self):
        StartupFactory(
            phases=[
                ("investigation", D(2020, 1, 1)),
                ("construction", D(2020, 5, 1)),
                ("abandon", D(2020, 5, 1)),
            ]
        )
        StartupFactory(
            phases=[
                ("construction", D(2020, 2, 1)),
                ("acceleration", D(2020, 9, 1)),
                ("opere", D(2021, 9, 1)),
                ("transfere", D(2022, 1, 1)),
            ]
        )
        StartupFactory(phases=[("investigation", D(2020, 3, 1))])
        day = D(2021, 12, 31)
        expected = {
            (row.pk, row.period_end)
            for row in StartupPhase.objects.with_period_end()
            if row.period_end is not None and row.start < row.period_end <= day
        }
        completed = set(StartupPhase.objects.completed_by(day).values_list("pk", "period_end"))
        assert completed == expected
        assert len(completed) == 3


class TestStoredLaunchDate:
    """`launched_on` is stored; every way of changing a history keeps it right."""

    def launched_on(self, startup: Startup) -> datetime.date | None:
        return Startup.objects.values_list("launched_on", flat=True).get(pk=startup.pk)

    def test_follows_the_first_phase_through_saves_and_deletes(self):
        startup = StartupFactory(phases=[("construction", D(2021, 5, 1))])
        assert self.launched_on(startup) == D(2021, 5, 1)
        earlier = StartupPhaseFactory(
            startup=startup, phase_id="investigation", start=D(2020, 1, 1)
        )
        assert self.launched_on(startup) == D(2020, 1, 1)
        earlier.start = D(2020, 2, 3)
        earlier.save()
        assert self.launched_on(startup) == D(2020, 2, 3)
        earlier.delete()
        assert self.launched_on(startup) == D(2021, 5, 1)
        startup.phases.get().delete()
        assert self.launched_on(startup) is None

    def test_a_phase_moved_to_another_startup_updates_both(self):
        giver = StartupFactory(phases=[("investigation", D(2019, 1, 1)), ("construction", JAN_1)])
        taker = StartupFactory(phases=[("acceleration", D(2023, 1, 1))])
        moved = giver.phases.get(phase_id="investigation")
        moved.startup = taker
        moved.save()
        assert (self.launched_on(giver), self.launched_on(taker)) == (JAN_1, D(2019, 1, 1))
        # The periods of both histories are recomputed too.
        assert taker.phases.get(phase_id="investigation").next_start == D(2023, 1, 1)

    def test_bulk_writes_are_mended_by_store_phase_dates(self):
        startup = StartupFactory(phases=[("investigation", D(2021, 1, 1)), ("construction", JAN_1)])
        StartupPhase.objects.filter(startup=startup, phase_id="investigation").update(
            start=D(2023, 1, 1)
        )
        assert self.launched_on(startup) == D(2021, 1, 1)  # A bulk update sends no signal.
        Startup.objects.filter(pk=startup.pk).store_phase_dates()
        assert self.launched_on(startup) == JAN_1
        periods = dict(startup.phases.values_list("phase_id", "next_start"))
        assert periods == {"construction": D(2023, 1, 1), "investigation": None}


class TestStoredCurrentPhase:
    """The current phase is stored; saves keep it right, and so does the passing of days."""

    def stored(self, startup: Startup) -> tuple:
        fields = ("phase", "phase_since", "phase_order", "phase_until")
        return Startup.objects.values_list(*fields).get(pk=startup.pk)

    @pytest.fixture(autouse=True)
    def orders(self):
        self.order = dict(Phase.objects.values_list("slug", "order"))

    def test_follows_the_history_through_saves_and_deletes(self):
        startup = StartupFactory(phases=[("investigation", D(2021, 1, 1))])
        assert self.stored(startup) == (
            "investigation",
            D(2021, 1, 1),
            self.order["investigation"],
            None,
        )
        later = StartupPhaseFactory(startup=startup, phase_id="construction", start=JAN_1)
        assert self.stored(startup) == ("construction", JAN_1, self.order["construction"], None)
        later.delete()
        assert self.stored(startup) == (
            "investigation",
            D(2021, 1, 1),
            self.order["investigation"],
            None,
        )
        startup.phases.get().delete()
        assert self.stored(startup) == (None, None, None, None)

    def test_a_phase_dated_in_the_future_begins_on_its_day(self, monkeypatch, client):
        today = timezone.localdate()
        tomorrow = today + datetime.timedelta(days=1)
        startup = StartupFactory(
            phases=[("investigation", D(2021, 1, 1)), ("construction", tomorrow)]
        )
        assert self.stored(startup) == (
            "investigation",
            D(2021, 1, 1),
            self.order["investigation"],
            tomorrow,
        )
        monkeypatch.setattr(timezone, "localdate", lambda *args: tomorrow)
        # The first request of the day stores it again, before the page reads it.
        page = client.get("/startups/", {"phase": "construction"})
        assert self.stored(startup) == ("construction", tomorrow, self.order["construction"], None)
        assert [card.slug for card in page.context["page"].object_list] == [startup.slug]

    def test_a_new_display_order_of_the_phases_is_stored(self):
        startup = StartupFactory(phases=[("construction", D(2021, 1, 1))])
        phase = Phase.objects.get(slug="construction")
        phase.order = 99
        phase.save()
        assert self.stored(startup)[2] == 99

    def test_todays_phase_is_the_rule_applied_to_the_history(self):
        """The stored phase answers `with_phase_on(today)`: the same as the history says."""
        today = timezone.localdate()
        soon = today + datetime.timedelta(days=3)
        histories = [
            [],
            [("investigation", soon)],
            [("investigation", D(2021, 1, 1)), ("construction", D(2021, 1, 1))],
            [("investigation", D(2021, 1, 1)), ("construction", today)],
            [("construction", D(2021, 1, 1)), ("abandon", soon)],
        ]
        startups = [StartupFactory(phases=history) for history in histories]
        stored = dict(Startup.objects.with_phase_on(today).values_list("pk", "phase_on"))
        by_history = {}
        for startup in startups:
            period = startup.phase_on(today)
            by_history[startup.pk] = period.phase_id if period else None
        assert stored == by_history
        assert list(by_history.values()) == [
            None,
            None,
            "construction",
            "construction",
            "construction",
        ]
        # Today's counts per phase read the stored phase too, and agree; a startup that a
        # filter's join finds twice counts once.
        twice = StartupFactory(phases=[("acceleration", D(2021, 1, 1))], incubators=[])
        twice.incubators.set(IncubatorFactory.create_batch(2))
        linked = Startup.objects.filter(incubators__in=twice.incubators.all())
        assert linked.count() == 2
        assert linked.phase_counts_on(today)["acceleration"] == 1
        twice.delete()
        counts = Startup.objects.phase_counts_on(today)
        assert counts == {**dict.fromkeys(PhaseSlug.values, 0), "construction": 3}
        assert Startup.objects.filter(pk__in=[s.pk for s in startups[3:]]).phase_counts_on(
            today
        ) == {**dict.fromkeys(PhaseSlug.values, 0), "construction": 2}


def test_count_per_year_adds_up_the_days_of_each_year_and_skips_rows_without_a_date():
    StartupFactory(phases=[("investigation", "2019-01-01")])
    StartupFactory(phases=[("investigation", "2019-12-31")])
    StartupFactory(phases=[("construction", "2019-12-31")])
    StartupFactory(phases=[("investigation", "2021-06-15")])
    StartupFactory(phases=[])
    assert count_per_year(Startup.objects.all(), "launched_on") == {2019: 3, 2021: 1}


@pytest.mark.parametrize(
    ("stats_url", "stats", "link", "expected"),
    [
        ("https://stats.example.org", True, "https://s.example.org", "https://stats.example.org"),
        ("", True, "https://s.example.org/", "https://s.example.org/stats"),
        ("", False, "https://s.example.org/", ""),
        ("", True, "", ""),
    ],
)
def test_usage_statistics_are_at_the_url_given_or_the_services_stats_page(
    stats_url, stats, link, expected
):
    assert usage_statistics_url(stats_url, stats, link) == expected
