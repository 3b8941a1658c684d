"""The people of the network, their missions, and the teams of the incubators.

The business rules about members are written once, here:

- a mission is active on day D when start <= D and (it has no end, or end >= D);
- a member is active on day D when one of their missions is;
- a member arrived on the start of their first mission, and left on the end of their last
  one once every mission has ended (a member who came back after a gap left only at the end
  of the last one); `Member.arrived_on` and `Member.left_on` store these two dates,
  `MemberQuerySet.store_mission_dates()` keeps them up to date after any change to missions;
- whether a member is active today is stored too (`Member.active`), with the day that may
  change by itself (`Member.active_until`: a mission starts, or the day after one ends):
  the first request of each day stores it again where that day has come
  (`PortfolioVersion.stamp`, as for the startups' current phase);
- a startup's team on day D is the members with a mission for it active on D; its alumni are
  the members who worked for it before D and have no mission for it active on D.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable

from django.db import connection, models, transaction
from django.db.models import Case, DateField, Exists, F, OuterRef, Q, Subquery, When
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from betagouv.search import Searchable, SearchQuerySet, name_key
from startups.models import (
    ContentFile,
    Incubator,
    Startup,
    StartupIncubator,
    content_slug_field,
    count_per_year,
    stored_as_of_today,
    validate_plausible_date,
)

# What a member stores because their missions imply it (`store_mission_dates`).
STORED_FROM_MISSIONS = ("arrived_on", "left_on", "active", "active_until")
GITHUB_LOGIN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$")


class Team(ContentFile):
    """A transverse team of an incubator (animation, portfolio managers...)."""

    slug = content_slug_field(unique=True)
    name = models.CharField("nom", max_length=300)
    mission = models.TextField("mission", blank=True)
    incubator = models.ForeignKey(
        Incubator, verbose_name="incubateur", on_delete=models.PROTECT, related_name="teams"
    )
    description = models.TextField("description (Markdown)", blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = "équipe"

    def __str__(self) -> str:
        return self.name


class MissionQuerySet(models.QuerySet):
    def active_on(self, day: datetime.date) -> MissionQuerySet:
        """Missions under way on `day`, both ends included."""
        return self.filter(Q(end__isnull=True) | Q(end__gte=day), start__lte=day)

    def for_startup(self, startup: Startup) -> MissionQuerySet:
        return self.filter(startups=startup)


def _activity_columns() -> dict[str, Exists | Subquery]:
    """Whether each member is active today, and the first day after today when that may
    change (a mission starts, or the day after one ends), for an update of members."""
    today = stored_as_of_today()
    missions = Mission.objects.filter(member=OuterRef("pk")).order_by()
    change = Case(
        When(start__gt=today, then=F("start")),
        # The last day there is has no day after: such a mission never ends.
        When(
            end__gte=today,
            end__lt=datetime.date.max,
            then=Cast(F("end") + datetime.timedelta(days=1), DateField()),
        ),
        output_field=DateField(),
    )
    changes = missions.filter(Q(start__gt=today) | Q(end__gte=today)).annotate(change=change)
    return {
        "active": Exists(missions.active_on(today)),
        "active_until": Subquery(changes.order_by("change").values("change")[:1]),
    }


class MemberQuerySet(SearchQuerySet):
    def active_on(self, day: datetime.date) -> MemberQuerySet:
        """Members with at least one mission active on `day`; today's are stored."""
        if day == timezone.localdate():
            return self.filter(active=True)
        return self.filter(self._with_mission(Mission.objects.active_on(day)))

    def with_active_on(self, day: datetime.date) -> MemberQuerySet:
        """Annotate `is_active`: whether each member is active on `day` (today's is stored).

        To filter on it; to show it for a page of members, `active_member_ids`.
        """
        if day == timezone.localdate():
            return self.annotate(is_active=F("active"))
        active = Mission.objects.active_on(day).filter(member=OuterRef("pk"))
        return self.annotate(is_active=Exists(active))

    def in_team_of(self, startup: Startup, day: datetime.date) -> MemberQuerySet:
        """The team of `startup` on `day`: members with a mission for it active on `day`."""
        return self.filter(self._with_mission(Mission.objects.for_startup(startup).active_on(day)))

    def alumni_of(self, startup: Startup, day: datetime.date) -> MemberQuerySet:
        """Former members of `startup` on `day`: a mission for it ended before, none is active."""
        missions = Mission.objects.for_startup(startup)
        return self.filter(self._with_mission(missions.filter(end__lt=day))).exclude(
            self._with_mission(missions.active_on(day))
        )

    def worked_in_incubator(self, incubator: Incubator) -> MemberQuerySet:
        """Members with a mission for a startup `incubator` hosts (co-incubation included)."""
        # The startups' ids from the incubator's links: joining the startups themselves
        # would read 8,000 more rows for the busiest incubator at 100 times the data.
        hosted = StartupIncubator.objects.filter(incubator=incubator).values("startup")
        missions = Mission.objects.filter(missionstartup__startup__in=hosted)
        return self.filter(self._with_mission(missions))

    def arrivals_by_year(self, day: datetime.date) -> dict[int, int]:
        """How many of these members arrived each year, up to `day` included, in one query.

        A member arrives on the start of their first mission (`arrived_on`); members without
        missions never arrived.
        """
        return count_per_year(self.filter(arrived_on__lte=day), "arrived_on")

    def departures_by_year(self, day: datetime.date) -> dict[int, int]:
        """How many of these members left each year, up to `day` included, in one query.

        A member leaves on the end of their last mission, once every mission has ended
        (`left_on`): one with a mission without end, or ending after `day`, has not left by
        `day`.
        """
        return count_per_year(self.filter(left_on__lte=day), "left_on")

    def store_mission_dates(self) -> int:
        """Set `arrived_on`, `left_on` and today's activity (`_activity_columns`) from these
        members' missions, in one statement; return how many members were updated.

        Saving or deleting a mission does it (`startups.signals`); bulk writers call it.
        """
        missions = Mission.objects.filter(member=OuterRef("pk")).order_by()
        first_start = missions.order_by("start").values("start")[:1]
        last_end = missions.order_by("-end").values("end")[:1]
        return self.update(
            arrived_on=Subquery(first_start),
            left_on=Case(
                When(Exists(missions.filter(end=None)), then=None),
                default=Subquery(last_end),
            ),
            **_activity_columns(),
        )

    def refresh_activity(self) -> int:
        """Store again whether the members whose activity may have changed by itself since
        it was stored (`active_until` has come) are active; return how many there were."""
        return self.filter(active_until__lte=timezone.localdate()).update(**_activity_columns())

    @staticmethod
    def _with_mission(missions: MissionQuerySet) -> Q:
        """Members among those of `missions`: a semi-join the database runs once, not per
        member (a correlated EXISTS scanned every member: 1.7 s at 100× for a team)."""
        return Q(pk__in=missions.values("member_id"))


def active_member_ids(member_ids: Iterable[int], day: datetime.date) -> set[int]:
    """Which of these members (a page of them) are active on `day`, in one query on their
    own missions: cheaper than `with_active_on`, which hashes every active mission first."""
    missions = Mission.objects.filter(member_id__in=member_ids).active_on(day)
    return set(missions.values_list("member_id", flat=True))


def mark_active_on(members: list[Member], day: datetime.date) -> list[Member]:
    """Set `is_active` (active on `day`) on each of `members`; return them."""
    active = active_member_ids([member.pk for member in members], day)
    for member in members:
        member.is_active = member.pk in active
    return members


def member_domains() -> list[str]:
    """The distinct non-empty `domain` values of all members, in order.

    On PostgreSQL, one index probe per value (a « loose index scan »: a dozen domains
    among 350,000 members at 100×, 0.3 ms instead of 30 to 70 for DISTINCT, which reads
    every entry); elsewhere a plain DISTINCT.
    """
    if connection.vendor != "postgresql":
        rows = Member.objects.exclude(domain="").order_by("domain").values_list("domain", flat=True)
        return list(rows.distinct())
    table = connection.ops.quote_name(Member._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH RECURSIVE found (domain) AS (
                (SELECT domain FROM {table} WHERE domain > '' ORDER BY domain LIMIT 1)
                UNION ALL
                SELECT (SELECT domain FROM {table} WHERE domain > found.domain
                        ORDER BY domain LIMIT 1)
                FROM found WHERE found.domain IS NOT NULL
            )
            SELECT domain FROM found WHERE domain IS NOT NULL
            """
        )
        return [domain for (domain,) in cursor.fetchall()]


class Member(Searchable, ContentFile):
    """A person who works or worked in the network (a file of the content's `_authors`)."""

    slug = content_slug_field(unique=True)
    fullname = models.CharField("nom complet", max_length=300)
    role = models.CharField("rôle", max_length=300)
    domain = models.CharField("domaine", max_length=100, db_index=True)
    github = models.CharField(
        "GitHub", max_length=200, blank=True, help_text="Identifiant GitHub, tel que saisi."
    )
    link = models.URLField("lien", max_length=500, blank=True)
    avatar = models.TextField("avatar", blank=True)
    member_type = models.CharField("type de membre", max_length=50, blank=True)
    bio = models.TextField("présentation (Markdown)", blank=True)
    competences = models.JSONField("compétences", default=list, blank=True)
    badges = models.JSONField("badges", default=list, blank=True)
    previously = models.JSONField(
        "startups précédentes", default=list, blank=True, help_text="Identifiants de startups."
    )
    legacy_startups = models.JSONField(
        "startups (ancien format)",
        default=list,
        blank=True,
        help_text="Clé `startups` d’anciens fichiers, hors missions.",
    )
    teams = models.ManyToManyField(
        Team, verbose_name="équipes", through="TeamMembership", related_name="members", blank=True
    )
    arrived_on = models.DateField(
        "arrivée le",
        null=True,
        blank=True,
        editable=False,
        db_index=True,
        help_text="Calculé : le début de sa première mission.",
    )
    left_on = models.DateField(
        "départ le",
        null=True,
        blank=True,
        editable=False,
        db_index=True,
        help_text="Calculé : la fin de sa dernière mission, quand toutes sont finies.",
    )
    # Whether they are active today, stored (see the module docstring).
    active = models.BooleanField("actif aujourd’hui", db_default=False, editable=False)
    active_until = models.DateField(
        "prochain changement d’activité", null=True, editable=False, db_index=True
    )
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("mis à jour le", auto_now=True)

    objects = MemberQuerySet.as_manager()
    history = HistoricalRecords(
        excluded_fields=["search_text", "updated_at", *STORED_FROM_MISSIONS]
    )
    search_fields = ("fullname", "github", "slug")

    class Meta:
        ordering = ["fullname"]
        verbose_name = "membre"
        indexes = [
            # The site's order (`alphabetical("fullname")`) and the API's: a page of the list
            # reads a few index entries instead of sorting every member.
            models.Index(name_key(), "fullname", "id", name="members_by_folded_name"),
            models.Index(fields=["fullname", "slug"], name="members_by_name"),
            # The sitemap dates its section by the latest change.
            models.Index(fields=["updated_at"], name="members_member_updated"),
            # Who is active today, in a domain or not: counted on the index alone.
            models.Index(fields=["active", "domain"], name="members_active_by_domain"),
        ]

    def __str__(self) -> str:
        return self.fullname

    def save(self, *args, **kwargs) -> None:
        """Save, then store again what the missions imply: a form loaded before a mission
        changed writes back its old `arrived_on` and `left_on` (see `Startup.save`)."""
        with transaction.atomic():
            super().save(*args, **kwargs)
            Member.objects.filter(pk=self.pk).store_mission_dates()
        self.refresh_from_db(fields=STORED_FROM_MISSIONS)

    def get_absolute_url(self) -> str:
        return reverse("members:member_detail", args=[self.slug])

    @property
    def github_url(self) -> str:
        """The GitHub profile, when the field holds a login or a profile URL (it is free text)."""
        login = self.github.strip().removeprefix("https://github.com/").strip("/")
        return f"https://github.com/{login}" if GITHUB_LOGIN.match(login) else ""

    def is_active_on(self, day: datetime.date) -> bool:
        return self.missions.active_on(day).exists()

    def startups_outside_missions(self, besides: Iterable[Startup] = ()) -> list[Startup]:
        """The startups the member's file names outside their missions (`previously`, and the
        `startups` key of old files), by title, but those of `besides` (their missions'): the
        only trace of 395 real members' startups, whose missions name none. One query, none
        when the file names none."""
        slugs = {*self.previously, *self.legacy_startups} - {startup.slug for startup in besides}
        if not slugs:
            return []
        return list(Startup.objects.filter(slug__in=slugs).order_by(name_key(), "title", "pk"))


class TeamMembership(models.Model):
    """A member belonging to an incubator's team."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE)
    team = models.ForeignKey(Team, on_delete=models.CASCADE)
    position = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["position"]
        verbose_name = "appartenance à une équipe"
        verbose_name_plural = "appartenances à une équipe"
        constraints = [
            models.UniqueConstraint(fields=["member", "team"], name="members_team_once_per_member")
        ]

    def __str__(self) -> str:
        return f"{self.member} — {self.team}"


class Mission(models.Model):
    """A period during which a member worked in the network, for zero or more startups."""

    class Status(models.TextChoices):
        INDEPENDENT = "independent", "Indépendant"
        ADMIN = "admin", "Agent public"
        SERVICE = "service", "Prestataire"

    member = models.ForeignKey(
        Member, verbose_name="membre", on_delete=models.CASCADE, related_name="missions"
    )
    start = models.DateField("début", validators=[validate_plausible_date])
    end = models.DateField("fin", null=True, blank=True, validators=[validate_plausible_date])
    status = models.CharField("statut", max_length=20, choices=Status)
    employer = models.CharField("employeur", max_length=300, blank=True)
    startups = models.ManyToManyField(
        Startup, verbose_name="startups", through="MissionStartup", related_name="missions"
    )
    position = models.PositiveSmallIntegerField(default=0)

    objects = MissionQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["start", "position"]
        verbose_name = "mission"
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=F("start")),
                name="members_mission_dates_ordered",
            )
        ]
        indexes = [models.Index(fields=["start", "end"], name="members_mission_period")]

    def __str__(self) -> str:
        return f"{self.member} depuis le {self.start:%d/%m/%Y}"


class MissionStartup(models.Model):
    """A startup a mission was for."""

    mission = models.ForeignKey(Mission, on_delete=models.CASCADE)
    # Indexed with the mission (`Meta.indexes`).
    startup = models.ForeignKey(Startup, on_delete=models.CASCADE, db_index=False)
    position = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["position"]
        indexes = [
            # A startup's missions read from the index alone (the members of an incubator:
            # 64 ms against 78 for the busiest at 100 times the data, on PostgreSQL).
            models.Index(fields=["startup", "mission"], name="members_missions_of_startup")
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["mission", "startup"], name="members_startup_once_per_mission"
            )
        ]

    def __str__(self) -> str:
        return f"{self.mission} — {self.startup}"
