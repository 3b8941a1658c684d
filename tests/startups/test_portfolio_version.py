import datetime
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.utils import timezone

from startups.models import PortfolioVersion, Startup, Thematique
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


class TestCurrentDay:
    """The stored current phases and activities are made today's by the first request of a
    day; the version row says which day they were last made current (`current_on`)."""

    def current_on(self) -> datetime.date | None:
        return PortfolioVersion.objects.values_list("current_on", flat=True).get()

    def test_a_write_marks_its_day(self):
        StartupFactory()
        assert self.current_on() == timezone.localdate()

    def test_the_stamp_is_one_query_while_the_day_lasts(self, django_assert_num_queries):
        StartupFactory()
        with django_assert_num_queries(1):
            PortfolioVersion.stamp()

    def test_the_first_stamp_of_a_day_stores_it(self, monkeypatch, django_assert_num_queries):
        today = timezone.localdate()
        tomorrow = today + datetime.timedelta(days=1)
        startup = StartupFactory(phases=[("investigation", today), ("construction", tomorrow)])
        monkeypatch.setattr(timezone, "localdate", lambda *args: tomorrow)
        # The version, then the startups and the members stored again, then the day.
        with django_assert_num_queries(4):
            PortfolioVersion.stamp()
        assert Startup.objects.values_list("phase", flat=True).get(pk=startup.pk) == "construction"
        assert self.current_on() == tomorrow
        with django_assert_num_queries(1):
            PortfolioVersion.stamp()

    def test_an_unknown_day_is_stored_first(self, django_assert_num_queries):
        """After the migration that added the column, nothing says which day rows are of."""
        StartupFactory()
        PortfolioVersion.objects.update(current_on=None)
        with django_assert_num_queries(4):
            PortfolioVersion.stamp()
        assert self.current_on() == timezone.localdate()

    def test_a_write_stored_before_midnight_leaves_the_next_day_to_be_stored(self, monkeypatch):
        """A write stored current phases as of a day, a request of the next day made the
        other rows current (it could not see the write's), then the write bumped: the row
        keeps the writer's day, so that the next request stores its rows again."""
        today = timezone.localdate()
        tomorrow = today + datetime.timedelta(days=1)
        startup = StartupFactory(phases=[("investigation", today), ("construction", tomorrow)])
        Startup.objects.filter(pk=startup.pk).store_phase_dates()  # as of today, not bumped
        monkeypatch.setattr(timezone, "localdate", lambda *args: tomorrow)
        PortfolioVersion.objects.update(current_on=tomorrow)  # the request of tomorrow
        PortfolioVersion.bump()
        assert self.current_on() == today
        PortfolioVersion.stamp()
        assert Startup.objects.values_list("phase", flat=True).get(pk=startup.pk) == "construction"

    def test_a_version_bumped_meanwhile_is_not_marked_current(self):
        """A request stores today's phases, then marks current the version it read; a write
        committed in between (a new number) may hold rows it did not see."""
        StartupFactory()
        PortfolioVersion.objects.update(current_on=None)
        read = PortfolioVersion.current().number
        PortfolioVersion.bump()
        PortfolioVersion.make_current(timezone.localdate(), read)
        assert self.current_on() is None

    def test_a_missing_version_row_stores_the_day_first(self, django_assert_num_queries):
        """Data loaded without a write that bumps (a raw load): nothing says which day it was
        stored as of."""
        StartupFactory()
        PortfolioVersion.objects.all().delete()
        PortfolioVersion.stamp()
        assert self.current_on() == timezone.localdate()
