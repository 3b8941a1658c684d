"""Every admin list runs the same number of queries with 10 rows as with 1,000.

Rows come with what their list shows (phases, team, sponsors, member...), so that a query per
row would change the count. Pinned per list: a new query shows here first.
"""

import pytest
from django.urls import reverse

from tests.factories import IncubatorFactory, UserFactory
from tests.staff import bulk

pytestmark = pytest.mark.django_db

# Queries of each list for a superuser: session, user, then the page's own (counts, rows,
# related rows prefetched, the filters' choices).
SUPERUSER_QUERIES = {
    "startups_startup": 7,
    "startups_startupphase": 8,
    "startups_event": 5,
    "startups_incubator": 5,
    "startups_organisation": 5,
    "startups_phase": 5,
    "startups_thematique": 5,
    "startups_usertype": 5,
    "members_member": 7,
    "members_mission": 8,
    "members_team": 6,
    "staff_incubatorgroup": 5,
}
# Staff of an incubator: 3 more (their permissions, their groups', their incubators).
STAFF_QUERIES = {
    "startups_startup": 10,
    "startups_startupphase": 11,
    "startups_event": 8,
    "members_mission": 11,
    "members_member": 10,
    "startups_incubator": 8,
}


def populate(count: int, incubator) -> None:
    """`count` rows for every list; the startups (and their rows) in the staff's incubator."""
    bulk.startups(count, incubator)
    bulk.teams(count)
    bulk.thematiques(count)
    bulk.usertypes(count)
    bulk.staff_groups(count)


def query_counts(client, django_assert_num_queries, users) -> None:
    for user, expected in users:
        client.force_login(user)
        for name, queries in expected.items():
            with django_assert_num_queries(queries):
                response = client.get(reverse(f"admin:{name}_changelist"))
            assert response.status_code == 200, name
            assert len(response.context["cl"].result_list) > 1, name


def test_changelists_run_a_fixed_number_of_queries(client, django_assert_num_queries):
    incubator = IncubatorFactory()
    users = [
        (UserFactory(is_superuser=True), SUPERUSER_QUERIES),
        (UserFactory(incubators=[incubator]), STAFF_QUERIES),
    ]
    populate(10, incubator)
    query_counts(client, django_assert_num_queries, users)
    populate(990, incubator)
    query_counts(client, django_assert_num_queries, users)
