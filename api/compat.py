"""beta.gouv.fr's static API files (`/api/v2.7/…`), generated live from the database.

Each function reproduces one of beta.gouv.fr's Jekyll generators (the Liquid templates
`api/v2.7/*.json`, `startups.csv` and the plugins `incubators.rb`,
`content_url_encoded_markdown.rb`): the same structure, field names, types and order, quirks
included, so that an existing client switches by changing the host alone. Liquid treats an
empty string as true: a key written empty in a file (`link: ''`) is output where an absent
key is not, so the builders look at `front_matter_keys` (the keys the file had) to tell them
apart. The differences we cannot avoid are listed in the README (section "API").

These files follow beta.gouv.fr's rules, not the site's: `startups.csv`'s `status` is the
last phase listed in the file, as upstream. `/api/v1/` applies the site's rules.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from api.responses import error_json, json_response
from api.rows import grouped, in_page, ordered_links
from content.files import load_yaml
from members.models import Member, Mission, MissionStartup
from startups.models import (
    Event,
    Incubator,
    Organisation,
    Startup,
    StartupIncubator,
    StartupPhase,
    StartupSponsor,
    StartupThematique,
)

Row = dict[str, Any]

# Liquid's `strip_html` (Ruby Liquid StandardFilters) and Ruby's String#strip.
HTML_BLOCKS = re.compile(r"<script.*?</script>|<!--.*?-->|<style.*?</style>", re.S)
HTML_TAGS = re.compile(r"<.*?>", re.S)
RUBY_WHITESPACE = " \t\n\v\f\r\x00"


def jekyll_order(rows: Iterable[Row]) -> list[Row]:
    """Jekyll sorts a collection by file path: `slug.md`, byte by byte."""
    return sorted(rows, key=lambda row: (row["slug"] + ".md").encode())


def liquid_escape(value: str) -> str:
    """Liquid's `escape` (CGI.escapeHTML): `'` becomes `&#39;`, not Python's `&#x27;`."""
    return (
        value.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&#39;")
    )


def url_encoded_markdown(body: str) -> str:
    """`ERB::Util.url_encode` of the Markdown body, as Jekyll read it (ending with a newline).

    The database keeps the body without its surrounding blank lines; most files end with one
    newline, which is put back.
    """
    return quote(f"{body}\n" if body else "", safe="")


def present(row: Row, key: str) -> bool:
    """Whether the file had `key`: Liquid's `{% if %}` is true even for an empty string."""
    return key in row["front_matter_keys"]


def raw_or_none(row: Row, key: str, value: Any) -> Any:
    """`value` when the file had `key`, else None (Ruby's nil, JSON's null)."""
    return value if present(row, key) else None


def liquid_text(value: Any) -> str:
    """What `{{ value }}` prints: nothing for nil."""
    return "" if value is None else str(value)


def site_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


STARTUP_FIELDS = (
    "id",
    "slug",
    "title",
    "mission",
    "description",
    "incubator__slug",
    "contact",
    "link",
    "repository",
    "stats",
    "stats_url",
    "budget_url",
    "impact_url",
    "dashlord_url",
    "analyse_risques",
    "analyse_risques_url",
    "accessibility_status",
    "techno",
    "front_matter_keys",
)


def startup_rows(queryset: QuerySet | None = None) -> list[Row]:
    """Every startup with its ordered lists, as in its file. Six queries."""
    rows = jekyll_order((queryset or Startup.objects.all()).values(*STARTUP_FIELDS))
    ids = [row["id"] for row in rows]
    incubators = ordered_links(StartupIncubator, "startup", "incubator__slug", ids)
    sponsors = ordered_links(StartupSponsor, "startup", "organisation__slug", ids)
    thematiques = ordered_links(StartupThematique, "startup", "thematique__name", ids)
    phases = grouped(
        (phase.pop("startup_id"), phase)
        for phase in StartupPhase.objects.filter(startup_id__in=in_page(ids))
        .order_by("startup_id", "position")
        .values("startup_id", "phase_id", "start", "end", "comment")
    )
    events = grouped(
        (event.pop("startup_id"), event)
        for event in Event.objects.filter(startup_id__in=in_page(ids))
        .order_by("startup_id", "position")
        .values("startup_id", "name", "date", "comment")
    )
    for row in rows:
        row["incubators"] = (
            incubators.get(row["id"], [])
            if present(row, "incubators")
            else [row["incubator__slug"]]
        )
        row["sponsors"] = sponsors.get(row["id"], [])
        row["thematiques"] = thematiques.get(row["id"], [])
        row["phases"] = phases.get(row["id"], [])
        row["events"] = events.get(row["id"], [])
    return rows


def incubator_rows() -> list[Row]:
    rows = Incubator.objects.values(
        "slug",
        "title",
        "owner__slug",
        "contact",
        "address",
        "website",
        "github",
        "hidden",
        "front_matter_keys",
        "extra_front_matter",
    )
    for row in rows:
        row["owner"] = incubator_owner(row)
    return jekyll_order(rows)


def incubator_owner(row: Row) -> str | None:
    """The `owner` as written: `/organisations/slug`, or a value naming no organisation."""
    if row["owner__slug"]:
        return f"/organisations/{row['owner__slug']}"
    extra = load_yaml(row["extra_front_matter"]) or {}
    if "owner" in extra:
        return liquid_text(extra["owner"])
    return "" if present(row, "owner") else None


# startups.json (the Liquid template api/v2.7/startups.json)


def startup_attributes(row: Row) -> Row:
    attributes: Row = {"name": row["title"], "pitch": row["mission"]}
    if present(row, "stats_url"):
        attributes["stats_url"] = row["stats_url"]
    elif row["stats"]:
        attributes["stats_url"] = f"{row['link'].strip()}/stats"
    else:
        attributes["stats_url"] = ""
    if present(row, "budget_url"):
        attributes["budget_url"] = row["budget_url"]
    if present(row, "link"):
        attributes["impact_url"] = row["impact_url"]
        attributes["link"] = row["link"]
    if present(row, "repository"):
        attributes["repository"] = row["repository"]
    attributes["contact"] = row["contact"]
    attributes["content_url_encoded_markdown"] = url_encoded_markdown(row["description"])
    attributes["events"] = [
        {
            "name": event["name"],
            "date": event["date"].isoformat(),
            "comment": event["comment"].replace("\r\n", "").replace("\n", ""),
        }
        for event in row["events"]
    ]
    attributes["phases"] = [
        {
            "name": phase["phase_id"],
            "start": phase["start"].isoformat(),
            "end": phase["end"].isoformat() if phase["end"] else "",
        }
        for phase in row["phases"]
    ]
    attributes["sponsors"] = row["sponsors"]
    attributes["thematiques"] = row["thematiques"]
    attributes["technos"] = row["techno"]
    if row["analyse_risques"]:
        attributes["analyse_risques"] = "true"
    for key in ("analyse_risques_url", "dashlord_url", "accessibility_status"):
        if present(row, key):
            attributes[key] = row[key]
    return attributes


def startups_document(request: HttpRequest) -> Row:
    return {
        "links": {"self": f"{site_url(request)}/startups"},
        "data": [
            {
                "id": row["slug"],
                "type": "startup",
                "attributes": startup_attributes(row),
                "relationships": {
                    "incubator": {"data": {"type": "incubator", "id": row["incubator__slug"]}},
                    "incubators": {
                        "data": [{"type": "incubator", "id": slug} for slug in row["incubators"]]
                    },
                },
            }
            for row in startup_rows()
        ],
        "included": [
            {
                "id": row["slug"],
                "type": "incubator",
                "attributes": {
                    "title": row["title"],
                    "owner": liquid_text(row["owner"]),
                    "website": row["website"],
                    "github": row["github"],
                    "contact": row["contact"],
                },
            }
            # The AllIncubatorsGenerator plugin drops hidden incubators from the collection.
            for row in incubator_rows()
            if not row["hidden"]
        ],
    }


@require_safe
def startups_json(request: HttpRequest) -> HttpResponse:
    return json_response(startups_document(request))


# startups.csv


def csv_or_null(row: Row, key: str) -> str:
    return row[key] if present(row, key) else "null"


@require_safe
def startups_csv(request: HttpRequest) -> HttpResponse:
    """Semicolons, unescaped quotes, an empty line after the header: as upstream prints it."""
    lines = [
        "id;name;mission;start;status;incubator;stats;link;repository;accessibility;contact;incubators",
        "",
    ]
    for row in startup_rows():
        phases = row["phases"]
        fields = [
            row["slug"],
            f'"{row["title"]}"',
            f'"{row["mission"]}"',
            phases[0]["start"].isoformat() if phases else "",
            phases[-1]["phase_id"] if phases else "",
            row["incubator__slug"],
            csv_or_null(row, "stats_url"),
            csv_or_null(row, "link"),
            csv_or_null(row, "repository"),
            f'"{row["accessibility_status"]}"',
            row["contact"],
            f'"{",".join(row["incubators"])}"',
        ]
        lines.append(";".join(fields))
    return HttpResponse("\n".join(lines) + "\n\n", content_type="text/csv; charset=utf-8")


# incubators.json (the plugin incubators.rb, RenderIncubatorsApi)


def incubators_document() -> Row:
    result: dict[str, Row] = {}
    for row in startup_rows():
        for slug in row["incubators"]:
            entry = result.setdefault(slug, {"startups": []})
            entry["startups"].append(
                {
                    "id": row["slug"],
                    "name": row["title"],
                    "pitch": row["mission"],
                    "repository": raw_or_none(row, "repository", row["repository"]),
                    "contact": raw_or_none(row, "contact", row["contact"]),
                    "phases": [raw_phase(phase) for phase in row["phases"]],
                }
            )
    for row in incubator_rows():
        if row["hidden"]:
            continue
        entry = result.setdefault(row["slug"], {})
        entry["title"] = row["title"]
        entry["owner"] = row["owner"]
        for key in ("contact", "address", "website", "github"):
            entry[key] = raw_or_none(row, key, row[key])
    return result


def raw_phase(phase: Row) -> Row:
    """A phase as its file's hash: `end` and `comment` only when written."""
    raw: Row = {"name": phase["phase_id"], "start": phase["start"].isoformat()}
    if phase["end"]:
        raw["end"] = phase["end"].isoformat()
    if phase["comment"]:
        raw["comment"] = phase["comment"]
    return raw


@require_safe
def incubators_json(request: HttpRequest) -> HttpResponse:
    return json_response(incubators_document())


# authors.json


def authors_document() -> list[Row]:
    rows = jekyll_order(
        Member.objects.values(
            "id",
            "slug",
            "fullname",
            "role",
            "domain",
            "link",
            "bio",
            "github",
            "competences",
            "legacy_startups",
            "previously",
            "front_matter_keys",
        )
    )
    mission_startups = grouped(
        MissionStartup.objects.order_by("mission_id", "position").values_list(
            "mission_id", "startup__slug"
        )
    )
    missions = grouped(
        (mission.pop("member_id"), mission)
        for mission in Mission.objects.order_by("member_id", "position").values(
            "id", "member_id", "start", "end", "status", "employer"
        )
    )
    authors = []
    for row in rows:
        author: Row = {
            "id": row["slug"],
            "fullname": row["fullname"],
            "role": liquid_escape(row["role"]),
            "domaine": liquid_escape(row["domain"]),
            "link": liquid_escape(row["link"]),
            "bio": strip_html(row["bio"]),
        }
        if present(row, "github"):
            author["github"] = row["github"]
        author["missions"] = []
        for mission in missions.get(row["id"], []):
            entry: Row = {
                "start": mission["start"].isoformat(),
                "end": mission["end"].isoformat() if mission["end"] else "",
                "status": mission["status"],
                "employer": mission["employer"],
            }
            if startups := mission_startups.get(mission["id"]):
                entry["startups"] = startups
            author["missions"].append(entry)
        for key, field in (
            ("competences", "competences"),
            ("startups", "legacy_startups"),
            ("previously", "previously"),
        ):
            if present(row, key):
                author[key] = row[field]
        authors.append(author)
    return authors


def strip_html(text: str) -> str:
    return HTML_TAGS.sub("", HTML_BLOCKS.sub("", text)).strip(RUBY_WHITESPACE)


@require_safe
def authors_json(request: HttpRequest) -> HttpResponse:
    return json_response(authors_document())


# organisations.json


def organisations_document() -> list[Row]:
    rows = jekyll_order(
        Organisation.objects.values("slug", "name", "acronym", "ministerial_domain", "kind")
    )
    return [
        {
            "id": row["slug"],
            "name": liquid_escape(row["name"]),
            "acronym": liquid_escape(row["acronym"]),
            "domaine_ministeriel": liquid_escape(row["ministerial_domain"]),
            "type": liquid_escape(row["kind"]),
        }
        for row in rows
    ]


@require_safe
def organisations_json(request: HttpRequest) -> HttpResponse:
    return json_response(organisations_document())


def not_found(request: HttpRequest) -> HttpResponse:
    return error_json(404, f"Aucune ressource à l’adresse {request.path}.")
