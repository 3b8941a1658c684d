import datetime

import pytest
from django.utils import timezone

from tests.factories import (
    EventFactory,
    IncubatorFactory,
    MemberFactory,
    MissionFactory,
    OrganisationFactory,
    StartupFactory,
    TeamFactory,
)


@pytest.fixture
def today() -> datetime.date:
    return timezone.localdate()


@pytest.fixture
def portfolio(today):
    """Three startups (co-incubation, sponsors, phases, events) and their members."""
    year_ago = today - datetime.timedelta(days=365)
    dinum = OrganisationFactory(slug="dinum", name="DINUM", ministerial_domain="spm")
    ademe_org = OrganisationFactory(slug="ademe", name="ADEME", ministerial_domain="environnement")
    incubator = IncubatorFactory(slug="dinum", title="Incubateur DINUM", owner=dinum)
    ademe = IncubatorFactory(slug="ademe", title="Incubateur ADEME", owner=ademe_org)
    aides = StartupFactory(
        slug="aides-jeunes",
        title="Aides Jeunes",
        incubator=incubator,
        sponsors=[dinum, ademe_org],
        thematiques=["Jeunesse", "Social"],
        usertypes=["jeunes"],
        techno=["vuejs"],
        link="https://aides.example.org",
        phases=[("investigation", year_ago), ("construction", today)],
        fast_promotion=3,
        fast_amount=150000,
    )
    ecobalyse = StartupFactory(
        slug="ecobalyse",
        title="Écobalyse",
        incubator=ademe,
        incubators=[incubator],
        sponsors=[ademe_org],
        thematiques=["Écologie"],
        usertypes=["entreprise", "jeunes"],
        phases=[("investigation", year_ago), ("construction", year_ago)],
    )
    ancien = StartupFactory(
        slug="ancien-service",
        title="Ancien service",
        incubator=incubator,
        sponsors=[dinum],
        phases=[("investigation", datetime.date(2015, 1, 1)), ("abandon", year_ago)],
    )
    for startup in (aides, ecobalyse, ancien):
        EventFactory(startup=startup, name="committee", date=year_ago, comment="Comité")
        EventFactory(startup=startup, name="product_launch", date=today)
    team = TeamFactory(slug="animation", incubator=incubator)
    marie = MemberFactory(slug="marie.curie", fullname="Marie Curie", teams=[team])
    paul = MemberFactory(slug="paul.langevin", fullname="Paul Langevin", domain="Coaching")
    irene = MemberFactory(slug="irene.joliot", fullname="Irène Joliot")
    long_ago = datetime.date(2015, 1, 1)
    MissionFactory(member=marie, start=year_ago, end=None, startups=[aides, ecobalyse])
    MissionFactory(member=marie, start=long_ago, end=long_ago.replace(month=6), startups=[ancien])
    MissionFactory(member=paul, start=long_ago, end=year_ago, startups=[aides])
    MissionFactory(member=irene, start=year_ago, end=None, startups=[ecobalyse, ancien])
    return {"aides": aides, "ecobalyse": ecobalyse, "ancien": ancien, "marie": marie}
