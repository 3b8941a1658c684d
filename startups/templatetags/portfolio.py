"""Template filters of the public pages: Markdown, durations, phase badges, select options,
sitemap entries."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sized
from html import escape as escape_html
from typing import TYPE_CHECKING

from django import template
from django.core.paginator import Page
from django.template import Context
from django.template.defaultfilters import date as date_filter
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from betagouv.markdown import render_markdown
from startups.models import PhaseGroup, PhaseSlug

if TYPE_CHECKING:
    from startups.filters import FacetValue

register = template.Library()

BADGE_CLASSES = {
    PhaseGroup.INCUBATION: "fr-badge--info",
    PhaseGroup.LIVING: "fr-badge--success",
    PhaseGroup.STOPPED: "fr-badge--purple-glycine",
}
PHASE_BADGE_CLASSES = {phase.value: BADGE_CLASSES[phase.group] for phase in PhaseSlug}


@register.simple_tag(takes_context=True)
def markdown(context: Context, text: str, top_heading: int = 3) -> SafeString:
    """Content Markdown as sanitised HTML, its headings starting at `h{top_heading}` (h3, under
    the page's h2, by default): `{% markdown text 2 %}` right under the h1. Its relative
    links lead where they led from the same page on beta.gouv.fr (`render_markdown`)."""
    request = context.get("request")
    return render_markdown(text, top_heading, page=request.path if request else "")


@register.filter(expects_localtime=True)
def long_date(day: datetime.date | None) -> str:
    """« 2 janvier 2020 », and « 1er janvier 2020 »: French writes a month's first day so."""
    if not day:
        return ""
    text = date_filter(day, "j F Y")
    return f"1er{text[1:]}" if day.day == 1 else text


@register.filter
def pluriel(value: object, suffixes: str = "s") -> str:
    """`pluralize` as French counts: 0 and 1 take the singular (« 0 startup financée »), 2
    and more the plural. A number or a collection; « singular,plural » suffixes as well."""
    singular, _, plural = suffixes.rpartition(",")
    try:
        count = len(value) if isinstance(value, Sized) and not isinstance(value, str) else value
        count = abs(float(count))
    except (TypeError, ValueError):
        return ""
    return plural if count >= 2 else singular


@register.filter
def phase_badge(phase_slug: str | None) -> str:
    """The DSFR badge colour of a phase, by its group."""
    return PHASE_BADGE_CLASSES.get(phase_slug, "")


@register.filter
def duration(days: int | datetime.timedelta | None) -> str:
    """« 12 jours », « 5 mois », « 2 ans et 3 mois »: a duration as people say it."""
    if isinstance(days, datetime.timedelta):
        days = days.days
    if days is None or days < 0:
        return ""
    if days < 60:
        return f"{days} jour{pluriel(days)}"
    months = round(days / 30.4375)
    years, months = divmod(months, 12)
    parts = []
    if years:
        parts.append(f"{years} an{pluriel(years)}")
    if months:
        parts.append(f"{months} mois")
    return " et ".join(parts)


@register.simple_tag
def page_numbers(page: Page) -> list[int | str]:
    """The page numbers to link to: both ends and the neighbours of `page`, elided between."""
    return list(page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))


@register.filter
def lookup(mapping: dict, key):
    """`mapping[key]`, None when absent (templates cannot index a dict by a variable)."""
    return mapping.get(key)


@register.filter
def path_section(path: str) -> str:
    """`/startups/aides-jeunes/` → `startups`: the section of the site a path belongs to."""
    return path.strip("/").split("/", 1)[0]


@register.filter
def group_badge(group: str) -> str:
    """The DSFR badge colour of a group of phases."""
    return BADGE_CLASSES.get(group, "")


def _option(value: object, label: object, selected: bool) -> str:
    # The standard library's escape is Django's `escape` without its lazy-string wrapper, a
    # third of the time of `format_html` for the thousands of options of a page at scale.
    mark = " selected" if selected else ""
    return f'<option value="{escape_html(str(value))}"{mark}>{escape_html(str(label))}</option>'


@register.filter
def select_options(choices: Iterable[tuple[str, str]], chosen: str) -> SafeString:
    """`{{ choices|select_options:chosen }}`: the `<option>`s of (value, label) pairs, the
    `chosen` value marked, built in one pass (2,300 incubators at 100 times the data)."""
    return mark_safe("".join(_option(value, label, value == chosen) for value, label in choices))


@register.filter
def facet_options(values: list[FacetValue]) -> SafeString:
    """The `<option>`s of a facet's select, « label (count) », the selected one marked.

    Up to 200 per facet, a thousand per list page: built here in one pass, where a template
    loop took 20 ms of each list page."""
    return mark_safe(
        "\n".join(
            _option(facet.value, f"{facet.label} ({facet.count})", facet.selected)
            for facet in values
        )
    )


@register.simple_tag
def sitemap_urls(urlset: list[dict]) -> SafeString:
    """The `<url>` elements of a sitemap page (`Sitemap.get_urls`), as Django's `sitemap.xml`
    template writes them, without its loop: a page of 5,000 took 240 ms with the template
    at 100 times the data. Dates in the site's time zone, as the template's `date` filter."""
    return mark_safe("".join(map(_sitemap_url, urlset)))


def _sitemap_url(url: dict) -> str:
    parts = [f"<url><loc>{escape_html(url['location'])}</loc>"]
    if lastmod := url["lastmod"]:
        if isinstance(lastmod, datetime.datetime) and timezone.is_aware(lastmod):
            lastmod = timezone.localtime(lastmod)
        parts.append(f"<lastmod>{lastmod:%Y-%m-%d}</lastmod>")
    if url["changefreq"]:
        parts.append(f"<changefreq>{escape_html(url['changefreq'])}</changefreq>")
    if url["priority"]:
        parts.append(f"<priority>{escape_html(url['priority'])}</priority>")
    parts.append("</url>")
    return "".join(parts)
