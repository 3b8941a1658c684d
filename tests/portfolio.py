"""A small portfolio for the tests of the public pages, and a way to make it grow.

Dates are relative to today (Paris), so that "current phase" and "active member" hold
whatever day the tests run.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from startups.models import Event, MinisterialDomain
from tests.factories import (
    IncubatorFactory,
    MemberFactory,
    MissionFactory,
    OrganisationFactory,
    StartupFactory,
    TeamFactory,
)


def days_ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


@dataclass
class Portfolio:
    today: datetime.date
    organisations: dict = field(default_factory=dict)
    incubators: dict = field(default_factory=dict)
    startups: dict = field(default_factory=dict)
    members: dict = field(default_factory=dict)


def build_portfolio() -> Portfolio:
    """Five startups (one in each group, one not started), three incubators (co-incubation),
    three sponsors in three ministerial domains, four members (team, alumni, former)."""
    p = Portfolio(today=timezone.localdate())
    o = p.organisations
    o["dinum"] = OrganisationFactory(
        slug="dinum",
        name="Direction interministérielle du numérique",
        acronym="DINUM",
        ministerial_domain=MinisterialDomain.SPM,
    )
    o["cnam"] = OrganisationFactory(
        slug="cnam",
        name="Caisse nationale de l’Assurance maladie",
        acronym="CNAM",
        ministerial_domain=MinisterialDomain.SOLIDARITE_SANTE,
    )
    o["ademe"] = OrganisationFactory(
        slug="ademe",
        name="Agence de la transition écologique",
        acronym="ADEME",
        ministerial_domain=MinisterialDomain.ENVIRONNEMENT,
    )
    i = p.incubators
    i["dinum"] = IncubatorFactory(slug="dinum", title="Incubateur de la DINUM", owner=o["dinum"])
    i["social"] = IncubatorFactory(
        slug="fabrique-sociale", title="Fabrique des ministères sociaux", owner=o["cnam"]
    )
    i["ademe"] = IncubatorFactory(
        slug="ademe",
        title="Accélérateur de la transition écologique",
        owner=o["ademe"],
        redirect_from=["/incubateurs/ancien-ademe"],
    )
    s = p.startups
    s["aides"] = StartupFactory(
        slug="aides-jeunes",
        title="Aides Jeunes",
        mission="Aider les jeunes à connaître leurs droits.",
        description=(
            "# Le problème\n\nTrop de **démarches**.\n\n"
            '<a href="https://example.org" target="_blank">Site</a>'
            "<script>alert('x')</script>"
        ),
        incubator=i["dinum"],
        incubators=[i["social"]],
        phases=[
            ("investigation", days_ago(730)),
            ("construction", days_ago(365)),
            ("acceleration", days_ago(30)),
        ],
        sponsors=[o["dinum"], o["cnam"]],
        thematiques=["Social", "Jeunesse"],
        usertypes=["particulier"],
        link="https://aides-jeunes.example.org",
        repository="https://github.com/betagouv/aides-jeunes",
        accessibility_status="partiellement conforme",
        redirect_from=["/startups/ancien-aides-jeunes", "/startups/vieux.html"],
    )
    Event.objects.create(startup=s["aides"], name="product_launch", date=days_ago(300))
    s["ecobalyse"] = StartupFactory(
        slug="ecobalyse",
        title="Écobalyse",
        mission="Calculer l’impact environnemental des vêtements.",
        description="Un outil pour l’Éducation à l’environnement.",
        incubator=i["ademe"],
        phases=[("investigation", days_ago(365)), ("construction", days_ago(365))],
        sponsors=[o["ademe"]],
        thematiques=["Environnement"],
        usertypes=["entreprise"],
    )
    s["ancien"] = StartupFactory(
        slug="ancien-service",
        title="Ancien service",
        mission="Protéger les Enfants en danger.",
        incubator=i["social"],
        phases=[("investigation", days_ago(1095)), ("abandon", days_ago(180))],
        sponsors=[o["cnam"]],
        thematiques=["Social"],
    )
    s["opere"] = StartupFactory(
        slug="service-opere",
        title="Service opéré",
        mission="Un service numérique de l’éducation nationale.",
        incubator=i["dinum"],
        phases=[("construction", days_ago(1460)), ("opere", days_ago(365))],
        sponsors=[o["dinum"]],
    )
    s["bientot"] = StartupFactory(
        slug="bientot",
        title="Bientôt",
        mission="Pas encore commencée.",
        incubator=i["dinum"],
        phases=[("investigation", days_ago(-10))],
    )
    m = p.members
    m["marie"] = MemberFactory(
        slug="marie.curie", fullname="Marie Curie", domain="Développement", github="mcurie"
    )
    MissionFactory(member=m["marie"], start=days_ago(400), end=None, startups=[s["aides"]])
    MissionFactory(
        member=m["marie"], start=days_ago(900), end=days_ago(500), startups=[s["ecobalyse"]]
    )
    m["paul"] = MemberFactory(slug="paul.langevin", fullname="Paul Langevin", domain="Design")
    MissionFactory(member=m["paul"], start=days_ago(700), end=days_ago(180), startups=[s["aides"]])
    team = TeamFactory(name="Équipe d’animation", incubator=i["dinum"])
    m["irene"] = MemberFactory(
        slug="irene.joliot", fullname="Irène Joliot", domain="Produit", teams=[team]
    )
    MissionFactory(
        member=m["irene"],
        start=days_ago(200),
        end=days_ago(-200),
        startups=[s["ecobalyse"], s["opere"]],
        employer="Octo",
    )
    m["elise"] = MemberFactory(slug="elise.ancienne", fullname="Élise Ancienne", domain="Coaching")
    MissionFactory(member=m["elise"], start=days_ago(1000), end=days_ago(800))
    return p


def shared_portfolio(django_db_blocker) -> Iterator[Portfolio]:
    """A portfolio built once for a whole test module (a module-scoped fixture yields from it).

    It lives in a transaction around the module; each test runs in a savepoint inside it
    (pytest-django's `django_db`), so what a test adds is gone for the next one.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_portfolio()
        transaction.set_rollback(True)


def grow(portfolio: Portfolio, count: int = 3) -> None:
    """Add `count` startups, each with several phases, sponsors, incubators, thematiques,
    events and members (current and former): an N+1 anywhere would show in query counts."""
    for n in range(count):
        organisation = OrganisationFactory()
        incubator = IncubatorFactory()
        startup = StartupFactory(
            incubator=incubator,
            incubators=[portfolio.incubators["dinum"]],
            phases=[
                ("investigation", days_ago(900 + n)),
                ("construction", days_ago(600 + n)),
                ("acceleration", days_ago(100 + n)),
            ],
            sponsors=[organisation, portfolio.organisations["dinum"]],
            thematiques=[f"Thème {n}", "Social"],
            usertypes=[f"Usager {n}", "particulier"],
        )
        Event.objects.create(startup=startup, name="committee", date=days_ago(800))
        for ended in (False, True):
            member = MemberFactory(teams=[TeamFactory(incubator=incubator)])
            MissionFactory(
                member=member,
                start=days_ago(500),
                end=days_ago(50) if ended else None,
                startups=[startup, portfolio.startups["aides"]],
            )
