"""Export the portfolio back to beta.gouv.fr's content format: the inverse of `content.schema`.

Each record becomes `_<kind>/<slug>.md`: `---`, the YAML front matter, `---`, the Markdown body.
Keys come in the file's original order (`front_matter_keys`), then new ones in the format's
usual order; keys the site does not model come back from `extra_front_matter` unchanged.
A key the original file had stays even when empty (`website: ''`), one it did not have is only
written with a value, so that import → export gives the same facts back.

What the import normalised cannot come back byte for byte: spaces around values, HTML escapes
in URLs (`https:&#x2F;&#x2F;…`), blank lines around the body, the order of keys inside a phase
or a mission, and files without the `.md` extension (never imported).

The folder ends up holding exactly the database: stale `.md` files of the six folders are
removed, other files are left alone, unchanged files are not rewritten.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from content.files import load_yaml
from members.models import Member, Mission, MissionStartup, Team, TeamMembership
from startups.models import (
    Event,
    HighlightedStartup,
    Incubator,
    Organisation,
    Phase,
    Startup,
    StartupIncubator,
    StartupPhase,
    StartupSponsor,
    StartupThematique,
    StartupUsertype,
)

# Values that mean "nothing to write" for a key the original file did not have.
EMPTY = (None, "", [], {})
OWNER_FALLBACK = frozenset({"owner"})


class ContentDumper(yaml.SafeDumper):
    """YAML as the content repository writes it: lists indented under their key, no wrapping.

    The reference output. `dump_front_matter` produces the same text faster with LibYAML,
    whose emitter cannot indent lists under their key, by re-indenting its output.
    """

    def increase_indent(self, flow: bool = False, indentless: bool = False):
        return super().increase_indent(flow, False)


class FastContentDumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):
    """LibYAML's dumper, with the same representers as `ContentDumper`."""


def _represent_text(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


ContentDumper.add_representer(str, _represent_text)
FastContentDumper.add_representer(str, _represent_text)

YAML_OPTIONS = {"allow_unicode": True, "sort_keys": False, "width": 1_000_000}
BLOCK_SCALAR = re.compile(r"(?:^|[:-] )[|>][0-9+-]*$")
# LibYAML escapes characters outside the Basic Multilingual Plane (emoji): such documents
# are written by the Python emitter, which keeps them as they are.
ESCAPED = re.compile(r"\\[UuxN]")


def indent_sequences(text: str) -> str:
    """Indent block sequences under their mapping key, as the Python emitter is told to.

    LibYAML writes a list at its key's indentation (`key:\n- a`); every line of such a list,
    nested content and block scalars included, moves right by two spaces per enclosing list.
    """
    lines = []
    open_lists: list[int] = []  # the indentation of each enclosing unindented list
    scalar_indent, scalar_shift = None, 0  # inside a block scalar (`key: |`)
    for line in text.splitlines(keepends=True):
        content = line.lstrip(" ")
        indent = len(line) - len(content)
        if scalar_indent is not None:
            if not content.strip() or indent > scalar_indent:
                lines.append(" " * scalar_shift + line if content.strip() else line)
                continue
            scalar_indent = None
        is_item = content.startswith("- ") or content.rstrip("\n") == "-"
        while open_lists and (
            indent < open_lists[-1] or (indent == open_lists[-1] and not is_item)
        ):
            open_lists.pop()
        if is_item and (not open_lists or open_lists[-1] != indent):
            open_lists.append(indent)
        shift = 2 * len(open_lists)
        lines.append(" " * shift + line)
        if BLOCK_SCALAR.search(content.rstrip("\n")):
            scalar_indent, scalar_shift = indent, shift
    return "".join(lines)


def dump_front_matter(data: dict[str, Any]) -> str:
    text = yaml.dump(data, Dumper=FastContentDumper, **YAML_OPTIONS)
    if ESCAPED.search(text):
        text = yaml.dump(data, Dumper=ContentDumper, **YAML_OPTIONS)
    else:
        text = indent_sequences(text)
    return text.removesuffix("...\n")


def render_document(front_matter: dict[str, Any], body: str) -> str:
    text = f"---\n{dump_front_matter(front_matter)}---\n"
    return f"{text}{body}\n" if body else text


def arrange(
    values: dict[str, Any],
    original_keys: Iterable[str],
    extra_yaml: str,
    fallbacks: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    """The front matter: original keys first, in their order, then new keys, then extras.

    `values` are the modelled keys in the format's usual order; None means "no value", and
    an empty value is written only for a key the original file had. Unmodelled keys come from
    `extra_yaml`, except modelled ones, which the model decides; `fallbacks` are modelled keys
    whose kept value is written while the model has none (an incubator's `owner` naming an
    organisation without a file).
    """
    extra = load_yaml(extra_yaml) or {}
    extra = {k: v for k, v in extra.items() if k not in values or k in fallbacks}

    def value_of(key: str) -> Any:
        value = values.get(key)
        return extra[key] if value in EMPTY and key in extra else value

    data: dict[str, Any] = {}
    for key in original_keys:
        value = value_of(key) if key in values else extra.get(key)
        if value is not None and key not in data:
            data[key] = value
    for key in values:
        value = value_of(key)
        if key not in data and value not in EMPTY:
            data[key] = value
    for key, value in extra.items():
        data.setdefault(key, value)
    return data


def _grouped(rows: Iterable[tuple[int, Any]]) -> dict[int, list[Any]]:
    groups: dict[int, list[Any]] = defaultdict(list)
    for parent, value in rows:
        groups[parent].append(value)
    return groups


def _links(through, parent: str, target: str) -> dict[int, list[str]]:
    """Ordered many-to-many targets per parent id, as the content names them."""
    rows = through.objects.order_by(f"{parent}_id", "position", "pk").values_list(
        f"{parent}_id", target
    )
    return _grouped(rows)


def _optional(entry: dict[str, Any], **values: Any) -> dict[str, Any]:
    entry.update({key: value for key, value in values.items() if value not in EMPTY})
    return entry


def _prefixed(prefix: str, slugs: list[str]) -> list[str]:
    return [f"/{prefix}/{slug}" for slug in slugs]


def export_phases() -> Iterable[tuple[str, dict[str, Any], str]]:
    for phase in Phase.objects.order_by("slug"):
        front_matter = {
            "status": phase.slug,
            "label": phase.label,
            "order": phase.order,
            "short_description": phase.description,
            "documentation_url": phase.documentation_url,
        }
        yield phase.slug, {k: v for k, v in front_matter.items() if v != ""}, ""


def export_organisations() -> Iterable[tuple[str, dict[str, Any], str]]:
    for organisation in Organisation.objects.order_by("slug"):
        values = {
            "name": organisation.name,
            "acronym": organisation.acronym,
            "type": organisation.kind,
            "domaine_ministeriel": organisation.ministerial_domain,
        }
        data = arrange(values, organisation.front_matter_keys, organisation.extra_front_matter)
        yield organisation.slug, data, organisation.description


def export_incubators() -> Iterable[tuple[str, dict[str, Any], str]]:
    highlighted = _links(HighlightedStartup, "incubator", "startup__slug")
    for incubator in Incubator.objects.select_related("owner").order_by("slug"):
        values = {
            "title": incubator.title,
            "owner": f"/organisations/{incubator.owner.slug}" if incubator.owner else "",
            "short_description": incubator.short_description,
            "address": incubator.address,
            "contact": incubator.contact,
            "website": incubator.website,
            "github": incubator.github,
            "logo": incubator.logo,
            "hidden": incubator.hidden or None,
            "redirect_from": incubator.redirect_from,
            "highlighted_startups": highlighted.get(incubator.pk, []),
        }
        if "hidden" in incubator.front_matter_keys:
            values["hidden"] = incubator.hidden
        data = arrange(
            values, incubator.front_matter_keys, incubator.extra_front_matter, OWNER_FALLBACK
        )
        yield incubator.slug, data, incubator.description


def export_teams() -> Iterable[tuple[str, dict[str, Any], str]]:
    for team in Team.objects.select_related("incubator").order_by("slug"):
        values = {"name": team.name, "mission": team.mission, "incubator": team.incubator.slug}
        data = arrange(values, team.front_matter_keys, team.extra_front_matter)
        yield team.slug, data, team.description


def export_startups() -> Iterable[tuple[str, dict[str, Any], str]]:
    incubators = _links(StartupIncubator, "startup", "incubator__slug")
    sponsors = _links(StartupSponsor, "startup", "organisation__slug")
    thematiques = _links(StartupThematique, "startup", "thematique__name")
    usertypes = _links(StartupUsertype, "startup", "usertype__name")
    phases = _grouped(
        (row["startup_id"], row)
        for row in StartupPhase.objects.order_by("startup_id", "position", "start", "pk").values(
            "startup_id", "phase_id", "start", "end", "comment"
        )
    )
    events = _grouped(
        (row["startup_id"], row)
        for row in Event.objects.order_by("startup_id", "position", "date", "pk").values(
            "startup_id", "name", "date", "comment"
        )
    )
    for startup in Startup.objects.select_related("incubator").order_by("slug"):
        keys = startup.front_matter_keys
        hosts = incubators.get(startup.pk, [])
        co_incubated = hosts != [startup.incubator.slug]
        values = {
            "title": startup.title,
            "mission": startup.mission,
            "incubator": startup.incubator.slug,
            "incubators": hosts if co_incubated or "incubators" in keys else [],
            "sponsors": _prefixed("organisations", sponsors.get(startup.pk, [])),
            "phases": [
                _optional(
                    {"name": row["phase_id"], "start": row["start"]},
                    end=row["end"],
                    comment=row["comment"],
                )
                for row in phases.get(startup.pk, [])
            ],
            "events": [
                _optional({"name": row["name"], "date": row["date"]}, comment=row["comment"])
                for row in events.get(startup.pk, [])
            ],
            "contact": startup.contact,
            "contact_dinum": startup.contact_dinum,
            "contact_incubator": startup.contact_incubator,
            "link": startup.link,
            "repository": startup.repository,
            "stats": startup.stats,
            "stats_url": startup.stats_url,
            "budget_url": startup.budget_url,
            "impact_url": startup.impact_url,
            "dashlord_url": startup.dashlord_url,
            "analyse_risques": startup.analyse_risques,
            "analyse_risques_url": startup.analyse_risques_url,
            "mon_service_securise": startup.mon_service_securise,
            "accessibility_status": startup.accessibility_status,
            "fast": (
                {"promotion": startup.fast_promotion, "montant": startup.fast_amount}
                if startup.fast_promotion is not None and startup.fast_amount is not None
                else None
            ),
            "thematiques": thematiques.get(startup.pk, []),
            "usertypes": usertypes.get(startup.pk, []),
            "techno": startup.techno,
            "redirect_from": startup.redirect_from,
        }
        data = arrange(values, keys, startup.extra_front_matter)
        yield startup.slug, data, startup.description


def export_members() -> Iterable[tuple[str, dict[str, Any], str]]:
    teams = _links(TeamMembership, "member", "team__slug")
    mission_startups = _links(MissionStartup, "mission", "startup__slug")
    missions = _grouped(
        (mission["member_id"], mission)
        for mission in Mission.objects.order_by("member_id", "position", "start", "pk").values(
            "id", "member_id", "start", "end", "status", "employer"
        )
    )
    for member in Member.objects.order_by("slug"):
        values = {
            "fullname": member.fullname,
            "role": member.role,
            "domaine": member.domain,
            "github": member.github,
            "link": member.link,
            "avatar": member.avatar,
            "memberType": member.member_type,
            "competences": member.competences,
            "badges": member.badges,
            "previously": member.previously,
            "startups": member.legacy_startups,
            "teams": _prefixed("teams", teams.get(member.pk, [])),
            "missions": [
                _optional(
                    {"start": mission["start"]},
                    end=mission["end"],
                    status=mission["status"],
                    employer=mission["employer"],
                    startups=mission_startups.get(mission["id"], []),
                )
                for mission in missions.get(member.pk, [])
            ],
        }
        data = arrange(values, member.front_matter_keys, member.extra_front_matter)
        yield member.slug, data, member.bio


@dataclass(frozen=True)
class ExportKind:
    folder: str
    label: str
    documents: Callable[[], Iterable[tuple[str, dict[str, Any], str]]]


KINDS = (
    ExportKind("_phases", "phases", export_phases),
    ExportKind("_organisations", "organisations", export_organisations),
    ExportKind("_incubators", "incubateurs", export_incubators),
    ExportKind("_teams", "équipes", export_teams),
    ExportKind("_startups", "startups", export_startups),
    ExportKind("_authors", "membres", export_members),
)


@dataclass
class FolderSummary:
    written: int = 0
    unchanged: int = 0
    deleted: int = 0


@dataclass
class ExportReport:
    summaries: dict[str, FolderSummary] = field(default_factory=dict)


def export_content(root: Path) -> ExportReport:
    """Write the portfolio into `root`, which then holds exactly what the database holds."""
    report = ExportReport()
    for kind in KINDS:
        folder = root / kind.folder
        folder.mkdir(parents=True, exist_ok=True)
        summary = report.summaries.setdefault(kind.folder, FolderSummary())
        expected = set()
        for slug, front_matter, body in kind.documents():
            path = folder / f"{slug}.md"
            expected.add(path.name)
            text = render_document(front_matter, body)
            if path.is_file() and path.read_bytes() == text.encode():
                summary.unchanged += 1
                continue
            path.write_text(text, encoding="utf-8")
            summary.written += 1
        for path in folder.glob("*.md"):
            if path.name not in expected and path.is_file():
                path.unlink()
                summary.deleted += 1
    return report
