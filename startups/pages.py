"""Helpers shared by the public pages: pagination that tolerates any `page`, phase sections."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.db.models.functions import Left
from django.http import HttpRequest

from betagouv.search import name_key
from startups.models import Phase, Startup

PAGE_SIZE = 48
PAGE_NUMBER = re.compile(r"[0-9]+")


def alphabetical(name_field: str) -> tuple[Left, str, str]:
    """Order by name as a French reader expects, on SQLite and PostgreSQL alike: accents and
    case ignored (`betagouv.search.name_key`), then the name as written, then the id."""
    return (name_key(), name_field, "pk")


class CountedPaginator(Paginator):
    """A paginator told how many items there are, when the caller counted them already."""

    def __init__(self, object_list: QuerySet, per_page: int, count: int) -> None:
        super().__init__(object_list, per_page)
        self.known_count = count

    @property
    def count(self) -> int:
        return self.known_count


def page_number(asked: str) -> int | None:
    """The number `?page=` gives, None when it is not one: digits only (int() also takes
    "2_0", " 2" or "+2"), and any number too long to convert is past the last page."""
    if not PAGE_NUMBER.fullmatch(asked):
        return None
    digits = asked.lstrip("0") or "0"
    return int(digits) if len(digits) <= 18 else sys.maxsize


def paginate(
    request: HttpRequest, queryset: QuerySet, per_page: int = PAGE_SIZE, count: int | None = None
) -> tuple[Page, str]:
    """The page `?page=` asks for, and a message when it had to choose another one.

    A missing, non-numeric or out-of-range `page` gives the nearest page (the first, or the
    last) with a message: a link to a page that no longer exists (the list got shorter) still
    shows something. `count`, when given, is the number of items of `queryset` (else it is
    counted).
    """
    asked = request.GET.get("page", "")
    paginator = (
        Paginator(queryset, per_page)
        if count is None
        else CountedPaginator(queryset, per_page, count)
    )
    number = page_number(asked)
    # Django's get_page gives the last page for 0.
    page = paginator.get_page(max(number or 1, 1))
    message = ""
    if asked and number != page.number:
        message = (
            f"La page demandée n’existe pas ; voici la page {page.number} "
            f"sur {page.paginator.num_pages}."
        )
    return page, message


def numbered(title: str, page: Page) -> str:
    """`title`, and which page it is when there are several: each page has its own title."""
    if page.paginator.num_pages > 1:
        return f"{title} (page {page.number} sur {page.paginator.num_pages})"
    return title


def list_title(label: str, chosen: list[str], page: Page | None = None) -> str:
    """What a list or a search shows, as its title: « Membres : En activité, Design (page 2
    sur 40) », or the label alone when nothing is chosen."""
    title = f"{label} : {', '.join(chosen)}" if chosen else label
    return numbered(title, page) if page else title


@dataclass
class PhaseSection:
    """The startups of one phase shown on a page, and how many that phase holds in all."""

    phase: Phase | None
    total: int
    startups: list[Startup] = field(default_factory=list)

    @property
    def more(self) -> int:
        """How many of the phase's startups are not shown here."""
        return self.total - len(self.startups)


def phase_sections(
    phases: Iterable[Phase],
    counts: dict[str, int],
    startups: Iterable[Startup],
    phase_attribute: str = "phase_on",
    keep_empty: bool = False,
    without_phase: int | None = None,
) -> list[PhaseSection]:
    """`startups` (annotated with their phase) grouped by phase, in the phases' order.

    `counts` gives each phase's total (from `phase_counts_on`), which may exceed the startups
    given (a page of them, or the first few). Startups without a phase (not started yet) come
    last, `without_phase` being their total when known.
    """
    by_phase: dict[str | None, list[Startup]] = {}
    for startup in startups:
        by_phase.setdefault(getattr(startup, phase_attribute), []).append(startup)
    sections = [
        PhaseSection(phase, counts[phase.slug], by_phase.get(phase.slug, []))
        for phase in phases
        if keep_empty or by_phase.get(phase.slug)
    ]
    if None in by_phase:
        total = len(by_phase[None]) if without_phase is None else without_phase
        sections.append(PhaseSection(None, total, by_phase[None]))
    return sections
