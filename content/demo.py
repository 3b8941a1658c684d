"""Deterministic French demo data shaped like the real portfolio, bulk-written fast.

The distributions (launches per year, phase transitions and durations, sponsors, missions...)
were measured on beta.gouv.fr's content in November 2026; the names and texts are invented
(Faker fr_FR). The same seed and the same `until` date give the same data.
"""

from __future__ import annotations

import bisect
import datetime
import functools
import itertools
import json
import random
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.text import slugify
from faker import Faker

from betagouv.search import search_text
from members.models import Member, Mission, MissionStartup, Team, TeamMembership
from startups.models import (
    Event,
    HighlightedStartup,
    Incubator,
    MinisterialDomain,
    Organisation,
    OrganisationKind,
    PortfolioVersion,
    Startup,
    StartupIncubator,
    StartupPhase,
    StartupSponsor,
    StartupThematique,
    StartupUsertype,
    Thematique,
    Usertype,
    next_starts,
)

# Measured on the real content: per 662 startups, 3,484 members, 143 organisations,
# 23 incubators, 36 teams.
MEMBERS_PER_STARTUP = 3484 / 662
ORGANISATIONS_PER_STARTUP = 143 / 662
INCUBATORS_PER_STARTUP = 23 / 662
TEAMS_PER_INCUBATOR = 36 / 23

LAUNCHES_PER_YEAR = {
    2013: 2, 2014: 7, 2015: 12, 2016: 9, 2017: 15, 2018: 44, 2019: 55,
    2020: 79, 2021: 111, 2022: 76, 2023: 81, 2024: 82, 2025: 67, 2026: 22,
}  # fmt: skip
FIRST_PHASE = {"investigation": 571, "construction": 65, "acceleration": 11, "consolidation": 4}
# Next phase after each phase; "" means the history stops there.
TRANSITIONS = {
    "investigation": {"": 25, "abandon-investigation": 192, "construction": 353, "abandon": 1},
    "construction": {
        "": 108, "abandon": 90, "acceleration": 166, "consolidation": 21, "transfere": 25,
        "opere": 3,
    },
    "acceleration": {"": 75, "abandon": 17, "consolidation": 52, "opere": 7, "transfere": 30},
    "consolidation": {"": 22, "abandon": 9, "opere": 2, "transfere": 42},
    "transfere": {"": 92, "abandon": 7},
    "opere": {"": 1},
    "abandon-investigation": {"": 1},
    "abandon": {"": 1},
}  # fmt: skip
# Quartiles of the days spent in a phase before the next one.
DURATION_QUARTILES = {
    "investigation": (88, 152, 226),
    "construction": (274, 464, 823),
    "acceleration": (271, 626, 923),
    "consolidation": (128, 244, 530),
    "transfere": (33, 73, 1089),
}
SAME_DAY_INVESTIGATION_AND_CONSTRUCTION = 56 / 662
SPONSOR_COUNTS = {0: 30, 1: 506, 2: 82, 3: 27, 4: 13, 5: 4}
# One startup in 13 had an earlier address (`redirect_from`: 51 of 662).
OLD_ADDRESS_EVERY = 13
THEMATIQUE_COUNTS = {0: 284, 1: 150, 2: 113, 3: 58, 4: 40, 5: 17}
EVENT_COUNTS = {0: 347, 1: 205, 2: 55, 3: 24, 4: 8, 5: 23}
MISSION_COUNTS = {1: 2819, 2: 379, 3: 132, 4: 70, 5: 47, 6: 37}
STARTUPS_PER_MISSION = {0: 928, 1: 3335, 2: 316, 3: 91, 4: 36, 5: 60}
MISSION_DAYS_QUARTILES = (218, 504, 1028)
MISSION_STATUS = {"independent": 2581, "admin": 1574, "service": 606}
DOMAINS = {
    "Développement": 968, "Intraprenariat": 637, "Déploiement": 493, "Autre": 312,
    "Produit": 300, "Design": 257, "Coaching": 212, "Animation": 141, "Data": 105,
    "Support": 38, "Attributaire": 21,
}  # fmt: skip
ROLES = {
    "Développement": ["Développeur full-stack", "Développeuse back-end", "Lead tech", "OpsDev"],
    "Intraprenariat": ["Intrapreneur", "Intrapreneuse", "Porteuse de projet"],
    "Déploiement": ["Chargé de déploiement", "Chargée de déploiement", "Bizdev"],
    "Produit": ["Product manager", "Product owner", "Responsable produit"],
    "Design": ["Designer UX", "Designeuse UI", "Designer de services"],
    "Coaching": ["Coach", "Coach agile"],
    "Animation": ["Chargée d'animation", "Responsable de portefeuille"],
    "Data": ["Data scientist", "Data analyst", "Data engineer"],
    "Support": ["Support utilisateurs"],
    "Attributaire": ["Attributaire du marché"],
    "Autre": ["Juriste", "Chargé de mission", "Communication"],
}
THEMATIQUES = [
    "Écologie", "Administratif", "Territoires", "Travail / Emploi", "Collectivités",
    "Outil technique", "Open-Data", "Social", "Agriculture", "Jeunesse", "Santé", "Formation",
    "Logement", "Entreprises", "Justice", "Inclusion numérique", "Transports", "Démocratie",
    "Patrimoine", "Éducation", "Sécurité informatique", "Mer", "Culture", "Sport",
]  # fmt: skip
USERTYPES = [
    "particulier", "entreprise", "collectivite-territoriale", "administration-centrale",
    "association", "jeunes", "agent-public", "etudiant", "professionnel-de-sante",
    "demandeur-d-emploi", "agriculteur", "elu",
]  # fmt: skip
TITLE_STARTS = [
    "Mon", "Ma", "Mes", "Aides", "Démarches", "Portail", "Signal", "Trouve ta", "Simplif",
    "Data", "Carto", "Pass", "Écho", "Boussole", "France", "Allô", "Mission", "Plateforme",
]  # fmt: skip
TITLE_ENDS = [
    "Logement", "Emploi", "Santé", "Stage", "Formation", "Mobilité", "Énergie", "Eau", "Forêt",
    "Justice", "Entreprise", "Subventions", "Accessibilité", "Déchets", "Tribunal", "Permis",
    "Retraite", "Handicap", "Climat", "Biodiversité", "Sport", "Culture", "Patrimoine", "École",
]  # fmt: skip
MISSION_VERBS = [
    "simplifier l'accès à", "faciliter", "mieux suivre", "rendre transparente",
    "accélérer le traitement de", "réduire les erreurs dans", "numériser",
]  # fmt: skip
MISSION_OBJECTS = [
    "leurs droits", "l'instruction des dossiers", "les aides publiques", "les démarches",
    "les données publiques", "la prise de rendez-vous", "les contrôles", "les signalements",
]  # fmt: skip
MISSION_PUBLICS = [
    "aux citoyens", "aux agents publics", "aux collectivités", "aux entreprises",
    "aux jeunes", "aux associations", "aux professionnels de santé", "aux agriculteurs",
]  # fmt: skip
ORGANISATION_HEADS = [
    "Direction générale", "Direction", "Agence nationale", "Délégation", "Service", "Caisse",
    "Institut national", "Secrétariat général", "Mission",
]  # fmt: skip
ORGANISATION_TOPICS = [
    "de l'emploi", "de la santé", "des territoires", "de l'écologie", "du numérique",
    "de l'agriculture", "de la justice", "de l'éducation", "de la culture", "des finances",
    "des transports", "du logement", "de la sécurité", "des sports", "de la mer",
]  # fmt: skip
EVENTS = {"committee": 215, "product_launch": 145, "other": 68, "end": 57, "fast": 38}


@dataclass
class Counts:
    organisations: int = 0
    incubators: int = 0
    teams: int = 0
    startups: int = 0
    members: int = 0
    missions: int = 0
    phases: int = 0


@functools.cache
def _cumulative(weights: tuple[tuple[object, float], ...]) -> tuple[list, list[float]]:
    return [value for value, _ in weights], list(itertools.accumulate(w for _, w in weights))


def weighted(rng: random.Random, weights: dict) -> object:
    population, cum_weights = _cumulative(tuple(weights.items()))
    return rng.choices(population, cum_weights=cum_weights)[0]


def days_from_quartiles(rng: random.Random, quartiles: Sequence[int]) -> int:
    """A duration drawn so that its quartiles match the real ones (piecewise uniform)."""
    q1, median, q3 = quartiles
    bounds = [max(1, q1 // 3), q1, median, q3, q3 * 2]
    segment = rng.randrange(4)
    return rng.randint(bounds[segment], bounds[segment + 1])


class DemoGenerator:
    def __init__(self, startups: int, seed: int, until: datetime.date) -> None:
        self.startup_count = startups
        self.until = until
        self.rng = random.Random(seed)
        faker = Faker("fr_FR")
        faker.seed_instance(seed)
        # Names with their slugs, computed once: slugify is slow at 350,000 members.
        self.first_names = [
            (name, slugify(name)) for name in (faker.first_name() for _ in range(600))
        ]
        self.last_names = [
            (name, slugify(name)) for name in (faker.last_name() for _ in range(1500))
        ]
        self.paragraphs = [faker.paragraph(nb_sentences=4) for _ in range(400)]
        self.companies = [faker.company() for _ in range(200)]
        self.now = timezone.now()
        self.counts = Counts()

    def run(self) -> Counts:
        with transaction.atomic():
            _empty_portfolio()
            organisations = self._organisations()
            incubators = self._incubators(organisations)
            teams = self._teams(incubators)
            launches = self._startups(organisations, incubators)
            self._members(launches, teams)
            # The dates below are one correlated update per table: without statistics on the
            # rows just written, PostgreSQL took the mission table for empty and scanned it
            # once per member (more than 20 minutes at 100×, 40 seconds with them).
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
            Startup.objects.store_dates_from_periods()
            Member.objects.store_mission_dates()
            StartupSponsor.objects.store_domains()
            PortfolioVersion.bump()
        # Fresh statistics for the planner: without them, PostgreSQL estimated 2,451 active
        # missions for 90,699 at 100× and picked plans 50 times slower. VACUUM (PostgreSQL,
        # outside a transaction) also marks the pages all-visible for index-only scans and
        # clears the rows the dates' update left behind, as autovacuum would later.
        vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE" if vacuum else "ANALYZE")
        return self.counts

    def _organisations(self) -> list[int]:
        count = max(5, round(self.startup_count * ORGANISATIONS_PER_STARTUP))
        rows = []
        for pk in range(1, count + 1):
            name = f"{self.rng.choice(ORGANISATION_HEADS)} {self.rng.choice(ORGANISATION_TOPICS)}"
            name = f"{name} n° {pk}"
            acronym = "".join(w[0] for w in name.split() if w[0].isupper()) + str(pk)
            rows.append(
                {
                    "id": pk,
                    "slug": f"organisation-{pk}",
                    "name": name,
                    "acronym": acronym,
                    "kind": self.rng.choice(OrganisationKind.values),
                    "ministerial_domain": self.rng.choice(MinisterialDomain.values),
                    "description": "",
                    "search_text": search_text(name, acronym, f"organisation-{pk}"),
                    **_content_file(),
                }
            )
        _insert(Organisation, rows)
        self.counts.organisations = count
        return list(range(1, count + 1))

    def _incubators(self, organisations: list[int]) -> list[int]:
        count = max(3, round(self.startup_count * INCUBATORS_PER_STARTUP))
        rows = []
        for pk in range(1, count + 1):
            title = f"Incubateur {self.rng.choice(ORGANISATION_TOPICS)} n° {pk}"
            rows.append(
                {
                    "id": pk,
                    "slug": f"incubateur-{pk}",
                    "title": title,
                    "owner_id": self.rng.choice(organisations),
                    "short_description": (summary := self.rng.choice(self.paragraphs)[:200]),
                    "description": self.rng.choice(self.paragraphs),
                    "address": f"{pk} rue de la République, Paris",
                    "contact": f"contact@incubateur-{pk}.gouv.fr",
                    "website": f"https://incubateur-{pk}.beta.gouv.fr",
                    "github": "",
                    "logo": "",
                    "hidden": False,
                    "redirect_from": [],
                    "search_text": search_text(title, summary, f"incubateur-{pk}"),
                    **_content_file(),
                }
            )
        _insert(Incubator, rows)
        self.counts.incubators = count
        return list(range(1, count + 1))

    def _teams(self, incubators: list[int]) -> list[int]:
        count = max(1, round(len(incubators) * TEAMS_PER_INCUBATOR))
        rows = [
            {
                "id": pk,
                "slug": f"equipe-{pk}",
                "name": f"Équipe d'animation n° {pk}",
                "mission": "Animer la communauté de l'incubateur.",
                "incubator_id": incubators[(pk - 1) % len(incubators)],
                "description": "",
                **_content_file(),
            }
            for pk in range(1, count + 1)
        ]
        _insert(Team, rows)
        self.counts.teams = count
        return list(range(1, count + 1))

    def _startups(self, organisations: list[int], incubators: list[int]) -> list[tuple]:
        """Write the startups and their histories; return (launch date, id) sorted."""
        rng = self.rng
        # Zipf-like weights: a few incubators host most startups, as in the real network.
        incubator_weights = list(itertools.accumulate(1 / r for r in range(1, len(incubators) + 1)))
        sponsor_weights = list(
            itertools.accumulate(1 / r**0.8 for r in range(1, len(organisations) + 1))
        )
        thematique_ids = self._names(Thematique, THEMATIQUES)
        usertype_ids = self._names(Usertype, USERTYPES)
        startups, phases, events, links = [], [], [], {"inc": [], "sp": [], "th": [], "ut": []}
        launches, slugs = [], set()
        for pk in range(1, self.startup_count + 1):
            title = f"{rng.choice(TITLE_STARTS)} {rng.choice(TITLE_ENDS)}"
            slug = slugify(title)
            if slug in slugs:
                slug = f"{slug}-{pk}"
            slugs.add(slug)
            year = weighted(rng, LAUNCHES_PER_YEAR)
            launch = datetime.date(year, 1, 1) + datetime.timedelta(days=rng.randrange(365))
            launch = min(launch, self.until)
            history = self._history(launch)
            launches.append((launch, pk))
            following = next_starts(history)
            for position, ((phase, start), next_start) in enumerate(
                zip(history, following, strict=True)
            ):
                phases.append(
                    {"startup_id": pk, "phase_id": phase, "start": start, "end": None,
                     "comment": "", "position": position, "next_start": next_start}
                )  # fmt: skip
            for position in range(weighted(rng, EVENT_COUNTS)):
                day = launch + datetime.timedelta(days=rng.randrange(60, 900))
                events.append(
                    {"startup_id": pk, "name": weighted(rng, EVENTS), "date": min(day, self.until),
                     "comment": "", "position": position}
                )  # fmt: skip
            incubator = rng.choices(incubators, cum_weights=incubator_weights)[0]
            co_incubators = [incubator]
            if rng.random() < 0.01:
                co_incubators.append(rng.choice([i for i in incubators if i != incubator]))
            sponsors = _sample(rng, organisations, weighted(rng, SPONSOR_COUNTS), sponsor_weights)
            thematiques = rng.sample(thematique_ids, weighted(rng, THEMATIQUE_COUNTS))
            usertypes = rng.sample(usertype_ids, rng.choice([0, 1, 1, 2, 3]))
            for key, parent, targets in (
                ("inc", "incubator_id", co_incubators),
                ("sp", "organisation_id", sponsors),
                ("th", "thematique_id", thematiques),
                ("ut", "usertype_id", usertypes),
            ):
                links[key] += [
                    {"startup_id": pk, parent: target, "position": position}
                    for position, target in enumerate(targets)
                ]
            mission = (
                (
                    f"{rng.choice(MISSION_VERBS).capitalize()} {rng.choice(MISSION_OBJECTS)} "
                    f"{rng.choice(MISSION_PUBLICS)}."
                )
                .replace("à les", "aux")
                .replace("de les", "des")
            )
            description = (
                f"## Le problème\n\n{rng.choice(self.paragraphs)}\n\n"
                f"## La solution\n\n{rng.choice(self.paragraphs)}"
            )
            has_site = rng.random() < 0.5
            startups.append(
                {
                    "id": pk,
                    "slug": slug,
                    "title": title,
                    "mission": mission,
                    "description": description,
                    "incubator_id": incubator,
                    "techno": rng.sample(["django", "rails", "vuejs", "react", "nodejs"], 2),
                    "contact": f"contact@{slug}.beta.gouv.fr",
                    "contact_dinum": "",
                    "contact_incubator": "",
                    "link": f"https://{slug}.beta.gouv.fr" if has_site else "",
                    "repository": f"https://github.com/betagouv/{slug}" if has_site else "",
                    "stats": has_site or None,
                    "stats_url": "",
                    "budget_url": "",
                    "impact_url": "",
                    "dashlord_url": "",
                    "analyse_risques": None,
                    "analyse_risques_url": "",
                    "mon_service_securise": None,
                    "accessibility_status": rng.choice(
                        ["", "", "non conforme", "partiellement conforme"]
                    ),
                    "fast_promotion": None,
                    "fast_amount": None,
                    "redirect_from": (
                        [f"/startups/ancien-{slug}"] if pk % OLD_ADDRESS_EVERY == 0 else []
                    ),
                    "created_at": self.now,
                    "updated_at": self.now,
                    "search_text": search_text(title, mission, description),
                    **_content_file(),
                }
            )
        _insert(Startup, startups)
        _insert(StartupPhase, phases)
        _insert(Event, events)
        _insert(StartupIncubator, links["inc"])
        # Their organisations' domains are copied afterwards, in one update (`store_domains`).
        _insert(StartupSponsor, [{**row, "ministerial_domain": ""} for row in links["sp"]])
        _insert(StartupThematique, links["th"])
        _insert(StartupUsertype, links["ut"])
        _insert(
            HighlightedStartup,
            [
                {"incubator_id": link["incubator_id"], "startup_id": link["startup_id"],
                 "position": 0}
                for link in links["inc"][:: max(1, len(links["inc"]) // (3 * len(incubators)))]
            ],
        )  # fmt: skip
        self.counts.startups = len(startups)
        self.counts.phases = len(phases)
        return sorted(launches)

    def _history(self, launch: datetime.date) -> list[tuple[str, datetime.date]]:
        rng = self.rng
        phase = weighted(rng, FIRST_PHASE)
        history = [(phase, launch)]
        if phase == "investigation" and rng.random() < SAME_DAY_INVESTIGATION_AND_CONSTRUCTION:
            # As in the real content, both phases listed on one day: construction counts.
            phase = "construction"
            history.append((phase, launch))
        day = launch
        while True:
            following = weighted(rng, TRANSITIONS[phase])
            if not following:
                return history
            day += datetime.timedelta(days=days_from_quartiles(rng, DURATION_QUARTILES[phase]))
            if day > self.until:
                # Now and then the next phase is already announced, as some real files do.
                if rng.random() < 0.01:
                    history.append((following, day))
                return history
            phase = following
            history.append((phase, day))

    def _members(self, launches: list[tuple], teams: list[int]) -> None:
        rng = self.rng
        count = round(self.startup_count * MEMBERS_PER_STARTUP)
        launch_days = [day for day, _ in launches]
        members, missions, mission_startups, memberships = [], [], [], []
        mission_id = 0
        for pk in range(1, count + 1):
            (first, first_slug), (last, last_slug) = (
                rng.choice(self.first_names),
                rng.choice(self.last_names),
            )
            slug = f"{first_slug}.{last_slug}.{pk}"
            domain = weighted(rng, DOMAINS)
            github = f"{first_slug}{last_slug}"[:30] if rng.random() < 0.45 else ""
            members.append(
                {
                    "id": pk,
                    "slug": slug,
                    "fullname": f"{first} {last}",
                    "role": rng.choice(ROLES[domain]),
                    "domain": domain,
                    "github": github,
                    "link": "",
                    "avatar": "",
                    "member_type": "",
                    "bio": rng.choice(self.paragraphs) if rng.random() < 0.42 else "",
                    "competences": [],
                    "badges": [],
                    "previously": [],
                    "legacy_startups": [],
                    "created_at": self.now,
                    "updated_at": self.now,
                    "search_text": search_text(f"{first} {last}", github, slug),
                    **_content_file(),
                }
            )
            if rng.random() < 0.04:
                memberships.append({"member_id": pk, "team_id": rng.choice(teams), "position": 0})
            # A member's missions follow one another, from a start spread like the real ones.
            start = launch_days[rng.randrange(len(launch_days))] + datetime.timedelta(
                days=rng.randrange(0, 400)
            )
            for position in range(weighted(rng, MISSION_COUNTS)):
                if start > self.until:
                    break
                end = start + datetime.timedelta(
                    days=days_from_quartiles(rng, MISSION_DAYS_QUARTILES)
                )
                mission_id += 1
                missions.append(
                    {"id": mission_id, "member_id": pk, "start": start, "end": end,
                     "status": weighted(rng, MISSION_STATUS),
                     "employer": rng.choice(self.companies), "position": position}
                )  # fmt: skip
                # The startups of a mission were launched in the three years before it.
                newest = max(1, bisect.bisect_right(launch_days, start))
                oldest = bisect.bisect_left(launch_days, start - datetime.timedelta(days=3 * 365))
                oldest = min(oldest, newest - 1)
                wanted = min(newest - oldest, weighted(rng, STARTUPS_PER_MISSION))
                chosen = [launches[i][1] for i in rng.sample(range(oldest, newest), wanted)]
                mission_startups += [
                    {"mission_id": mission_id, "startup_id": startup, "position": position}
                    for position, startup in enumerate(chosen)
                ]
                start = end + datetime.timedelta(days=rng.randrange(1, 120))
        _insert(Member, members)
        _insert(Mission, missions)
        _insert(MissionStartup, mission_startups)
        _insert(TeamMembership, memberships)
        self.counts.members = len(members)
        self.counts.missions = len(missions)

    def _names(self, model: type[models.Model], names: list[str]) -> list[int]:
        _insert(model, [{"id": pk, "name": name} for pk, name in enumerate(names, start=1)])
        return list(range(1, len(names) + 1))


def _sample(
    rng: random.Random, items: list[int], count: int, cum_weights: list[float]
) -> list[int]:
    chosen: list[int] = []
    while len(chosen) < min(count, len(items)):
        item = rng.choices(items, cum_weights=cum_weights)[0]
        if item not in chosen:
            chosen.append(item)
    return chosen


def _content_file() -> dict:
    return {"front_matter_keys": [], "extra_front_matter": ""}


PORTFOLIO_MODELS = [
    TeamMembership, MissionStartup, Mission, Member, Team, HighlightedStartup, StartupUsertype,
    StartupThematique, StartupSponsor, StartupIncubator, Event, StartupPhase, Startup, Usertype,
    Thematique, Incubator, Organisation,
]  # fmt: skip


def portfolio_is_empty() -> bool:
    return not (Startup.objects.exists() or Member.objects.exists())


def _empty_portfolio() -> None:
    """Delete every portfolio row and its history (the phases' texts stay), fast."""
    models_with_history = [m for m in PORTFOLIO_MODELS if hasattr(m, "history")]
    tables = [m._meta.db_table for m in PORTFOLIO_MODELS]
    tables += [m.history.model._meta.db_table for m in models_with_history]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # TRUNCATE refuses tables with foreign-key checks still pending in this transaction.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        # Cascade: rows of other apps pointing at the portfolio (an incubator's staff group
        # link) point at nothing once it is replaced.
        statements = connection.ops.sql_flush(
            no_style(), tables, reset_sequences=False, allow_cascade=True
        )
        for statement in statements:
            cursor.execute(statement)
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _insert(model: type[models.Model], rows: list[dict]) -> None:
    """Write rows with their ids set, skipping the ORM's per-row work (1.5 M rows at 100×).

    PostgreSQL gets COPY, SQLite a prepared executemany; the sequences are reset afterwards.
    """
    if not rows:
        return
    fields = [model._meta.get_field(name) for name in rows[0]]
    adapters = [_adapter(field) for field in fields]
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    keys = [field.attname if field.attname in rows[0] else field.name for field in fields]
    values = (
        tuple(adapt(row[key]) if adapt else row[key]
              for key, adapt in zip(keys, adapters, strict=True))
        for row in rows
    )  # fmt: skip
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in values:
                    copy.write_row(row)
        else:
            placeholders = ", ".join(["%s"] * len(fields))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", values)
        if any(field.primary_key for field in fields):
            for statement in connection.ops.sequence_reset_sql(no_style(), [model]):
                cursor.execute(statement)


def _adapter(field: models.Field):
    kind = field.get_internal_type()
    if kind == "JSONField":
        return lambda value: json.dumps(value) if value else "[]"
    if kind == "DateField":
        # A few thousand distinct days among hundreds of thousands of rows.
        return functools.lru_cache(maxsize=None)(connection.ops.adapt_datefield_value)
    if kind == "DateTimeField":
        return functools.lru_cache(maxsize=None)(connection.ops.adapt_datetimefield_value)
    return None


def generate(startups: int, seed: int, until: datetime.date | None = None) -> Counts:
    return DemoGenerator(startups, seed, until or timezone.localdate()).run()
