import datetime

import pytest

from startups.models import MinisterialDomain
from tests.factories import (
    IncubatorFactory,
    MemberFactory,
    MissionFactory,
    OrganisationFactory,
    StartupFactory,
)

D = datetime.date
# The day the tests look at: every startup below has a known phase on it.
DAY = D(2024, 6, 30)


@pytest.fixture
def portfolio() -> dict:
    """Six startups and five members covering the rules' edges, as of DAY.

    - « Aides » (incubator A; sponsors in one domain twice): transfere on DAY;
    - « Budget » (A and B; investigation and construction the same day; two domains): abandon;
    - « Cantine » (B, no sponsor): abandon-investigation;
    - « Dossier » (B): opere;
    - « Futur » (A): its first phase starts after today, no phase on any day asked;
    - « Vide » (A): no phase at all.
    """
    incubator_a = IncubatorFactory(slug="incubateur-a", title="Incubateur A, le premier")
    incubator_b = IncubatorFactory(slug="incubateur-b", title="Incubateur B")
    education_1 = OrganisationFactory(ministerial_domain=MinisterialDomain.EDUCATION)
    education_2 = OrganisationFactory(ministerial_domain=MinisterialDomain.EDUCATION)
    justice = OrganisationFactory(ministerial_domain=MinisterialDomain.JUSTICE)
    future = datetime.date.today() + datetime.timedelta(days=30)
    startups = {
        "aides": StartupFactory(
            title="Aides",
            incubator=incubator_a,
            sponsors=[education_1, education_2],
            phases=[
                ("investigation", D(2019, 3, 1)),
                ("construction", D(2019, 9, 1)),
                ("acceleration", D(2021, 1, 15)),
                ("transfere", D(2023, 6, 1)),
            ],
        ),
        "budget": StartupFactory(
            title="Budget",
            incubator=incubator_a,
            incubators=[incubator_b],
            sponsors=[education_1, justice],
            phases=[
                ("construction", D(2020, 2, 1)),
                ("investigation", D(2020, 2, 1)),
                ("abandon", D(2022, 10, 1)),
            ],
        ),
        "cantine": StartupFactory(
            title="Cantine",
            incubator=incubator_b,
            phases=[("investigation", D(2021, 5, 1)), ("abandon-investigation", D(2021, 11, 15))],
        ),
        "dossier": StartupFactory(
            title="Dossier",
            incubator=incubator_b,
            sponsors=[justice],
            phases=[("construction", D(2022, 1, 10)), ("opere", D(2024, 3, 1))],
        ),
        "futur": StartupFactory(
            title="Futur", incubator=incubator_a, phases=[("investigation", future)]
        ),
        "vide": StartupFactory(title="Vide", incubator=incubator_a),
    }
    developer = MemberFactory(domain="Développement")
    MissionFactory(member=developer, start=D(2019, 1, 1), end=D(2019, 12, 31))
    MissionFactory(member=developer, start=D(2023, 1, 1), end=None)
    designer = MemberFactory(domain="Design")
    MissionFactory(member=designer, start=D(2020, 5, 1), end=D(2024, 6, 30))
    coach = MemberFactory(domain="Coaching")
    MissionFactory(member=coach, start=D(2021, 1, 1), end=D(2022, 3, 31))
    later = MemberFactory(domain="Design")
    MissionFactory(member=later, start=D(2024, 7, 1), end=None)
    MemberFactory(domain="Produit")
    return {"startups": startups, "incubators": [incubator_a, incubator_b]}
