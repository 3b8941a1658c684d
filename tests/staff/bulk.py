"""Many rows at once, for the query-count tests of the admin's lists (10 rows, then 1,000).

Each row comes with the related rows its list shows (phases, sponsors, team...), so that a
query per row would show as a different count.
"""

import datetime
import itertools

from members.models import Member, Mission, MissionStartup, Team, TeamMembership
from startups.models import (
    Event,
    HighlightedStartup,
    Incubator,
    Organisation,
    Startup,
    StartupIncubator,
    StartupPhase,
    StartupSponsor,
    StartupThematique,
    StartupUsertype,
    Thematique,
    Usertype,
)

DAY = datetime.date(2020, 1, 1)


_numbers = itertools.count()


def _next(model) -> int:
    """A number no other row of the test run uses: identifiers must be unique."""
    return next(_numbers) * 10_000


def organisations(count: int) -> list[Organisation]:
    start = _next(Organisation)
    rows = [
        Organisation(
            slug=f"lot-organisation-{start + i}",
            name=f"Direction {start + i}",
            kind="administration-centrale",
            ministerial_domain="education",
        )
        for i in range(count)
    ]
    return Organisation.objects.bulk_create(rows)


def incubators(count: int) -> list[Incubator]:
    owners = organisations(count)
    start = _next(Incubator)
    rows = [
        Incubator(slug=f"lot-incubateur-{start + i}", title=f"Incubateur {start + i}", owner=owner)
        for i, owner in enumerate(owners)
    ]
    return Incubator.objects.bulk_create(rows)


def startups(count: int, incubator: Incubator | None = None) -> list[Startup]:
    """Startups, each with 2 phases, an event, a sponsor, a thematique, a user type and a team
    member (and an incubator, which puts it forward)."""
    hosts = [incubator] * count if incubator else incubators(count)
    start = _next(Startup)
    rows = Startup.objects.bulk_create(
        Startup(
            slug=f"lot-startup-{start + i}",
            title=f"Service {start + i}",
            mission="Simplifier une démarche.",
            incubator=host,
            contact="equipe@beta.gouv.fr",
        )
        for i, host in enumerate(hosts)
    )
    StartupIncubator.objects.bulk_create(
        StartupIncubator(startup=startup, incubator=startup.incubator) for startup in rows
    )
    StartupSponsor.objects.bulk_create(
        StartupSponsor(startup=startup, organisation=sponsor)
        for startup, sponsor in zip(rows, organisations(count), strict=True)
    )
    StartupPhase.objects.bulk_create(
        StartupPhase(startup=startup, phase_id=phase, start=DAY.replace(year=year), position=i)
        for startup in rows
        for i, (phase, year) in enumerate([("investigation", 2020), ("construction", 2021)])
    )
    Startup.objects.filter(pk__in=[startup.pk for startup in rows]).store_phase_dates()
    Event.objects.bulk_create(
        Event(startup=startup, name="committee", date=DAY) for startup in rows
    )
    StartupThematique.objects.bulk_create(
        StartupThematique(startup=startup, thematique=thematique)
        for startup, thematique in zip(rows, thematiques(count), strict=True)
    )
    StartupUsertype.objects.bulk_create(
        StartupUsertype(startup=startup, usertype=usertype)
        for startup, usertype in zip(rows, usertypes(count), strict=True)
    )
    HighlightedStartup.objects.bulk_create(
        HighlightedStartup(startup=startup, incubator=startup.incubator) for startup in rows
    )
    missions(count, rows)
    return rows


def members(count: int) -> list[Member]:
    start = _next(Member)
    return Member.objects.bulk_create(
        Member(
            slug=f"lot-membre.{start + i}", fullname=f"Membre {start + i}", role="Dev", domain="Dev"
        )
        for i in range(count)
    )


def missions(count: int, for_startups: list[Startup] | None = None) -> list[Mission]:
    people = members(count)
    rows = Mission.objects.bulk_create(
        Mission(member=member, start=DAY, status="independent") for member in people
    )
    if for_startups:
        MissionStartup.objects.bulk_create(
            MissionStartup(mission=mission, startup=startup)
            for mission, startup in zip(rows, for_startups, strict=False)
        )
    return rows


def teams(count: int) -> list[Team]:
    """Teams, each with a member."""
    hosts = incubators(count)
    start = _next(Team)
    rows = Team.objects.bulk_create(
        Team(slug=f"lot-equipe-{start + i}", name=f"Équipe {start + i}", incubator=host)
        for i, host in enumerate(hosts)
    )
    TeamMembership.objects.bulk_create(
        TeamMembership(team=team, member=member)
        for team, member in zip(rows, members(count), strict=True)
    )
    return rows


def thematiques(count: int) -> list[Thematique]:
    start = _next(Thematique)
    return Thematique.objects.bulk_create(
        Thematique(name=f"Thème {start + i}") for i in range(count)
    )


def usertypes(count: int) -> list[Usertype]:
    start = _next(Usertype)
    return Usertype.objects.bulk_create(Usertype(name=f"Usager {start + i}") for i in range(count))


def staff_groups(count: int) -> None:
    from django.contrib.auth.models import Group

    from staff.models import IncubatorGroup

    start = _next(Group)
    groups = Group.objects.bulk_create(Group(name=f"Groupe {start + i}") for i in range(count))
    IncubatorGroup.objects.bulk_create(
        IncubatorGroup(group=group, incubator=incubator)
        for group, incubator in zip(groups, incubators(count), strict=True)
    )
