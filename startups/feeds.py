"""Atom feeds: new startups and phase changes, site-wide, per incubator and per phase."""

from __future__ import annotations

import datetime
import re

from django.contrib.syndication.views import Feed
from django.db.models import F, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape

from startups.models import Incubator, Phase, Startup, StartupPhase

FEED_LENGTH = 50

# The characters XML 1.0 cannot carry, which Django refuses to write: a text pasted from a
# word processor may hold one (a vertical tab for a line break).
NOT_IN_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def xml_safe(value):
    return NOT_IN_XML.sub("", value) if isinstance(value, str) else value


def _as_datetime(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(), tzinfo=timezone.get_current_timezone())


class AtomFeed(Feed):
    """What RFC 4287 asks of every feed here: an author, ids that are absolute IRIs (an
    `item_guid` is a path on this site, made absolute with the request's address), and an
    id of its own for each feed (Django's default, the page it links to, is shared by the
    new startups and the phase changes of the same list). Texts lose the characters XML
    cannot hold; summaries are HTML (Atom's `type="html"`), so the plain texts are escaped."""

    feed_type = Atom1Feed
    author_name = "beta.gouv.fr"

    def get_feed(self, obj, request):
        feed = super().get_feed(obj, request)
        feed.feed = {name: xml_safe(value) for name, value in feed.feed.items()}
        feed.feed["id"] = feed.feed["feed_url"]
        for item in feed.items:
            item.update({name: xml_safe(value) for name, value in item.items()})
            item["unique_id"] = request.build_absolute_uri(item["unique_id"])
        return feed


class NewStartupsFeed(AtomFeed):
    """Startups by launch date (the start of their first phase), the latest first."""

    def get_object(self, request, incubator: str | None = None) -> Incubator | None:
        return get_object_or_404(Incubator, slug=incubator) if incubator else None

    def title(self, incubator: Incubator | None) -> str:
        if incubator:
            return f"Nouvelles Startups d’État — {incubator.title}"
        return "Nouvelles Startups d’État"

    def subtitle(self, incubator: Incubator | None) -> str:
        return "Les startups lancées le plus récemment (début de leur première phase)."

    def link(self, incubator: Incubator | None) -> str:
        return incubator.get_absolute_url() if incubator else reverse("startups:startup_list")

    def items(self, incubator: Incubator | None) -> QuerySet[Startup]:
        startups = Startup.objects.filter(launched_on__lte=timezone.localdate())
        if incubator:
            startups = startups.incubated_by(incubator)
        return startups.order_by("-launched_on", "title")[:FEED_LENGTH]

    def item_title(self, startup: Startup) -> str:
        return startup.title

    def item_description(self, startup: Startup) -> str:
        return escape(startup.mission)

    def item_pubdate(self, startup: Startup) -> datetime.datetime:
        return _as_datetime(startup.launched_on)

    def item_updateddate(self, startup: Startup) -> datetime.datetime:
        return startup.updated_at


class PhaseChangesFeed(AtomFeed):
    """Phases entered, the latest first; a phase overridden on its own day is not a change."""

    def get_object(
        self, request, incubator: str | None = None, phase: str | None = None
    ) -> Incubator | Phase | None:
        if incubator:
            return get_object_or_404(Incubator, slug=incubator)
        if phase:
            return get_object_or_404(Phase, slug=phase)
        return None

    def title(self, scope: Incubator | Phase | None) -> str:
        if isinstance(scope, Incubator):
            return f"Changements de phase — {scope.title}"
        if isinstance(scope, Phase):
            return f"Startups entrées en phase « {scope.label} »"
        return "Changements de phase des Startups d’État"

    def subtitle(self, scope: Incubator | Phase | None) -> str:
        return "Chaque passage d’une startup dans une nouvelle phase, le plus récent d’abord."

    def link(self, scope: Incubator | Phase | None) -> str:
        return scope.get_absolute_url() if scope else reverse("startups:startup_list")

    def items(self, scope: Incubator | Phase | None) -> QuerySet[StartupPhase]:
        changes = (
            StartupPhase.objects.with_period_end()
            .filter(start__lte=timezone.localdate())
            .filter(Q(period_end__isnull=True) | Q(period_end__gt=F("start")))
            .select_related("startup", "phase")
        )
        if isinstance(scope, Incubator):
            changes = changes.filter(startup__incubators=scope)
        elif isinstance(scope, Phase):
            changes = changes.filter(phase=scope)
        return changes.order_by("-start", "-id")[:FEED_LENGTH]

    def item_title(self, change: StartupPhase) -> str:
        return f"{change.startup.title} : {change.phase.label_for_one}"

    def item_description(self, change: StartupPhase) -> str:
        return escape(
            f"{change.startup.title} est en phase « {change.phase.label_for_one} » depuis le "
            f"{change.start:%d/%m/%Y}. {change.startup.mission}"
        )

    def item_link(self, change: StartupPhase) -> str:
        return change.startup.get_absolute_url()

    def item_guid(self, change: StartupPhase) -> str:
        return f"{change.startup.get_absolute_url()}#phase-{change.phase_id}-{change.start}"

    item_guid_is_permalink = False

    def item_pubdate(self, change: StartupPhase) -> datetime.datetime:
        return _as_datetime(change.start)

    def item_updateddate(self, change: StartupPhase) -> datetime.datetime:
        """The news is the phase's start: when that date changes, so does the entry's id."""
        return _as_datetime(change.start)
