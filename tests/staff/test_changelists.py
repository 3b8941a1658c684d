"""Every admin list runs the same number of queries with 10 rows as with 1,000.

Rows come with what their list shows (phases, team, sponsors, member...), so that a query per
row would change the count. Every list of the project's admin is measured, as a superuser and
as an incubator's staff member, plain and searched or filtered; the counts are also pinned,
so that a new query shows here first.
"""

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import IncubatorFactory, UserFactory
from tests.staff import bulk

pytestmark = pytest.mark.django_db

# Queries of each list for a superuser: session, user, the portfolio version (which stores
# again today's phases and activity when their day has come), then the page's own (counts,
# rows, related rows prefetched, the filters' choices).
SUPERUSER_QUERIES = {
    "auth_group": 6,
    "auth_user": 7,
    "members_member": 8,
    "members_mission": 9,
    "members_missionstartup": 6,
    "members_team": 7,
    "members_teammembership": 6,
    "staff_incubatorgroup": 6,
    "startups_event": 6,
    "startups_highlightedstartup": 6,
    "startups_incubator": 6,
    "startups_organisation": 6,
    "startups_phase": 6,
    "startups_portfolioversion": 6,
    "startups_startup": 8,
    "startups_startupincubator": 6,
    "startups_startupphase": 9,
    "startups_startupsponsor": 6,
    "startups_startupthematique": 6,
    "startups_startupusertype": 6,
    "startups_thematique": 6,
    "startups_usertype": 6,
}
# Staff of an incubator: 3 more (their permissions, their groups', their incubators), on the
# lists they may see.
STAFF_QUERIES = {
    "members_member": 11,
    "members_mission": 12,
    "members_missionstartup": 9,
    "startups_event": 9,
    "startups_incubator": 9,
    "startups_organisation": 9,
    "startups_phase": 9,
    "startups_startup": 11,
    "startups_startupincubator": 9,
    "startups_startupphase": 12,
    "startups_startupsponsor": 9,
    "startups_startupthematique": 9,
    "startups_startupusertype": 9,
    "startups_thematique": 9,
    "startups_usertype": 9,
}
# Searched and filtered lists, which join or annotate more.
QUERY_STRINGS = {
    "startups_startup": [
        "q=service&phase=construction&active=1",
        "o=-4.3",  # by team size, then current phase
        "sponsors__id__exact=1",
    ],
    "members_member": ["q=membre&actif=1", "o=-6"],
    "members_mission": ["q=service&status=independent"],
    "startups_startupphase": ["q=service&phase__slug__exact=construction"],
}


def changelists() -> list[str]:
    apps = {"startups", "members", "staff", "auth"}
    return sorted(
        f"{model._meta.app_label}_{model._meta.model_name}"
        for model in admin.site._registry
        if model._meta.app_label in apps
    )


def populate(count: int, incubator) -> None:
    """`count` rows for every list; the startups (and their rows) in the staff's incubator."""
    bulk.startups(count, incubator)
    bulk.teams(count)
    bulk.staff_groups(count)


def query_counts(client, users) -> dict[tuple[str, str], int]:
    counts = {}
    for role, user, names in users:
        client.force_login(user)
        for name in names:
            for query in ["", *QUERY_STRINGS.get(name, [])]:
                url = reverse(f"admin:{name}_changelist") + (f"?{query}" if query else "")
                with CaptureQueriesContext(connection) as queries:
                    response = client.get(url)
                assert response.status_code == 200, url
                if not query and name != "startups_portfolioversion":  # a single row
                    assert len(response.context["cl"].result_list) > 1, url
                counts[role, url] = len(queries)
    return counts


def test_every_list_is_measured():
    assert changelists() == sorted(SUPERUSER_QUERIES)
    assert set(STAFF_QUERIES) <= set(SUPERUSER_QUERIES)


def test_changelists_run_a_fixed_number_of_queries(client):
    incubator = IncubatorFactory()
    users = [
        ("superuser", UserFactory(is_superuser=True), changelists()),
        ("staff", UserFactory(incubators=[incubator]), sorted(STAFF_QUERIES)),
    ]
    populate(10, incubator)
    small = query_counts(client, users)
    populate(990, incubator)
    large = query_counts(client, users)
    assert {key: (small[key], large[key]) for key in small if small[key] != large[key]} == {}
    pinned = {
        (role, reverse(f"admin:{name}_changelist")): queries
        for role, expected in (("superuser", SUPERUSER_QUERIES), ("staff", STAFF_QUERIES))
        for name, queries in expected.items()
    }
    assert {key: small[key] for key in pinned} == pinned
