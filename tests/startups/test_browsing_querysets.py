"""QuerySet methods added for the public pages (startups side)."""

import pytest

from startups.models import Startup, StartupSponsor
from tests.factories import OrganisationFactory, StartupFactory
from tests.portfolio import build_portfolio, days_ago

pytestmark = pytest.mark.django_db


def test_a_startup_with_two_sponsors_in_one_domain_is_listed_once():
    first, second = OrganisationFactory.create_batch(2, ministerial_domain="culture")
    startup = StartupFactory(sponsors=[first, second])
    StartupFactory(sponsors=[OrganisationFactory(ministerial_domain="justice")])
    assert list(Startup.objects.in_ministerial_domain("culture")) == [startup]


class TestSponsorDomains:
    """Each sponsor row keeps its organisation's ministerial domain, whatever the write."""

    def domains(self, startup) -> set[str]:
        return set(startup.startupsponsor_set.values_list("ministerial_domain", flat=True))

    def test_a_saved_row_copies_it(self):
        startup = StartupFactory(sponsors=[OrganisationFactory(ministerial_domain="culture")])
        assert self.domains(startup) == {"culture"}

    def test_sponsors_added_in_bulk_copy_it_from_either_side(self):
        startup = StartupFactory()
        startup.sponsors.add(OrganisationFactory(ministerial_domain="justice"))
        assert self.domains(startup) == {"justice"}
        other = StartupFactory()
        OrganisationFactory(ministerial_domain="sport").sponsored_startups.add(other)
        assert self.domains(other) == {"sport"}

    def test_an_organisations_new_domain_reaches_its_startups(self):
        organisation = OrganisationFactory(ministerial_domain="culture")
        startup = StartupFactory(sponsors=[organisation])
        organisation.ministerial_domain = "armees"
        organisation.save()
        assert self.domains(startup) == {"armees"}
        assert list(Startup.objects.in_ministerial_domain("armees")) == [startup]
        assert not Startup.objects.in_ministerial_domain("culture").exists()

    def test_storing_them_again_changes_only_the_rows_that_differ(self):
        startup = StartupFactory(sponsors=[OrganisationFactory(ministerial_domain="culture")])
        StartupSponsor.objects.update(ministerial_domain="")
        assert StartupSponsor.objects.store_domains() == 1
        assert StartupSponsor.objects.store_domains() == 0
        assert self.domains(startup) == {"culture"}


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
