"""QuerySet methods added for the public pages (members side)."""

import pytest

from members.models import Member
from tests.factories import IncubatorFactory, MemberFactory, MissionFactory, StartupFactory

pytestmark = pytest.mark.django_db


def test_worked_in_incubator_counts_co_incubation_and_lists_each_member_once():
    main, partner, other = IncubatorFactory.create_batch(3)
    startup = StartupFactory(incubator=main, incubators=[partner])
    twice = MemberFactory()
    MissionFactory(member=twice, startups=[startup])
    MissionFactory(member=twice, startups=[startup])
    elsewhere = MemberFactory()
    MissionFactory(member=elsewhere, startups=[StartupFactory(incubator=other)])
    MissionFactory(member=MemberFactory(), startups=[])
    assert list(Member.objects.worked_in_incubator(main)) == [twice]
    assert list(Member.objects.worked_in_incubator(partner)) == [twice]
    assert list(Member.objects.worked_in_incubator(other)) == [elsewhere]
