"""QuerySet methods added for the public pages (startups side)."""

import pytest

from startups.models import Startup
from tests.factories import OrganisationFactory, StartupFactory
from tests.portfolio import build_portfolio, days_ago

pytestmark = pytest.mark.django_db


def test_a_startup_with_two_sponsors_in_one_domain_is_listed_once():
    first, second = OrganisationFactory.create_batch(2, ministerial_domain="culture")
    startup = StartupFactory(sponsors=[first, second])
    StartupFactory(sponsors=[OrganisationFactory(ministerial_domain="justice")])
    assert list(Startup.objects.in_ministerial_domain("culture")) == [startup]


def test_phase_counts_per_incubator_match_phase_counts_on_for_each():
    portfolio = build_portfolio()
    counts = Startup.objects.phase_counts_per("incubators", portfolio.today)
    for incubator in portfolio.incubators.values():
        assert counts[incubator.pk] == Startup.objects.incubated_by(incubator).phase_counts_on(
            portfolio.today
        )


def test_first_per_phase_keeps_the_first_by_name_in_each_phase():
    for title in ("Zèbre", "Étoile", "abeille", "Moineau"):
        StartupFactory(title=title, phases=[("construction", days_ago(5))])
    StartupFactory(title="Seule", phases=[("opere", days_ago(5))])
    StartupFactory(title="Pas commencée", phases=[("opere", days_ago(-5))])
    first = Startup.objects.first_per_phase_on(days_ago(0), 2)
    assert [(s.phase_on, s.title) for s in first] == [
        ("construction", "abeille"),
        ("construction", "Étoile"),
        ("opere", "Seule"),
    ]
