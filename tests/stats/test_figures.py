import datetime
import statistics

import pytest
from django.db import connection

from members.models import Member
from startups.models import DaysBetween, PhaseSlug, Startup, StartupPhase, count_active
from stats import figures
from stats.figures import FlowYear, MemberYear
from tests.factories import StartupFactory
from tests.stats.conftest import DAY

pytestmark = pytest.mark.django_db

D = datetime.date


def counts(**nonzero: int) -> dict[str, int]:
    return {
        **dict.fromkeys(PhaseSlug.values, 0),
        **{k.replace("_", "-"): v for k, v in nonzero.items()},
    }


def test_phase_figures_are_the_model_methods_on_the_same_day(portfolio):
    """What other pages show for DAY (home, incubators, phases, API) is what this page shows."""
    computed = figures.compute(DAY)
    on_day = Startup.objects.phase_counts_on(DAY)
    assert computed["on_day"] == computed["evolution"].on_day == on_day
    assert computed["evolution"].on_day == counts(
        transfere=1, abandon=1, abandon_investigation=1, opere=1
    )
    by_month = Startup.objects.phase_counts_by_month(DAY)
    assert computed["evolution"].months == by_month[:-1]
    assert by_month[-1] == (DAY, computed["evolution"].on_day)
    for incubator in portfolio["incubators"]:
        row = next(row for row in computed["incubators"] if row.key == incubator.slug)
        assert row.counts == Startup.objects.incubated_by(incubator).phase_counts_on(DAY)
    assert figures.summary(computed)["actives"] == count_active(
        Startup.objects.phase_counts_on(DAY)
    )
    assert figures.summary(computed)["membres-actifs"] == Member.objects.active_on(DAY).count()


def test_co_incubated_startups_count_for_each_incubator(portfolio):
    rows = {row.key: row for row in figures.by_incubator(DAY)}
    assert rows["incubateur-a"].counts == counts(transfere=1, abandon=1)
    assert rows["incubateur-b"].counts == counts(abandon=1, abandon_investigation=1, opere=1)
    assert rows["incubateur-a"].label == "Incubateur A, le premier"


def test_sponsor_domains_count_each_startup_once_per_domain(portfolio):
    rows = {row.key: row for row in figures.by_sponsor_domain(DAY)}
    assert set(rows) == {"education", "justice", "aucun-sponsor"}
    # « Aides » has two sponsors in education: once there.
    assert rows["education"].counts == counts(transfere=1, abandon=1)
    assert rows["justice"].counts == counts(abandon=1, opere=1)
    assert rows["aucun-sponsor"].counts == counts(abandon_investigation=1)
    assert rows["aucun-sponsor"].label == "Aucun sponsor"
    for domain in ("education", "justice"):
        same = Startup.objects.in_ministerial_domain(domain)  # As the organisations' pages.
        assert rows[domain].counts == same.phase_counts_on(DAY)
    assert rows["aucun-sponsor"].counts == Startup.objects.filter(sponsors=None).phase_counts_on(
        DAY
    )


def test_flows_count_launches_and_real_phase_changes_up_to_the_day(portfolio):
    flows = {year.year: year for year in figures.flows(DAY)}
    assert list(flows) == [2019, 2020, 2021, 2022, 2023, 2024]
    assert flows[2019] == FlowYear(2019, 1, counts(investigation=1, construction=1))
    # « Budget » listed investigation and construction the same day: one entry, construction.
    assert flows[2020] == FlowYear(2020, 1, counts(construction=1))
    assert flows[2021] == FlowYear(
        2021, 1, counts(acceleration=1, investigation=1, abandon_investigation=1)
    )
    assert flows[2022] == FlowYear(2022, 1, counts(construction=1, abandon=1))
    assert (flows[2023].transferred, flows[2023].abandoned) == (1, 0)
    assert (flows[2021].abandoned, flows[2022].abandoned) == (1, 1)
    assert flows[2024] == FlowYear(2024, 0, counts(opere=1))
    # Before « Dossier » became opere, 2024 has nothing yet.
    assert figures.flows(D(2024, 2, 29))[-1] == FlowYear(2024, 0, counts())


@pytest.mark.skipif(connection.vendor != "postgresql", reason="percentile_cont is PostgreSQL's own")
def test_both_ways_of_computing_the_quartiles_agree(portfolio):
    periods = StartupPhase.objects.completed_by(DAY).annotate(
        length=DaysBetween("start", "period_end")
    )
    by_aggregate = figures._quartiles_by_aggregate(periods)
    assert by_aggregate
    assert figures._quartiles_by_window(periods) == by_aggregate


def test_durations_are_the_completed_periods_quartiles(portfolio):
    rows = {row.phase: row for row in figures.durations(DAY)}
    # Completed by DAY: Aides' investigation (184 days) and Cantine's (198)...
    assert (rows["investigation"].completed, rows["investigation"].median) == (2, 191.0)
    # ... Aides' (502), Budget's (973; its investigation lasted no day) and Dossier's (781).
    assert rows["construction"] == figures.Duration("construction", 3, 641.5, 781.0, 877.0)
    assert rows["acceleration"] == figures.Duration("acceleration", 1, 867.0, 867.0, 867.0)
    assert rows["opere"] == figures.Duration("opere", 0)


@pytest.mark.parametrize("size", [2, 3, 4, 5, 6, 9])
def test_quartiles_interpolate_like_percentile_cont(size):
    lengths = [7 * index + index**2 for index in range(1, size + 1)]
    for index, length in enumerate(lengths):
        start = D(2015, 1, 1) + datetime.timedelta(days=index)
        StartupFactory(
            phases=[
                ("investigation", start),
                ("construction", start + datetime.timedelta(days=length)),
            ]
        )
    row = figures.durations(D(2024, 1, 1))[0]
    expected = statistics.quantiles(lengths, n=4, method="inclusive")
    assert (row.phase, row.completed) == ("investigation", size)
    assert [row.q1, row.median, row.q3] == pytest.approx(expected)


def test_cohorts_group_startups_by_launch_year_and_group_on_the_day(portfolio):
    cohorts = {cohort.year: cohort for cohort in figures.cohorts(DAY)}
    assert cohorts[2019].groups == {"incubation": 0, "service-vivant": 1, "arret": 0}
    assert cohorts[2020].groups == {"incubation": 0, "service-vivant": 0, "arret": 1}
    assert cohorts[2021].groups == {"incubation": 0, "service-vivant": 0, "arret": 1}
    assert cohorts[2022].groups == {"incubation": 0, "service-vivant": 1, "arret": 0}
    assert list(cohorts) == [2019, 2020, 2021, 2022]
    earlier = {cohort.year: cohort for cohort in figures.cohorts(D(2021, 6, 1))}
    assert earlier[2019].groups == {"incubation": 1, "service-vivant": 0, "arret": 0}
    assert sum(cohort.launched for cohort in earlier.values()) == sum(
        Startup.objects.phase_counts_on(D(2021, 6, 1)).values()
    )


def test_members_active_per_domain_and_flows(portfolio):
    assert figures.members_by_domain(DAY) == [("Design", 1), ("Développement", 1)]
    assert figures.member_flows(DAY) == [
        MemberYear(2019, 1, 0),
        MemberYear(2020, 1, 0),
        MemberYear(2021, 1, 0),
        MemberYear(2022, 0, 1),
        MemberYear(2023, 0, 0),
        MemberYear(2024, 0, 1),
    ]


def test_an_empty_portfolio_has_empty_figures():
    computed = figures.compute(DAY)
    assert computed["on_day"] == computed["evolution"].on_day == counts()
    assert computed["evolution"].months == []
    assert computed["evolution"].counted == []
    for name in ("flows", "cohorts", "incubators", "domains", "members", "member_flows"):
        assert computed[name] == [], name
    assert all(row.completed == 0 for row in computed["durations"])


def test_cached_figures_follow_every_write(portfolio, django_assert_num_queries):
    before = figures.compute(DAY)
    with django_assert_num_queries(1):  # The portfolio version only.
        assert figures.compute(DAY) == before
    # An edit, as in the admin: the save bumps the portfolio version.
    phase = portfolio["startups"]["cantine"].phases.get(phase="abandon-investigation")
    phase.start = D(2025, 1, 1)
    phase.save()
    after = figures.compute(DAY)
    assert after["on_day"] == counts(transfere=1, abandon=1, investigation=1, opere=1)
    assert after["evolution"].on_day == after["on_day"]
