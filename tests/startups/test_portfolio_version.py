import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from startups.models import PortfolioVersion, Thematique
from tests.factories import MissionFactory, StartupFactory, UserFactory

pytestmark = pytest.mark.django_db

FIXTURE = Path(__file__).parents[1] / "content" / "fixtures" / "content"


def version() -> int:
    return PortfolioVersion.current().number


def test_links_outside_the_portfolio_leave_the_version_alone():
    group = Group.objects.create(name="Incubateur X")
    user = UserFactory()
    before = version()
    user.groups.add(group)
    assert version() == before
    startup = StartupFactory()
    before = version()
    startup.thematiques.add(Thematique.objects.create(name="Santé"))
    assert version() == before + 2  # the thematique's save, then the link, once


def test_saves_deletes_and_relation_changes_bump_the_version():
    startup = StartupFactory()
    before = version()
    startup.title = "Nouveau titre"
    startup.save()
    assert version() > before

    before = version()
    startup.thematiques.add(Thematique.objects.create(name="Santé"))
    assert version() > before

    before = version()
    MissionFactory(startups=[startup]).member.delete()
    assert version() > before


def test_import_bumps_only_when_something_changed(tmp_path):
    content = shutil.copytree(FIXTURE, tmp_path / "content")
    call_command("import_betagouv", str(content), stdout=StringIO(), stderr=StringIO(), verbosity=0)
    after_first = PortfolioVersion.current()
    call_command("import_betagouv", str(content), stdout=StringIO(), stderr=StringIO(), verbosity=0)
    again = PortfolioVersion.current()
    assert (again.number, again.changed_at) == (after_first.number, after_first.changed_at)


def test_demo_data_bumps_the_version():
    before = version()
    call_command("generate_demo_data", "--startups", "3", stdout=StringIO())
    assert version() > before


def test_the_stamp_read_on_each_request_is_the_version():
    PortfolioVersion.objects.all().delete()
    assert PortfolioVersion.stamp() == (0, PortfolioVersion.current().changed_at)
    PortfolioVersion.bump()
    current = PortfolioVersion.current()
    assert PortfolioVersion.stamp() == (current.number, current.changed_at)
