"""The portfolio: phases, sponsor organisations, incubators, startups and their phase history.

The business rules about phases are written once, here:

- a startup's phase on day D is the phase of its history with the latest start <= D; when
  several start on that same day, the one later in the lifecycle wins (`PhaseSlug` order);
  before its first start a startup has no phase;
- its current phase is its phase on today's date (Europe/Paris);
- it was launched on the start of its first phase.

Each phase row stores `next_start`, the start of the startup's next phase in that order
(`next_starts()` computes it), and each startup its `launched_on`;
`StartupQuerySet.store_phase_dates()` keeps both up to date after any change. A row is the
startup's phase on the days start <= D < next_start, so every question about phases on a date
is a range condition on one table, and every question about launches one on one column.

Each startup also stores its current phase (`phase`, `phase_since`, and `phase_order` for the
lists' default order), as of the day it was stored, and `phase_until`, the day it changes by
itself (a phase dated in the future begins): the lists read one indexed column instead of
joining 66,000 histories. `store_phase_dates()` stores it with the dates;
`refresh_current_phases()` stores it again for the startups whose `phase_until` has come,
on the first request of each day, before it reads the data (`PortfolioVersion.stamp`,
`caching.shows_stored_answers`).
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Iterable, Sequence
from contextvars import ContextVar

from django.apps import apps
from django.conf import settings
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import NotSupportedError, connection, models, transaction
from django.db.models import (
    Case,
    Count,
    F,
    FilteredRelation,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import RowNumber, TruncMonth
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from betagouv.database import on_live_connection
from betagouv.search import Searchable, SearchQuerySet, name_key
from startups.signals import portfolio_changed

content_slug_validator = RegexValidator(
    r"^\w[\w.-]*\Z",
    "Lettres, chiffres, points, tirets et soulignés uniquement (c’est le nom du fichier).",
)


def content_slug_field(**kwargs) -> models.CharField:
    """The identifier of a content file: its file name without `.md`, unique within its kind.

    Not a SlugField: real file names contain dots (`1000.jours`), underscores and accents.
    """
    return models.CharField(
        "identifiant", max_length=200, validators=[content_slug_validator], **kwargs
    )


class PhaseGroup(models.TextChoices):
    INCUBATION = "incubation", "En incubation"
    LIVING = "service-vivant", "Sortie avec un service vivant"
    STOPPED = "arret", "Arrêtée"


class PhaseSlug(models.TextChoices):
    """The eight phases, listed in lifecycle order.

    This order breaks ties between phases that start on the same day: the later one wins.
    Labels here name the phase of one startup (`Phase.label_for_one`: badges, timelines,
    cards, feed entries); the content's labels (`Phase.label`) name a phase with all its
    startups (lists, phase pages, statistics), and these stand in when the content has none.
    """

    INVESTIGATION = "investigation", "Investigation"
    CONSTRUCTION = "construction", "Construction"
    ACCELERATION = "acceleration", "Accélération"
    CONSOLIDATION = "consolidation", "Consolidation"
    OPERE = "opere", "Opéré"
    TRANSFERE = "transfere", "Transféré"
    ABANDON_INVESTIGATION = "abandon-investigation", "Investigation non concluante"
    ABANDON = "abandon", "Arrêté"

    @property
    def rank(self) -> int:
        """Position in the lifecycle, from 0 (investigation) to 7 (abandon)."""
        return list(PhaseSlug).index(self)

    @property
    def group(self) -> PhaseGroup:
        return PHASE_GROUPS[self]

    @property
    def counts_as_active(self) -> bool:
        """beta.gouv.fr's "active startup": still incubated, or operated within the network."""
        return self.group == PhaseGroup.INCUBATION or self == PhaseSlug.OPERE

    @classmethod
    def in_group(cls, group: PhaseGroup) -> list[PhaseSlug]:
        return [phase for phase in cls if phase.group == group]


PHASE_GROUPS = {
    PhaseSlug.INVESTIGATION: PhaseGroup.INCUBATION,
    PhaseSlug.CONSTRUCTION: PhaseGroup.INCUBATION,
    PhaseSlug.ACCELERATION: PhaseGroup.INCUBATION,
    PhaseSlug.CONSOLIDATION: PhaseGroup.INCUBATION,
    PhaseSlug.OPERE: PhaseGroup.LIVING,
    PhaseSlug.TRANSFERE: PhaseGroup.LIVING,
    PhaseSlug.ABANDON_INVESTIGATION: PhaseGroup.STOPPED,
    PhaseSlug.ABANDON: PhaseGroup.STOPPED,
}


def lifecycle_rank(field: str = "phase") -> Case:
    """SQL expression of `PhaseSlug.rank` for the phase slug stored in `field`."""
    return Case(
        *(When(**{field: phase.value}, then=Value(phase.rank)) for phase in PhaseSlug),
        output_field=IntegerField(),
    )


def next_starts(history: Sequence[tuple[str, datetime.date]]) -> list[datetime.date | None]:
    """For one startup's phases (slug, start), in any order: the start of each one's next phase.

    Phases follow each other by start date, and on the same day by lifecycle (PhaseSlug): a
    phase overridden the day it starts gets its own start as next start (an empty period);
    the last phase has none.
    """
    order = sorted(
        range(len(history)), key=lambda i: (history[i][1], PhaseSlug(history[i][0]).rank)
    )
    following: list[datetime.date | None] = [None] * len(history)
    for current, nxt in itertools.pairwise(order):
        following[current] = history[nxt][1]
    return following


class ContentFile(models.Model):
    """What a content file holds beyond the modelled fields, so that exporting loses nothing."""

    front_matter_keys = models.JSONField(
        "clés du fichier source",
        default=list,
        blank=True,
        help_text="Ordre des clés du front matter d’origine, repris à l’export.",
    )
    extra_front_matter = models.TextField(
        "autres champs (YAML)",
        blank=True,
        help_text="Champs du front matter que le site ne gère pas, conservés tels quels.",
    )

    class Meta:
        abstract = True


# The dates a history may hold: a typo such as 0001 or 9999 would stretch every series of
# the statistics over centuries (the network started in 2013).
PLAUSIBLE_DATES = (datetime.date(2000, 1, 1), datetime.date(2099, 12, 31))


def validate_plausible_date(day: datetime.date) -> None:
    first, last = PLAUSIBLE_DATES
    if not first <= day <= last:
        raise ValidationError(
            f"Date invraisemblable ({day.day:02}/{day.month:02}/{day.year:04}) : elle doit "
            f"tomber entre le 1er janvier "
            f"{first.year} et le 31 décembre {last.year}.",
            code="implausible_date",
        )


# A save this long after a startup came counts as an edit (an import or a creation saves
# several times within seconds).
EDITED_AFTER = datetime.timedelta(minutes=10)

# The site whose content this is: some of its paths are links to it.
BETAGOUV_SITE = "https://beta.gouv.fr"


class Phase(models.Model):
    """A stage of a startup's life; its texts come from the content's `_phases` folder."""

    slug = models.CharField("identifiant", max_length=32, primary_key=True, choices=PhaseSlug)
    label = models.CharField("libellé", max_length=100)
    order = models.PositiveSmallIntegerField("ordre d’affichage")
    description = models.TextField("description", blank=True)
    documentation_url = models.CharField("documentation", max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["order"]
        verbose_name = "phase"
        constraints = [
            models.CheckConstraint(
                condition=Q(slug__in=PhaseSlug.values), name="startups_phase_slug_known"
            )
        ]

    def __str__(self) -> str:
        return self.label

    def get_absolute_url(self) -> str:
        return reverse("startups:phase_detail", args=[self.slug])

    @property
    def label_for_one(self) -> str:
        """The phase of one startup: « Arrêté », where the content's label names them all
        (« Services arrêtés », « Investigations non concluantes »)."""
        return PhaseSlug(self.slug).label

    @property
    def documentation_link(self) -> str:
        """`documentation_url` as a link: the content gives a path on beta.gouv.fr
        (/approche/construction), which is not a page of this site."""
        url = self.documentation_url
        return BETAGOUV_SITE + url if url.startswith("/") else url

    @property
    def lifecycle(self) -> PhaseSlug:
        return PhaseSlug(self.slug)

    @property
    def group(self) -> PhaseGroup:
        return self.lifecycle.group


class OrganisationKind(models.TextChoices):
    CENTRAL = "administration-centrale", "Administration centrale"
    OPERATOR = "operateur", "Opérateur"
    DECENTRALISED = "service-deconcentre", "Service déconcentré"
    SOCIAL_SECURITY = "securite-sociale", "Sécurité sociale"
    LOCAL_AUTHORITY = "collectivite-territoriale", "Collectivité territoriale"
    OTHER = "autre", "Autre"


class MinisterialDomain(models.TextChoices):
    AFFAIRES_ETRANGERES = "affaires-etrangeres", "Affaires étrangères"
    AGRICULTURE = "agriculture", "Agriculture"
    ARMEES = "armees", "Armées"
    BERCY = "bercy", "Économie et finances"
    CULTURE = "culture", "Culture"
    EDUCATION = "education", "Éducation nationale"
    ENSEIGNEMENT_SUP = "enseignement-sup", "Enseignement supérieur et recherche"
    ENVIRONNEMENT = "environnement", "Transition écologique"
    INTERIEUR = "interieur", "Intérieur"
    JUSTICE = "justice", "Justice"
    SOLIDARITE_SANTE = "solidarite-sante", "Solidarités et santé"
    SPM = "spm", "Services du Premier ministre"
    SPORT = "sport", "Sports"
    TERRITOIRES = "territoires", "Cohésion des territoires"
    TRAVAIL = "travail", "Travail et emploi"
    AUTRES = "autres", "Autres"


class Organisation(Searchable, ContentFile):
    """A public organisation that sponsors (funds) startups or owns an incubator."""

    slug = content_slug_field(unique=True)
    name = models.CharField("nom", max_length=300)
    acronym = models.CharField("sigle", max_length=300, blank=True)
    kind = models.CharField("type", max_length=50, choices=OrganisationKind)
    ministerial_domain = models.CharField(
        "domaine ministériel", max_length=50, choices=MinisterialDomain
    )
    description = models.TextField("description (Markdown)", blank=True)

    objects = SearchQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["search_text"])
    search_fields = ("name", "acronym", "slug")

    class Meta:
        ordering = ["name"]
        verbose_name = "organisation"

    def __str__(self) -> str:
        return self.acronym if self.acronym and self.acronym != self.name else self.name

    def get_absolute_url(self) -> str:
        return reverse("startups:organisation_detail", args=[self.slug])


class Incubator(Searchable, ContentFile):
    """A structure of the beta.gouv.fr network that hosts startups."""

    slug = content_slug_field(unique=True)
    title = models.CharField("nom", max_length=300)
    owner = models.ForeignKey(
        Organisation,
        verbose_name="organisation porteuse",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incubators_owned",
    )
    short_description = models.TextField("description courte", blank=True)
    description = models.TextField("description (Markdown)", blank=True)
    address = models.CharField("adresse", max_length=300, blank=True)
    contact = models.CharField("contact", max_length=300, blank=True)
    website = models.URLField("site web", max_length=500, blank=True)
    github = models.URLField("GitHub", max_length=500, blank=True)
    logo = models.CharField("logo", max_length=300, blank=True)
    hidden = models.BooleanField("masqué", default=False)
    redirect_from = models.JSONField("anciennes adresses", default=list, blank=True)
    highlighted_startups = models.ManyToManyField(
        "Startup",
        verbose_name="startups mises en avant",
        through="HighlightedStartup",
        related_name="highlighted_by",
        blank=True,
    )

    objects = SearchQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["search_text"])
    search_fields = ("title", "short_description", "slug")

    class Meta:
        ordering = ["title"]
        verbose_name = "incubateur"

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("startups:incubator_detail", args=[self.slug])


class Thematique(models.Model):
    """A theme a startup works on (« Santé », « Logement »...), as written in the content."""

    name = models.CharField("nom", max_length=100, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "thématique"

    def __str__(self) -> str:
        return self.name


# The codes beta.gouv.fr's forms write in `usertypes` (495 of the 662 real startups), as a
# reader says them; other values are free text, shown as written.
USERTYPE_LABELS = {
    "etat": "Administrations de l’État",
    "particulier": "Particuliers",
    "collectivite-territoriale": "Collectivités territoriales",
    "entreprise": "Entreprises",
    "association": "Associations",
    "etablissement-scolaire": "Établissements scolaires",
    "parlement": "Parlement",
}


def usertype_label(name: str) -> str:
    return USERTYPE_LABELS.get(name, name)


class Usertype(models.Model):
    """A kind of user a startup serves (« particulier », « collectivité »...)."""

    name = models.CharField("nom", max_length=100, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "type d’usager"
        verbose_name_plural = "types d’usagers"

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return usertype_label(self.name)


def phase_in_effect_on(day: datetime.date) -> FilteredRelation:
    """A startup's phase row in effect on `day`, as a relation to join (at most one row).

    The same rule as `StartupPhaseQuerySet.in_effect_on`, as a LEFT JOIN rather than a
    subquery per startup: the database computes it for 66,000 startups in one pass.
    """
    return FilteredRelation(
        "phases",
        condition=Q(phases__start__lte=day)
        & (Q(phases__next_start__isnull=True) | Q(phases__next_start__gt=day)),
    )


# The earliest day this thread stored current phases or activities as of, since its last
# bump: `PortfolioVersion.bump` keeps the version row's `current_on` at most that day.
_stored_as_of: ContextVar[datetime.date | None] = ContextVar("stored_as_of", default=None)


def stored_as_of_today() -> datetime.date:
    """Today's date, for a write that stores current phases or activities as of it."""
    today = timezone.localdate()
    earliest = _stored_as_of.get()
    if earliest is None or today < earliest:
        _stored_as_of.set(today)
    return today


def _current_phase_columns() -> dict[str, Subquery]:
    """The stored current phase, for an update of startups: the phase on today's date, its
    start and display order, and the day it changes (the next start after today)."""
    today = stored_as_of_today()
    current = StartupPhase.objects.filter(startup=OuterRef("pk")).in_effect_on(today)
    following = StartupPhase.objects.filter(startup=OuterRef("pk"), start__gt=today)
    return {
        "phase": Subquery(current.values("phase")[:1]),
        "phase_since": Subquery(current.values("start")[:1]),
        "phase_order": Subquery(current.values("phase__order")[:1]),
        "phase_until": Subquery(following.order_by("start").values("start")[:1]),
    }


# A startup's file can ask search engines not to index its page (`robots: noindex`, two in
# the real content, kept among the keys the site does not model).
NOT_INDEXED_LINE = "robots: noindex"
ASKS_NOT_TO_BE_INDEXED = Q(extra_front_matter__contains=NOT_INDEXED_LINE)


class StartupQuerySet(SearchQuerySet):
    def indexable(self) -> StartupQuerySet:
        """These startups but those asking not to be indexed (`asks_not_to_be_indexed`): the
        few are found by a partial index, the others' text is never read."""
        hidden = Startup.objects.filter(ASKS_NOT_TO_BE_INDEXED).values("pk")
        return self.exclude(pk__in=hidden)

    def with_phase_on(self, day: datetime.date) -> StartupQuerySet:
        """Annotate `phase_on`: each startup's phase slug on `day` (None before its first);
        today's is the stored one."""
        if day == timezone.localdate():
            return self.annotate(phase_on=F("phase_id"))
        return self.alias(period_on=phase_in_effect_on(day)).annotate(
            phase_on=F("period_on__phase")
        )

    def with_current_phase(self) -> StartupQuerySet:
        """Annotate `current_phase` (the slug of the phase on today's date, None before the
        first) and `current_phase_start`, from the stored current phase (module docstring).
        Order by its display order with `F("phase_order")`."""
        return self.annotate(current_phase=F("phase_id"), current_phase_start=F("phase_since"))

    def store_phase_dates(self) -> None:
        """Recompute what these startups' phase histories imply, after any change to them:
        each row's `next_start`, each startup's `launched_on` and current phase.

        Saving or deleting a phase does it (`startups.signals`); bulk writers call it.
        """
        StartupPhase.objects.filter(startup__in=self.values("pk")).store_next_starts()
        self.store_dates_from_periods()

    def store_dates_from_periods(self) -> int:
        """Set `launched_on` (the start of the first phase, None without any) and the current
        phase (`_current_phase_columns`) in one statement; return how many startups were
        updated. Needs the rows' `next_start` up to date (`store_phase_dates`)."""
        first = StartupPhase.objects.filter(startup=OuterRef("pk")).order_by("start")
        return self.update(
            launched_on=Subquery(first.values("start")[:1]), **_current_phase_columns()
        )

    def refresh_current_phases(self) -> int:
        """Store again the current phase of the startups whose phase changed by itself since
        it was stored (`phase_until` has come); return how many there were."""
        return self.filter(phase_until__lte=timezone.localdate()).update(**_current_phase_columns())

    def in_phase_on(self, phases: Iterable[str], day: datetime.date) -> StartupQuerySet:
        """The startups whose phase on `day` is one of `phases`."""
        return self.with_phase_on(day).filter(phase_on__in=list(phases))

    def phase_counts_on(self, day: datetime.date) -> dict[str, int]:
        """How many startups are in each phase on `day`, every phase listed, in one query.

        Startups with no phase yet on `day` are not counted. Today's are the stored ones
        (an index, where the history is a scan of every phase row).
        """
        if day == timezone.localdate():
            # Distinct when filtered: a filter's join may give a startup twice (the index gives
            # them sorted). All startups are each one row: counting rows reads the index alone.
            total = Count("pk", distinct=True) if self.query.has_filters() else Count("*")
            rows = self.exclude(phase=None).order_by().values_list("phase").annotate(total=total)
        else:
            in_effect = self._phases().in_effect_on(day)
            rows = in_effect.order_by().values_list("phase").annotate(total=Count("*"))
        counts = dict.fromkeys(PhaseSlug.values, 0)
        counts.update(rows)
        return counts

    def _phases(self) -> StartupPhaseQuerySet:
        """The phase rows of these startups (all rows when the queryset is not filtered)."""
        phases = StartupPhase.objects.all()
        return phases.filter(startup__in=self.values("pk")) if self.query.has_filters() else phases

    def phase_counts_by_month(self, until: datetime.date) -> list[tuple[datetime.date, dict]]:
        """Counts per phase at the end of every month, from the first phase's month to `until`
        (none when no phase has started): `phase_counts_at_month_ends`, and the month of
        `until` counted on `until` itself (`phase_counts_on`). Nothing loops over startups.
        """
        month_ends = self.phase_counts_at_month_ends(until)
        if month_ends is None:
            return []
        return [*month_ends, (until, self.phase_counts_on(until))]

    def phase_counts_at_month_ends(
        self, until: datetime.date
    ) -> list[tuple[datetime.date, dict]] | None:
        """Counts per phase at the end of every month before the month of `until`, from the
        first phase's month on; None when no phase has started at all.

        Two grouped queries (phases entered, phases left, per month) and a running sum over
        the months.
        """
        # A phase overridden the day it starts enters and leaves in the same month: it cancels.
        phases = self._phases()
        entered = _monthly(phases, "start")
        left = _monthly(phases.exclude(next_start=None), "next_start")
        if not entered:
            return None
        month = min(entered)[0]
        last = until.replace(day=1)
        counts = dict.fromkeys(PhaseSlug.values, 0)
        series = []
        while month < last:
            for phase in counts:
                counts[phase] += entered.get((month, phase), 0) - left.get((month, phase), 0)
            following = (month + datetime.timedelta(days=32)).replace(day=1)
            series.append((following - datetime.timedelta(days=1), dict(counts)))
            month = following
        return series

    def incubated_by(self, incubator: Incubator) -> StartupQuerySet:
        """Startups hosted by `incubator`, co-incubation included."""
        return self.filter(incubators=incubator)

    def sponsored_by(self, organisation: Organisation) -> StartupQuerySet:
        """Startups `organisation` sponsors (funds)."""
        return self.filter(sponsors=organisation)

    def in_ministerial_domain(self, domain: str) -> StartupQuerySet:
        """Startups with a sponsor in ministerial `domain` (each startup once)."""
        sponsored = StartupSponsor.objects.filter(ministerial_domain=domain)
        return self.filter(pk__in=sponsored.values("startup"))

    def phase_counts_per(self, relation: str, day: datetime.date) -> dict[int, dict[str, int]]:
        """`phase_counts_on(day)` for each related object at once, in one query.

        `relation` is a many-to-many of Startup (`incubators`, `sponsors`): the result maps
        each related id to its counts per phase (every phase listed); a co-incubated startup
        counts for each of its incubators.
        """
        rows = (
            self.with_phase_on(day)
            .exclude(phase_on=None)
            .order_by()
            .values_list(relation, "phase_on")
            .annotate(total=Count("*"))
        )
        phases = PhaseSlug.values  # Computed anew by each access: once, not once per row.
        counts: dict[int, dict[str, int]] = {}
        for related_id, phase, total in rows:
            if related_id not in counts:
                counts[related_id] = dict.fromkeys(phases, 0)
            counts[related_id][phase] = total
        return counts

    def first_per_phase_on(self, day: datetime.date, per_phase: int) -> StartupQuerySet:
        """The first `per_phase` startups by name of each phase on `day`, in one query.

        For pages that show a few startups of every phase and link to the full list. By name
        means in the lists' order (`startups.pages.alphabetical`): accents and case ignored.
        The ranking reads only the columns it needs; the rows, as this queryset defines them,
        are read for the few startups it keeps.
        """
        ranked = (
            self.with_phase_on(day)
            .exclude(phase_on=None)
            # Named: Django cannot order the query it wraps around a filtered window by an
            # unnamed expression.
            .annotate(name_key=name_key())
            .annotate(
                rank_in_phase=Window(
                    RowNumber(),
                    partition_by=F("phase_on"),
                    order_by=(F("name_key"), F("title"), F("pk")),
                )
            )
            .filter(rank_in_phase__lte=per_phase)
            .values("pk")
        )
        return self.filter(pk__in=ranked).with_phase_on(day).order_by(name_key(), "title", "pk")

    def for_listing(self) -> StartupQuerySet:
        return self.select_related("incubator").with_current_phase()


class MonthStart(TruncMonth):
    """The first day of a date column's month, as a date.

    On PostgreSQL, `TruncMonth` of a date truncates it as a timestamp with time zone, through
    the session's time zone, row by row; truncating a plain timestamp gives the same day and
    is about a fifth faster over the 159,000 phase rows of 100 times the data.
    """

    def as_postgresql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.lhs)
        return f"DATE_TRUNC('month', ({sql})::timestamp)::date", params


class DaysBetween(models.Func):
    """The number of days from the date column `start` to `end`, as an integer.

    Django's difference of two dates is an interval; sorting the 88,000 periods of 100 times
    the data by an integer instead halves the time of the phases' durations on PostgreSQL.
    """

    arg_joiner = " - "
    output_field = IntegerField()

    def __init__(self, start: str, end: str) -> None:
        super().__init__(F(end), F(start))

    def as_sql(self, compiler, connection, **extra_context):
        raise NotSupportedError(f"DaysBetween: PostgreSQL and SQLite only, not {connection.vendor}")

    def as_postgresql(self, compiler, connection, **extra_context):
        # date - date is the number of days between them.
        return super().as_sql(compiler, connection, template="(%(expressions)s)", **extra_context)

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(
            compiler,
            connection,
            template="CAST(JULIANDAY(%(expressions)s) AS INTEGER)",
            arg_joiner=") - JULIANDAY(",
            **extra_context,
        )


def _monthly(periods: models.QuerySet, date_field: str) -> dict[tuple[datetime.date, str], int]:
    rows = (
        periods.annotate(month=MonthStart(date_field))
        .order_by()
        .values_list("month", "phase")
        .annotate(total=Count("*"))
    )
    return {(month, phase): total for month, phase, total in rows}


def usage_statistics_url(stats_url: str, stats: bool, link: str) -> str:
    """Where a startup publishes its usage statistics: `stats_url`, or its service's `/stats`
    page when the content says it has one (`stats: true`, beta.gouv.fr's convention); ""
    when neither. For rows read as values (the API) as for startups (`Startup`'s property).
    """
    if stats_url:
        return stats_url
    if stats and link:
        return link.rstrip("/") + "/stats"
    return ""


def count_per_year(rows: models.QuerySet, date_field: str) -> dict[int, int]:
    """How many of `rows` fall in each year of their `date_field`, in one query; rows
    without that date are not counted.

    The database groups by the day and the days are summed into years here: it then reads
    the date's index alone instead of computing a year for every row (the arrivals of the
    348,000 members of 100 times the data: 12 ms against 35). At most 366 rows a year.
    """
    per_day = rows.order_by().values_list(date_field).annotate(total=Count("*"))
    years: dict[int, int] = {}
    for day, total in per_day:
        if day is not None:
            years[day.year] = years.get(day.year, 0) + total
    return years


def count_groups(phase_counts: dict[str, int]) -> dict[PhaseGroup, int]:
    """Totals per group (in incubation, living service, stopped) of counts per phase."""
    return {
        group: sum(phase_counts[phase] for phase in PhaseSlug.in_group(group))
        for group in PhaseGroup
    }


def count_active(phase_counts: dict[str, int]) -> int:
    """How many are active, as beta.gouv.fr defines it (see PhaseSlug.counts_as_active)."""
    return sum(phase_counts[phase] for phase in PhaseSlug if phase.counts_as_active)


# What a startup stores because its phase history implies it (`store_phase_dates`).
STORED_DATES = ("launched_on", "phase", "phase_since", "phase_order", "phase_until")


class Startup(Searchable, ContentFile):
    """A public digital service built by a small autonomous team."""

    class AccessibilityStatus(models.TextChoices):
        NON_COMPLIANT = "non conforme", "Non conforme"
        PARTIAL = "partiellement conforme", "Partiellement conforme"
        FULL = "totalement conforme", "Totalement conforme"

    slug = content_slug_field(unique=True)
    title = models.CharField("nom", max_length=300)
    mission = models.TextField("mission")
    description = models.TextField("description (Markdown)", blank=True)
    incubator = models.ForeignKey(
        Incubator,
        verbose_name="incubateur principal",
        on_delete=models.PROTECT,
        related_name="main_startups",
    )
    incubators = models.ManyToManyField(
        Incubator,
        verbose_name="incubateurs",
        through="StartupIncubator",
        related_name="startups",
        help_text="Tous les incubateurs, le principal compris (co-incubation).",
    )
    sponsors = models.ManyToManyField(
        Organisation,
        verbose_name="sponsors",
        through="StartupSponsor",
        related_name="sponsored_startups",
        blank=True,
    )
    thematiques = models.ManyToManyField(
        Thematique, through="StartupThematique", related_name="startups", blank=True
    )
    usertypes = models.ManyToManyField(
        Usertype,
        verbose_name="types d’usagers",
        through="StartupUsertype",
        related_name="startups",
        blank=True,
    )
    techno = models.JSONField("technologies", default=list, blank=True)
    contact = models.CharField("contact", max_length=300, blank=True)
    contact_dinum = models.CharField("contact DINUM", max_length=300, blank=True)
    contact_incubator = models.CharField("contact incubateur", max_length=300, blank=True)
    link = models.URLField("site du service", max_length=500, blank=True)
    repository = models.URLField("code source", max_length=500, blank=True)
    stats = models.BooleanField("page de statistiques (/stats)", null=True, blank=True)
    stats_url = models.URLField("statistiques", max_length=500, blank=True)
    budget_url = models.URLField("budget", max_length=500, blank=True)
    impact_url = models.URLField("impact", max_length=500, blank=True)
    dashlord_url = models.URLField("DashLord", max_length=500, blank=True)
    analyse_risques = models.BooleanField("analyse de risques faite", null=True, blank=True)
    analyse_risques_url = models.URLField("analyse de risques", max_length=500, blank=True)
    mon_service_securise = models.BooleanField("MonServiceSécurisé", null=True, blank=True)
    accessibility_status = models.CharField(
        "accessibilité", max_length=50, choices=AccessibilityStatus, blank=True
    )
    fast_promotion = models.PositiveSmallIntegerField("promotion FAST", null=True, blank=True)
    fast_amount = models.PositiveIntegerField("montant FAST (€)", null=True, blank=True)
    redirect_from = models.JSONField("anciennes adresses", default=list, blank=True)
    launched_on = models.DateField(
        "lancée le",
        null=True,
        blank=True,
        editable=False,
        db_index=True,
        help_text="Calculé : le début de sa première phase.",
    )
    # The current phase, stored (see the module docstring).
    phase = models.ForeignKey(
        Phase,
        verbose_name="phase actuelle",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # startups_in_phase
    )
    phase_since = models.DateField("phase actuelle depuis le", null=True, editable=False)
    phase_order = models.PositiveSmallIntegerField(null=True, editable=False)
    phase_until = models.DateField(
        "prochain changement de phase", null=True, editable=False, db_index=True
    )
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    updated_at = models.DateTimeField("mise à jour le", auto_now=True)

    objects = StartupQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["search_text", "updated_at", *STORED_DATES])
    search_fields = ("title", "mission", "description")

    class Meta:
        ordering = ["title"]
        verbose_name = "startup"
        indexes = [
            # The sitemap dates its section by the latest change.
            models.Index(fields=["updated_at"], name="startups_startup_updated"),
            # The list's orders, by current phase then name, and by name
            # (`StartupFilter.sorted`): a page reads a few index entries, sorts nothing.
            models.Index(F("phase_order"), name_key(), "title", "id", name="startups_by_phase"),
            models.Index(name_key(), "title", "id", name="startups_by_name"),
            # The ids of the startups in some phases, read from the index alone: the filters'
            # semi-joins and counts never read the rows (136 MB of text at 100 times the data).
            models.Index(fields=["phase", "id"], name="startups_in_phase"),
            # On PostgreSQL, (phase, launched_on DESC NULLS LAST) serves the latest launches of
            # a phase (`?phase=…&sort=-launch`): created by migration 0008, as SQLite refuses
            # NULLS LAST in an index; (launched_on DESC NULLS LAST) the latest launches with
            # other filters (migration 0016).
            # The few startups with old addresses (`startups.legacy.old_addresses`), without
            # scanning the others: 34 ms at 100 times the data, on the first 404 of a version.
            models.Index(
                fields=["slug"], condition=~Q(redirect_from=[]), name="startups_with_old_addresses"
            ),
            # The few startups asking not to be indexed (`StartupQuerySet.indexable`), without
            # reading every startup's text: the sitemap's count, 79 -> 12 ms at 100 times the data.
            models.Index(
                fields=["id"], condition=ASKS_NOT_TO_BE_INDEXED, name="startups_not_indexed"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        """Save, then store again what the phases imply: a form loaded before a phase changed
        writes back its old `launched_on`, and phases changed by a bulk update must stay
        consistent. In one transaction, so that nobody reads the new version of the
        portfolio with the old dates."""
        with transaction.atomic():
            super().save(*args, **kwargs)
            Startup.objects.filter(pk=self.pk).store_phase_dates()
        self.refresh_from_db(fields=STORED_DATES)

    def get_absolute_url(self) -> str:
        return reverse("startups:startup_detail", args=[self.slug])

    @property
    def fast_funding(self) -> str:
        """« promotion 3, 150 000 € »: its FAST funding as the content gives it ("" if none)."""
        parts = [f"promotion {self.fast_promotion}"] if self.fast_promotion else []
        if self.fast_amount:
            parts.append(f"{intcomma(self.fast_amount)} €")
        return ", ".join(parts)

    @property
    def edited_on(self) -> datetime.date | None:
        """The day the startup last changed after it came to the site (imported, or created
        in the admin), None if it has not: until then `updated_at` says when the site got it
        (the day of the first import, for all of them), not when its facts changed."""
        if self.updated_at - self.created_at < EDITED_AFTER:
            return None
        return timezone.localdate(self.updated_at)

    @property
    def usage_statistics_url(self) -> str:
        return usage_statistics_url(self.stats_url, self.stats, self.link)

    @property
    def asks_not_to_be_indexed(self) -> bool:
        """Whether the file asks search engines not to index the page (`indexable`)."""
        return NOT_INDEXED_LINE in self.extra_front_matter

    def phase_on(self, day: datetime.date) -> StartupPhase | None:
        """This startup's phase on `day` (see the module docstring for the rule)."""
        return self.phases.in_effect_on(day).select_related("phase").first()

    def current_phase(self) -> StartupPhase | None:
        return self.phase_on(timezone.localdate())


class StartupIncubator(models.Model):
    """An incubator hosting a startup; several when the startup is co-incubated."""

    startup = models.ForeignKey(Startup, on_delete=models.CASCADE)
    incubator = models.ForeignKey(Incubator, on_delete=models.PROTECT)
    position = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["position"]
        verbose_name = "incubateur de la startup"
        verbose_name_plural = "incubateurs de la startup"
        constraints = [
            models.UniqueConstraint(
                fields=["startup", "incubator"], name="startups_incubator_once_per_startup"
            )
        ]

    def __str__(self) -> str:
        return f"{self.startup} — {self.incubator}"


class StartupSponsorQuerySet(models.QuerySet):
    def store_domains(self) -> int:
        """Copy their organisation's ministerial domain onto these rows where it differs;
        return how many differed."""
        domain = Subquery(
            Organisation.objects.filter(pk=OuterRef("organisation_id")).values(
                "ministerial_domain"
            )[:1]
        )
        return (
            self.annotate(domain=domain)
            .exclude(ministerial_domain=F("domain"))
            .update(ministerial_domain=domain)
        )


class StartupSponsor(models.Model):
    """An organisation sponsoring a startup.

    The row keeps a copy of the organisation's ministerial domain: counting startups per
    domain (the list's facet, the statistics) then reads one table, and its index on
    (domain, startup) alone: 8 ms instead of 37 at 100 times the data. A save copies it; an
    organisation's save, links added in bulk and imports store it again (`store_domains`).
    """

    startup = models.ForeignKey(Startup, on_delete=models.CASCADE)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT)
    position = models.PositiveSmallIntegerField(default=0)
    # The database's default serves rows inserted by code that does not know the column yet
    # (the previous release, during a deploy); the next save or import stores the domain.
    ministerial_domain = models.CharField(
        "domaine ministériel",
        max_length=50,
        choices=MinisterialDomain,
        editable=False,
        db_default="",
    )

    objects = StartupSponsorQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["ministerial_domain"])

    class Meta:
        ordering = ["position"]
        verbose_name = "sponsor"
        constraints = [
            models.UniqueConstraint(
                fields=["startup", "organisation"], name="startups_sponsor_once_per_startup"
            )
        ]
        indexes = [
            models.Index(fields=["ministerial_domain", "startup"], name="startups_sponsor_domain")
        ]

    def __str__(self) -> str:
        return f"{self.startup} — {self.organisation}"

    def save(self, *args, **kwargs) -> None:
        self.ministerial_domain = self.organisation.ministerial_domain
        super().save(*args, **kwargs)


class StartupThematique(models.Model):
    """A thematique of a startup."""

    startup = models.ForeignKey(Startup, on_delete=models.CASCADE)
    thematique = models.ForeignKey(Thematique, on_delete=models.CASCADE)
    position = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(
                fields=["startup", "thematique"], name="startups_thematique_once_per_startup"
            )
        ]

    def __str__(self) -> str:
        return f"{self.startup} — {self.thematique}"


class StartupUsertype(models.Model):
    """A usertype of a startup."""

    startup = models.ForeignKey(Startup, on_delete=models.CASCADE)
    usertype = models.ForeignKey(Usertype, on_delete=models.CASCADE)
    position = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(
                fields=["startup", "usertype"], name="startups_usertype_once_per_startup"
            )
        ]

    def __str__(self) -> str:
        return f"{self.startup} — {self.usertype}"


class HighlightedStartup(models.Model):
    """A startup an incubator puts forward on its page."""

    incubator = models.ForeignKey(Incubator, on_delete=models.CASCADE)
    startup = models.ForeignKey(Startup, on_delete=models.CASCADE)
    position = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["position"]
        verbose_name = "startup mise en avant"
        verbose_name_plural = "startups mises en avant"
        constraints = [
            models.UniqueConstraint(
                fields=["incubator", "startup"], name="startups_highlight_once_per_incubator"
            )
        ]

    def __str__(self) -> str:
        return f"{self.incubator} — {self.startup}"


class StartupPhaseQuerySet(models.QuerySet):
    def in_effect_on(self, day: datetime.date) -> StartupPhaseQuerySet:
        """The rows that are their startup's phase on `day`: at most one per startup."""
        return self.filter(Q(next_start__isnull=True) | Q(next_start__gt=day), start__lte=day)

    def with_period_end(self) -> StartupPhaseQuerySet:
        """Annotate `period_end` (= `next_start`) and `rank` (lifecycle rank, for ordering).

        Each row is the startup's phase on the days start <= D < period_end; a phase
        overridden by another starting the same day has period_end == start: an empty period.
        """
        return self.annotate(rank=lifecycle_rank(), period_end=F("next_start"))

    def entries_by(self, day: datetime.date) -> StartupPhaseQuerySet:
        """The phase changes that happened on or before `day`.

        A phase counts as entered when it started on or before `day` and its period is not
        empty: a phase overridden by another starting the same day (investigation and
        construction on one date) was never in effect, so it is no move. A phase dated after
        `day` has not happened yet.
        """
        return self.filter(
            Q(next_start__isnull=True) | Q(next_start__gt=F("start")), start__lte=day
        ).annotate(rank=lifecycle_rank())

    def completed_by(self, day: datetime.date) -> StartupPhaseQuerySet:
        """Periods over on `day`, with `period_end` as in `with_period_end`.

        A period is completed when the next phase started after it, on or before `day`; a
        phase still in effect on `day`, or overridden the day it started, is not completed.
        Its length is `period_end - start` days.
        """
        return self.with_period_end().filter(next_start__gt=F("start"), next_start__lte=day)

    def store_next_starts(self) -> int:
        """Recompute `next_start` for the startups of these rows; return how many changed.

        Part of `StartupQuerySet.store_phase_dates()`, which callers use.
        """
        rows = StartupPhase.objects.filter(
            startup_id__in=self.values("startup_id").distinct()
        ).values_list("pk", "startup_id", "phase_id", "start", "next_start")
        histories: dict[int, list[tuple]] = {}
        for row in rows:
            histories.setdefault(row[1], []).append(row)
        changed = []
        for history in histories.values():
            following = next_starts([(phase, start) for _, _, phase, start, _ in history])
            for (pk, _, _, _, stored), computed in zip(history, following, strict=True):
                if stored != computed:
                    changed.append(StartupPhase(pk=pk, next_start=computed))
        StartupPhase.objects.bulk_update(changed, ["next_start"], batch_size=1000)
        return len(changed)


class StartupPhase(models.Model):
    """A phase in a startup's history: the phase it entered on `start`."""

    startup = models.ForeignKey(Startup, on_delete=models.CASCADE, related_name="phases")
    phase = models.ForeignKey(Phase, on_delete=models.PROTECT, related_name="+")
    start = models.DateField("début", validators=[validate_plausible_date])
    end = models.DateField(
        "fin déclarée",
        null=True,
        blank=True,
        help_text="Indicative, reprise du contenu ; la phase suivante commence à sa propre date.",
        validators=[validate_plausible_date],
    )
    comment = models.TextField("commentaire", blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    next_start = models.DateField(
        "début de la phase suivante",
        null=True,
        blank=True,
        editable=False,
        help_text="Calculé : la phase est en vigueur du début (inclus) à cette date (exclue).",
    )

    objects = StartupPhaseQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["next_start"])

    class Meta:
        ordering = ["start", "position"]
        verbose_name = "phase de la startup"
        verbose_name_plural = "historique des phases"
        constraints = [
            # As upstream (its CI rejects "Duplicated phases"), a startup enters each phase once.
            # Two phases on one day are legitimate (56 real startups): see PhaseSlug.
            models.UniqueConstraint(fields=["startup", "phase"], name="startups_phase_once"),
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=F("start")),
                name="startups_phase_dates_ordered",
            ),
        ]
        indexes = [
            models.Index(fields=["startup", "start"], name="startups_phase_history"),
            models.Index(fields=["start", "next_start"], name="startups_phase_period"),
        ]

    def __str__(self) -> str:
        return f"{self.startup} : {self.phase_id} depuis le {self.start:%d/%m/%Y}"


class EventKind(models.TextChoices):
    COMMITTEE = "committee", "Comité d’investissement"
    PRODUCT_LAUNCH = "product_launch", "Lancement du produit"
    NATIONAL_IMPACT = "national_impact", "Impact national"
    FAST = "fast", "Financement FAST"
    EIG = "eig", "Entrepreneurs d’intérêt général"
    END = "end", "Fin"
    OTHER = "other", "Autre"


class Event(models.Model):
    """A dated milestone in a startup's life (investment committee, launch...)."""

    startup = models.ForeignKey(Startup, on_delete=models.CASCADE, related_name="events")
    name = models.CharField("événement", max_length=50, choices=EventKind)
    date = models.DateField("date", validators=[validate_plausible_date])
    comment = models.TextField("commentaire", blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["date", "position"]
        verbose_name = "événement"

    def __str__(self) -> str:
        return f"{self.get_name_display()} ({self.date:%d/%m/%Y})"


class PortfolioVersion(models.Model):
    """One row that changes with every write to the portfolio, whatever its origin.

    Pages, downloads and the API derive their ETag, Last-Modified and cache keys from it, so
    that an edit is visible on the next request from any app server (the row lives in the
    database, not in a per-process memory). Model saves and deletes bump it through signals
    (`startups.signals`); bulk writers (import, demo data) call `bump()` themselves.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    number = models.PositiveBigIntegerField(default=0)
    changed_at = models.DateTimeField(default=timezone.now)
    # The day the stored current phases and activities were last made today's (None: not
    # known). Every writer stores them as of its own day (`store_phase_dates`,
    # `store_mission_dates`), so they only go stale when a day passes: the first request of a
    # day stores them again (`stamp`).
    current_on = models.DateField(null=True, editable=False)

    class Meta:
        verbose_name = "version du portefeuille"
        constraints = [models.CheckConstraint(condition=Q(id=1), name="startups_single_version")]

    def __str__(self) -> str:
        return f"version {self.number} du {self.changed_at:%d/%m/%Y %H:%M}"

    @classmethod
    def current(cls) -> PortfolioVersion:
        return cls.objects.get_or_create(id=1)[0]

    @classmethod
    def stamp(cls) -> tuple[int, datetime.datetime]:
        """(number, changed_at) of the current version, read by every request that shows the data.

        One primary-key lookup in plain SQL: on the path that serves cached pages, the ORM's
        query building cost more than the database's answer. It is the first query of every
        request that reads the data, so it also replaces a connection the server closed
        (`on_live_connection`). When the row says the stored current phases and activities
        are of an earlier day, they are stored again first (`refresh_current_phases`,
        `refresh_activity`), so that whoever reads this version reads today's.
        """
        row = on_live_connection(cls._stored_row)
        if row is None:
            version = cls.current()
            row = version.number, version.changed_at, version.current_on
        number, changed_at, current_on = row
        today = timezone.localdate()
        if isinstance(current_on, str):  # SQLite without converters
            current_on = datetime.date.fromisoformat(current_on)
        if current_on is None or current_on < today:
            cls.make_current(today, number)
        if isinstance(changed_at, str):
            changed_at = models.DateTimeField().to_python(changed_at)
        if settings.USE_TZ and timezone.is_naive(changed_at):
            changed_at = timezone.make_aware(changed_at, datetime.UTC)
        return number, changed_at

    @classmethod
    def _stored_row(cls) -> tuple | None:
        table = connection.ops.quote_name(cls._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT number, changed_at, current_on FROM {table} WHERE id = 1")
            return cursor.fetchone()

    @classmethod
    def make_current(cls, today: datetime.date, number: int) -> None:
        """Store today's current phases and activities where a day passing changed them, then
        mark the version `number` current on `today`. Two requests doing it at once store the
        same values. A write committed meanwhile (a new number) is not marked: this request
        could not see its rows, the next one will store them."""
        Startup.objects.refresh_current_phases()
        apps.get_model("members", "Member").objects.refresh_activity()  # members needs startups
        cls.objects.filter(id=1, number=number).update(current_on=today)
        # Stored by a request, not by a write: no bump follows to reset it.
        _stored_as_of.set(None)
        portfolio_changed.send(sender=cls)

    @classmethod
    def bump(cls) -> None:
        """A write happened: a new version. Its current phases and activities are stored as of
        its day (`stored_as_of_today`); if a request of a later day already marked the others
        current (a write begun before midnight), the row keeps the writer's day, so that the
        next request stores them again."""
        today = timezone.localdate()
        day = min(_stored_as_of.get() or today, today)
        _stored_as_of.set(None)
        current_on = Case(When(current_on__gt=day, then=Value(day)), default=F("current_on"))
        if not cls.objects.filter(id=1).update(
            number=F("number") + 1, changed_at=timezone.now(), current_on=current_on
        ):
            cls.objects.get_or_create(id=1, defaults={"number": 1, "current_on": day})
        portfolio_changed.send(sender=cls)
