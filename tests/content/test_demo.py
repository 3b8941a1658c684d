import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import F

from members.models import Member, Mission
from startups.models import (
    Incubator,
    Organisation,
    Startup,
    StartupIncubator,
    StartupPhase,
    StartupSponsor,
)

pytestmark = pytest.mark.django_db
UNTIL = datetime.date(2026, 11, 1)


def generate(*args: str) -> str:
    out = StringIO()
    call_command("generate_demo_data", *args, "--until", UNTIL.isoformat(), stdout=out)
    return out.getvalue()


def snapshot() -> tuple:
    return (
        list(Startup.objects.values_list("slug", "title", "mission", "incubator__slug")),
        list(StartupPhase.objects.values_list("startup__slug", "phase", "start")),
        list(Member.objects.values_list("slug", "fullname", "domain")),
        list(Mission.objects.values_list("member__slug", "start", "end", "startups__slug")),
    )


def test_same_seed_same_data_and_another_seed_other_data():
    generate("--startups", "40", "--seed", "7")
    first = snapshot()
    generate("--startups", "40", "--seed", "7")
    assert snapshot() == first
    generate("--startups", "40", "--seed", "8")
    assert snapshot() != first


def test_shape_follows_the_real_portfolio(client):
    generate("--startups", "300", "--seed", "1")
    assert Startup.objects.count() == 300
    assert Member.objects.count() == round(300 * 3484 / 662)
    assert Organisation.objects.count() == round(300 * 143 / 662)
    assert Incubator.objects.count() == round(300 * 23 / 662)
    # Every startup has a history starting between 2013 and the --until date.
    starts = StartupPhase.objects.values_list("start", flat=True)
    assert min(starts) >= datetime.date(2013, 1, 1)
    assert not Startup.objects.filter(phases=None).exists()
    counts = Startup.objects.phase_counts_on(UNTIL)
    assert counts["abandon-investigation"] > 0
    assert counts["construction"] > 0
    assert Member.objects.active_on(UNTIL).exists()
    # Every startup is among its own incubators, and the search text is filled.
    assert StartupIncubator.objects.count() >= 300
    startup = Startup.objects.first()
    assert Startup.objects.search(startup.title).filter(pk=startup.pk).exists()
    # Some startups had an earlier address, as 51 of the 662 real ones: it leads to them.
    moved = Startup.objects.exclude(redirect_from=[])
    assert 300 // 15 < moved.count() < 300 // 10
    old_address = moved.first().redirect_from[0]
    assert client.get(old_address)["Location"] == moved.first().get_absolute_url()
    # Sponsor rows carry their organisation's domain.
    assert StartupSponsor.objects.exists()
    assert not StartupSponsor.objects.exclude(
        ministerial_domain=F("organisation__ministerial_domain")
    ).exists()


def test_if_empty_leaves_existing_data_alone():
    generate("--startups", "10", "--seed", "1")
    before = snapshot()
    out = generate("--startups", "20", "--seed", "2", "--if-empty")
    assert "rien n’a été généré" in out
    assert snapshot() == before


def test_generated_data_replaces_the_previous_portfolio():
    generate("--startups", "30", "--seed", "1")
    generate("--startups", "10", "--seed", "1")
    assert Startup.objects.count() == 10
    # Ids start again from 1 after a replacement, and new rows can still be created.
    Startup.objects.create(slug="nouvelle", title="Nouvelle", incubator=Incubator.objects.first())


def test_replacing_the_portfolio_drops_links_to_the_old_incubators():
    from django.contrib.auth.models import Group

    from staff.models import IncubatorGroup

    generate("--startups", "5", "--seed", "1")
    group = Group.objects.create(name="Équipe de l’incubateur")
    IncubatorGroup.objects.create(group=group, incubator=Incubator.objects.first())
    generate("--startups", "5", "--seed", "1")
    assert not IncubatorGroup.objects.exists()
    assert Group.objects.filter(pk=group.pk).exists()
