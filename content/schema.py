"""How each kind of content file maps onto the models, field by field.

Reading a document never raises: every problem is collected with its file and field, so that
an import reports all of them at once. References to other files (a startup's incubator...)
are only collected here; the importer checks them once every file has been read.
"""

from __future__ import annotations

import datetime
import functools
import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from content.files import Document, Problem, dump_yaml
from members.models import Member, Mission, Team
from startups.models import (
    Event,
    Incubator,
    MinisterialDomain,
    Organisation,
    OrganisationKind,
    Phase,
    PhaseSlug,
    Startup,
    content_slug_validator,
    validate_plausible_date,
)

validate_url = URLValidator(schemes=["http", "https"])
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class Invalid(ValueError):
    """A value that cannot be used; its message says why, in French."""


@dataclass
class Record:
    """What one valid file says, in the models' terms.

    `values` are model fields (a foreign key by the slug it points to), `links` ordered
    many-to-many targets, `children` the rows owned by the record (phases, missions...).
    """

    kind: str
    slug: str
    path: str
    values: dict[str, Any]
    links: dict[str, list[str]] = field(default_factory=dict)
    children: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    references: list[tuple[str, str, str]] = field(default_factory=list)
    # References whose target may be missing: the link is dropped with a warning, and the
    # value is kept among the unmodelled keys so that export writes it back.
    optional_references: list[tuple[str, str, str, Any]] = field(default_factory=list)


# Converters: each takes a YAML value and returns a clean one, or raises Invalid.


CHARACTER_REFERENCE = re.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")


def to_text(value: Any) -> str:
    if isinstance(value, bool | list | dict):
        raise Invalid("texte attendu")
    text = unescaped(str(value).strip())
    if "\x00" in text:
        # YAML's "\0": no database text holds it (PostgreSQL refuses it).
        raise Invalid("le caractère nul (\\0) n’est pas autorisé")
    return text


def unescaped(text: str) -> str:
    """`Ingénieure d&#x27;art` → `Ingénieure d'art`. The members' tool wrote some values
    HTML-escaped (`https:&#x2F;&#x2F;…`, roles, employers), a few twice (`UX&amp;#x2F;UI`);
    beta.gouv.fr's pages put them in HTML as they are, so readers saw them decoded. Only
    whole references (`&…;`) are: `?a=1&region=2` is an address, not `®ion`."""
    for _ in range(3):
        decoded = CHARACTER_REFERENCE.sub(lambda found: html.unescape(found[0]), text)
        if decoded == text:
            break
        text = decoded
    return text


def to_url(value: Any) -> str:
    # Real files hold HTML-escaped addresses (`https:&#x2F;&#x2F;…`) and trailing spaces.
    url = to_text(value)
    if url:
        try:
            validate_url(url)
        except ValidationError:
            raise Invalid(
                f"« {url} » n’est pas une adresse web valide (http:// ou https://)"
            ) from None
    return url


def to_bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise Invalid(f"« {value} » n’est pas un booléen (true ou false attendu)")
    return value


def to_int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise Invalid(f"« {value} » n’est pas un nombre entier positif")
    return value


def to_date(value: Any) -> datetime.date:
    day = _date(value)
    try:
        validate_plausible_date(day)
    except ValidationError as error:
        raise Invalid(error.messages[0]) from None
    return day


def _date(value: Any) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str) and ISO_DATE.match(value.strip()):
        # Quoted dates ('2021-03-01') are strings to YAML.
        try:
            return datetime.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise Invalid(f"« {value} » n’est pas une date valide (AAAA-MM-JJ attendu)")


def to_text_list(value: Any) -> list[str]:
    if not isinstance(value, list):
        raise Invalid("liste attendue")
    items = [to_text(item) for item in value if item is not None]
    return [item for item in items if item]


def choice(choices: type) -> Callable[[Any], str]:
    allowed = frozenset(choices.values)

    def convert(value: Any) -> str:
        text = to_text(value)
        if text not in allowed:
            known = ", ".join(choices.values)
            raise Invalid(f"valeur inconnue « {text} » (valeurs possibles : {known})")
        return text

    return convert


to_phase = choice(PhaseSlug)
to_mission_status = choice(Mission.Status)
to_organisation_kind = choice(OrganisationKind)
to_ministerial_domain = choice(MinisterialDomain)
to_accessibility_status = choice(Startup.AccessibilityStatus)


def reference(prefix: str) -> Callable[[Any], str]:
    """A reference to another file, written `slug` or `/prefix/slug` in the content."""

    def convert(value: Any) -> str:
        return to_text(value).removeprefix(f"/{prefix}/").strip("/")

    return convert


def reference_list(prefix: str) -> Callable[[Any], list[str]]:
    convert = reference(prefix)

    def convert_list(value: Any) -> list[str]:
        slugs = [convert(item) for item in to_text_list(value)]
        duplicates = sorted({slug for slug in slugs if slugs.count(slug) > 1})
        if duplicates:
            raise Invalid(f"en double : {', '.join(duplicates)}")
        return slugs

    return convert_list


class Fields:
    """Reads a document's front matter (or one entry of a list in it), collecting problems."""

    def __init__(self, document: Document, data: dict[str, Any], prefix: str = "") -> None:
        self.document = document
        self.data = data
        self.prefix = prefix
        self.problems: list[Problem] = []
        self.read: set[str] = set()

    def problem(self, key: str, message: str) -> None:
        self.problems.append(Problem(self.document.path, f"{self.prefix}{key}", message))

    def get(
        self, key: str, convert: Callable[[Any], Any], *, required: bool = False, default=None
    ) -> Any:
        self.read.add(key)
        value = self.data.get(key)
        if value is None or (value == "" and required):
            if required:
                self.problem(key, "champ obligatoire absent" if value is None else "champ vide")
            return default
        try:
            return convert(value)
        except Invalid as error:
            self.problem(key, str(error))
            return default

    def entries(self, key: str, *, required: bool = False) -> list[Fields]:
        """Readers for each entry of a list of mappings (phases, events, missions)."""
        self.read.add(key)
        value = self.data.get(key)
        if value is None:
            if required:
                self.problem(key, "champ obligatoire absent")
            return []
        if not isinstance(value, list):
            self.problem(key, "liste attendue")
            return []
        readers = []
        for index, item in enumerate(value):
            if not isinstance(item, dict):
                self.problem(f"{key}[{index}]", "doit être une suite de « clé: valeur »")
                continue
            reader = Fields(self.document, item, f"{self.prefix}{key}[{index}].")
            reader.problems = self.problems
            readers.append(reader)
        return readers

    def unread(self) -> dict[str, Any]:
        return {key: value for key, value in self.data.items() if key not in self.read}


@functools.cache
def max_lengths(model: type) -> dict[str, int]:
    return {f.name: f.max_length for f in model._meta.concrete_fields if f.max_length}


def check_lengths(model: type, values: dict[str, Any], reader: Fields) -> None:
    """Text longer than its column allows is reported, not truncated or left to the database."""
    limits = max_lengths(model)
    for name, value in values.items():
        limit = limits.get(name)
        if limit and isinstance(value, str) and len(value) > limit:
            reader.problem(name, f"trop long ({len(value)} caractères, {limit} au plus)")


def file_values(document: Document, reader: Fields) -> dict[str, Any]:
    """What every content record keeps of its file to export it back unchanged."""
    extra = reader.unread()
    return {
        "front_matter_keys": list(document.front_matter),
        "extra_front_matter": dump_yaml(extra) if extra else "",
    }


def check_slug(document: Document, reader: Fields) -> None:
    try:
        content_slug_validator(document.slug)
    except ValidationError:
        reader.problem("nom du fichier", f"« {document.slug} » : {content_slug_validator.message}")


def read_phase(document: Document) -> tuple[Record | None, list[Problem]]:
    reader = Fields(document, document.front_matter)
    slug = reader.get("status", to_phase, required=True)
    values = {
        "label": reader.get("label", to_text, required=True),
        "order": reader.get("order", to_int, required=True),
        "description": reader.get("short_description", to_text, default=""),
        "documentation_url": reader.get("documentation_url", to_text, default=""),
    }
    return _record("phases", slug or document.slug, document, values, reader)


def read_organisation(document: Document) -> tuple[Record | None, list[Problem]]:
    reader = Fields(document, document.front_matter)
    values = {
        "name": reader.get("name", to_text, required=True),
        "acronym": reader.get("acronym", to_text, default=""),
        "kind": reader.get("type", to_organisation_kind, required=True),
        "ministerial_domain": reader.get(
            "domaine_ministeriel", to_ministerial_domain, required=True
        ),
        "description": document.body,
    }
    values |= file_values(document, reader)
    return _record("organisations", document.slug, document, values, reader)


def read_incubator(document: Document) -> tuple[Record | None, list[Problem]]:
    reader = Fields(document, document.front_matter)
    owner = reader.get("owner", reference("organisations"), default="") or None
    highlighted = reader.get("highlighted_startups", reference_list("startups"), default=[])
    values = {
        "title": reader.get("title", to_text, required=True),
        "owner": owner,
        "short_description": reader.get("short_description", to_text, default=""),
        "description": document.body,
        "address": reader.get("address", to_text, default=""),
        "contact": reader.get("contact", to_text, default=""),
        "website": reader.get("website", to_url, default=""),
        "github": reader.get("github", to_url, default=""),
        "logo": reader.get("logo", to_text, default=""),
        "hidden": reader.get("hidden", to_bool, default=False),
        "redirect_from": reader.get("redirect_from", to_text_list, default=[]),
    }
    values |= file_values(document, reader)
    record, problems = _record("incubators", document.slug, document, values, reader)
    if record:
        record.links["highlighted_startups"] = highlighted
        if owner:
            raw_owner = document.front_matter["owner"]
            record.optional_references.append(("owner", "organisations", owner, raw_owner))
        record.references += [("highlighted_startups", "startups", slug) for slug in highlighted]
    return record, problems


def read_team(document: Document) -> tuple[Record | None, list[Problem]]:
    reader = Fields(document, document.front_matter)
    values = {
        "name": reader.get("name", to_text, required=True),
        "mission": reader.get("mission", to_text, default=""),
        "incubator": reader.get("incubator", reference("incubators"), required=True),
        "description": document.body,
    }
    values |= file_values(document, reader)
    record, problems = _record("teams", document.slug, document, values, reader)
    if record:
        record.references.append(("incubator", "incubators", values["incubator"]))
    return record, problems


def read_startup(document: Document) -> tuple[Record | None, list[Problem]]:
    reader = Fields(document, document.front_matter)
    incubator = reader.get("incubator", reference("incubators"), required=True)
    incubators = reader.get("incubators", reference_list("incubators"), default=[])
    sponsors = reader.get("sponsors", reference_list("organisations"), default=[])
    # Read before file_values(): a key read later would also be kept among the unmodelled ones.
    thematiques = reader.get("thematiques", to_text_list, default=[])
    usertypes = reader.get("usertypes", to_text_list, default=[])
    fast = reader.get("fast", _read_fast, default={})
    values = {
        "title": reader.get("title", to_text, required=True),
        "mission": reader.get("mission", to_text, required=True),
        "description": document.body,
        "incubator": incubator,
        "techno": reader.get("techno", to_text_list, default=[]),
        "contact": reader.get("contact", to_text, required=True, default=""),
        "contact_dinum": reader.get("contact_dinum", to_text, default=""),
        "contact_incubator": reader.get("contact_incubator", to_text, default=""),
        "link": reader.get("link", to_url, default=""),
        "repository": reader.get("repository", to_url, default=""),
        "stats": reader.get("stats", to_bool),
        "stats_url": reader.get("stats_url", to_url, default=""),
        "budget_url": reader.get("budget_url", to_url, default=""),
        "impact_url": reader.get("impact_url", to_url, default=""),
        "dashlord_url": reader.get("dashlord_url", to_url, default=""),
        "analyse_risques": reader.get("analyse_risques", to_bool),
        "analyse_risques_url": reader.get("analyse_risques_url", to_url, default=""),
        "mon_service_securise": reader.get("mon_service_securise", to_bool),
        "accessibility_status": reader.get(
            "accessibility_status", to_accessibility_status, default=""
        ),
        "fast_promotion": fast.get("promotion"),
        "fast_amount": fast.get("montant"),
        "redirect_from": reader.get("redirect_from", to_text_list, default=[]),
    }
    phases = _read_phases(reader)
    events = []
    for entry in reader.entries("events"):
        event = {
            "name": entry.get("name", to_text, required=True),
            "date": entry.get("date", to_date, required=True),
            "comment": entry.get("comment", to_text, default=""),
        }
        check_lengths(Event, event, entry)
        events.append(event)
    values |= file_values(document, reader)
    record, problems = _record("startups", document.slug, document, values, reader)
    if record:
        # The main incubator is always one of the incubators; `incubators` lists co-incubation.
        all_incubators = incubators or [incubator]
        if incubator not in all_incubators:
            all_incubators = [incubator, *all_incubators]
        record.links = {
            "incubators": all_incubators,
            "sponsors": sponsors,
            "thematiques": thematiques,
            "usertypes": usertypes,
        }
        record.children = {"phases": phases, "events": events}
        record.references += [("incubator", "incubators", incubator)]
        record.references += [("incubators", "incubators", slug) for slug in incubators]
        record.references += [("sponsors", "organisations", slug) for slug in sponsors]
    return record, problems


def _read_fast(value: Any) -> dict[str, int]:
    if not isinstance(value, dict):
        raise Invalid("attendu : promotion et montant")
    try:
        return {"promotion": to_int(value["promotion"]), "montant": to_int(value["montant"])}
    except KeyError as missing:
        raise Invalid(f"« {missing.args[0]} » manquant") from None


def _read_phases(reader: Fields) -> list[dict[str, Any]]:
    phases = []
    for entry in reader.entries("phases", required=True):
        phase = {
            "phase": entry.get("name", to_phase, required=True),
            "start": entry.get("start", to_date, required=True),
            "end": entry.get("end", to_date),
            "comment": entry.get("comment", to_text, default=""),
        }
        if phase["start"] and phase["end"] and phase["end"] < phase["start"]:
            entry.problem("end", f"la fin ({phase['end']}) précède le début ({phase['start']})")
        if phase["phase"] and any(other["phase"] == phase["phase"] for other in phases):
            entry.problem("name", f"la phase « {phase['phase']} » figure deux fois")
        phases.append(phase)
    if "phases" in reader.data and isinstance(reader.data["phases"], list) and not phases:
        reader.problem("phases", "au moins une phase est nécessaire")
    return phases


def read_member(document: Document) -> tuple[Record | None, list[Problem]]:
    reader = Fields(document, document.front_matter)
    teams = reader.get("teams", reference_list("teams"), default=[])
    previously = reader.get("previously", reference_list("startups"), default=[])
    legacy_startups = reader.get("startups", reference_list("startups"), default=[])
    values = {
        "fullname": reader.get("fullname", to_text, required=True),
        "role": reader.get("role", to_text, required=True),
        "domain": reader.get("domaine", to_text, required=True),
        "github": reader.get("github", to_text, default=""),
        "link": reader.get("link", to_url, default=""),
        "avatar": reader.get("avatar", to_text, default=""),
        "member_type": reader.get("memberType", to_text, default=""),
        "bio": document.body,
        "competences": reader.get("competences", to_text_list, default=[]),
        "badges": reader.get("badges", to_text_list, default=[]),
        "previously": previously,
        "legacy_startups": legacy_startups,
    }
    missions = []
    references = []
    for entry in reader.entries("missions", required=True):
        mission = {
            "start": entry.get("start", to_date, required=True),
            "end": entry.get("end", to_date),
            "status": entry.get("status", to_mission_status, required=True),
            "employer": entry.get("employer", to_text, default=""),
            "startups": entry.get("startups", reference_list("startups"), default=[]),
        }
        if mission["start"] and mission["end"] and mission["end"] < mission["start"]:
            entry.problem("end", f"la fin ({mission['end']}) précède le début ({mission['start']})")
        check_lengths(Mission, {"employer": mission["employer"]}, entry)
        references += [(f"{entry.prefix}startups", "startups", s) for s in mission["startups"]]
        missions.append(mission)
    if isinstance(reader.data.get("missions"), list) and not reader.data["missions"]:
        reader.problem("missions", "au moins une mission est nécessaire")
    values |= file_values(document, reader)
    record, problems = _record("members", document.slug, document, values, reader)
    if record:
        record.links = {"teams": teams}
        record.children = {"missions": missions}
        record.references += references
        record.references += [("teams", "teams", slug) for slug in teams]
        record.references += [("previously", "startups", slug) for slug in previously]
        record.references += [("startups", "startups", slug) for slug in legacy_startups]
    return record, problems


def _record(
    kind: str, slug: str, document: Document, values: dict[str, Any], reader: Fields
) -> tuple[Record | None, list[Problem]]:
    check_slug(document, reader)
    check_lengths(KINDS[kind].model, values, reader)
    if reader.problems:
        return None, reader.problems
    return Record(kind, slug, document.path, values), []


@dataclass(frozen=True)
class Kind:
    """A kind of content file: its folder, its model, how to read it."""

    name: str
    folder: str
    model: type
    read: Callable[[Document], tuple[Record | None, list[Problem]]]
    label: str
    unknown: str


# In the order their references allow them to be written.
KINDS = {
    kind.name: kind
    for kind in [
        Kind("phases", "_phases", Phase, read_phase, "phases", "phase inconnue « {slug} »"),
        Kind(
            "organisations",
            "_organisations",
            Organisation,
            read_organisation,
            "organisations",
            "organisation inconnue « {slug} » (aucun fichier _organisations/{slug}.md)",
        ),
        Kind(
            "incubators",
            "_incubators",
            Incubator,
            read_incubator,
            "incubateurs",
            "incubateur inconnu « {slug} » (aucun fichier _incubators/{slug}.md)",
        ),
        Kind(
            "teams",
            "_teams",
            Team,
            read_team,
            "équipes",
            "équipe inconnue « {slug} » (aucun fichier _teams/{slug}.md)",
        ),
        Kind(
            "startups",
            "_startups",
            Startup,
            read_startup,
            "startups",
            "startup inconnue « {slug} » (aucun fichier _startups/{slug}.md)",
        ),
        Kind(
            "members",
            "_authors",
            Member,
            read_member,
            "membres",
            "membre inconnu « {slug} » (aucun fichier _authors/{slug}.md)",
        ),
    ]
}
