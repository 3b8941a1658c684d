"""sitemap.xml: every public page, with the date it last changed.

What the index shows of each section (how many pages, the latest change) is computed once per
version of the data (`SectionFacts`): without the response cache, counting the startups that
may be indexed took 47 ms of every index at 100 times the real portfolio.
"""

from __future__ import annotations

import datetime
from functools import cached_property

from django.contrib.sitemaps import Sitemap
from django.core.paginator import Page, Paginator
from django.db.models import F, Max, QuerySet, Window
from django.db.models.functions import Mod, RowNumber
from django.urls import reverse

from betagouv.caching import cached_value, current_stamp
from members.models import Member
from startups.models import Incubator, Organisation, Phase, Startup
from startups.pages import CountedPaginator


class SectionFacts(Sitemap):
    """A section whose number of items is cached until the next write (and its latest change,
    with `LatestUpdateMixin`; the pages that summarise the portfolio take the version's date).

    Its pages hold 5,000 addresses, not the 50,000 the protocol allows: with Django's
    template, a page of 50,000 took 7 s at 100 times the real portfolio (350,000 members).
    """

    limit = 5_000

    @property
    def paginator(self) -> CountedPaginator:
        items = self._items()
        return CountedPaginator(items, self.limit, self._count(items))

    def _count(self, items: QuerySet) -> int:
        return cached_value(self._fact_name("count"), lambda: Paginator(items, self.limit).count)

    def _fact_name(self, fact: str) -> str:
        return f"sitemap:{type(self).__name__}:{fact}"


class KeysetPaginator(CountedPaginator):
    """Pages of a queryset ordered by its unique `slug`, each read from its first slug on
    (`slug >= first`, then `LIMIT`) rather than after skipping every row before it
    (`OFFSET`: 277 ms for the last page of 350,000 members)."""

    def __init__(self, object_list: QuerySet, per_page: int, count: int, starts) -> None:
        super().__init__(object_list, per_page, count)
        self.starts = starts

    def page(self, number) -> Page:
        number = self.validate_number(number)
        first = self.starts()[number - 1]
        return self._get_page(
            self.object_list.filter(slug__gte=first)[: self.per_page], number, self
        )


class KeysetPages:
    """For the large sections (startups, members): pages read by `KeysetPaginator`. The first
    slug of every page is read once per version of the data, by the first request for a page
    (one pass over the slugs' index), not by the index, which needs only the count."""

    @property
    def paginator(self) -> KeysetPaginator:
        items = self._items()
        return KeysetPaginator(
            items, self.limit, self._count(items), lambda: self._page_starts(items)
        )

    def _page_starts(self, items: QuerySet) -> list[str]:
        def read() -> list[str]:
            places = items.annotate(place=Window(RowNumber(), order_by=F("slug").asc()))
            firsts = places.annotate(offset=Mod(F("place") - 1, self.limit)).filter(offset=0)
            return list(firsts.values_list("slug", flat=True))

        return cached_value(self._fact_name("page-starts"), read)


class PortfolioPagesSitemap(SectionFacts):
    """Pages that summarise the portfolio change whenever it changes."""

    @cached_property
    def portfolio_changed_at(self) -> datetime.datetime:
        return current_stamp()[1]

    def lastmod(self, item) -> datetime.datetime:
        return self.portfolio_changed_at

    def get_latest_lastmod(self) -> datetime.datetime:
        return self.portfolio_changed_at


class LatestUpdateMixin:
    """The index's lastmod of a section in one query, cached with the section's count
    (`SectionFacts`): Django's default calls `lastmod()` on every item (350,000 members at
    100× the real portfolio)."""

    def get_latest_lastmod(self) -> datetime.datetime | None:
        return cached_value(
            self._fact_name("latest"),
            lambda: self.items().aggregate(latest=Max("updated_at"))["latest"],
        )


class ListingsSitemap(PortfolioPagesSitemap):
    changefreq = "daily"
    priority = 1.0

    def items(self) -> list[str]:
        return [
            "startups:home",
            "startups:startup_list",
            "members:member_list",
            "startups:incubator_list",
            "startups:organisation_list",
            "stats:statistics",
            "api-v1:openapi-view",
            "accessibility",
        ]

    def location(self, name: str) -> str:
        return reverse(name)


class PhaseSitemap(PortfolioPagesSitemap):
    def items(self) -> QuerySet[Phase]:
        return Phase.objects.all()


class IncubatorSitemap(PortfolioPagesSitemap):
    def items(self) -> QuerySet[Incubator]:
        return Incubator.objects.filter(hidden=False).only("slug").order_by("slug")


class OrganisationSitemap(PortfolioPagesSitemap):
    def items(self) -> QuerySet[Organisation]:
        return Organisation.objects.only("slug").order_by("slug")


class StartupSitemap(KeysetPages, LatestUpdateMixin, SectionFacts):
    priority = 0.8

    def items(self) -> QuerySet[Startup]:
        return Startup.objects.indexable().only("slug", "updated_at").order_by("slug")

    def lastmod(self, startup: Startup) -> datetime.datetime:
        return startup.updated_at


class MemberSitemap(KeysetPages, LatestUpdateMixin, SectionFacts):
    priority = 0.3

    def items(self) -> QuerySet[Member]:
        return Member.objects.only("slug", "updated_at").order_by("slug")

    def lastmod(self, member: Member) -> datetime.datetime:
        return member.updated_at


SITEMAPS = {
    "pages": ListingsSitemap,
    "phases": PhaseSitemap,
    "incubateurs": IncubatorSitemap,
    "organisations": OrganisationSitemap,
    "startups": StartupSitemap,
    "membres": MemberSitemap,
}
