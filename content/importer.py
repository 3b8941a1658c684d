"""Import a beta.gouv.fr content folder into the database, as one transaction.

The database ends up holding exactly what the folder says: files are created or updated, and
records whose file disappeared are deleted. Every file is read and every reference checked
before anything is written; any problem stops the import with the database unchanged, unless
`skip_invalid` is set, in which case invalid files (and files that depend on them) are left
as they are in the database, neither updated nor deleted.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from multiprocessing import get_all_start_methods, get_context
from pathlib import Path
from typing import Any

from django.db import models, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from content.files import InvalidFile, Problem, dump_yaml, load_yaml, read_document
from content.schema import KINDS, Record
from members.models import (
    STORED_FROM_MISSIONS,
    Member,
    Mission,
    MissionStartup,
    TeamMembership,
)
from startups.models import (
    STORED_DATES,
    Event,
    HighlightedStartup,
    Phase,
    PortfolioVersion,
    Startup,
    StartupIncubator,
    StartupPhase,
    StartupSponsor,
    StartupThematique,
    StartupUsertype,
    Thematique,
    Usertype,
)

CHANGE_REASON = "Import du contenu beta.gouv.fr"
BATCH_SIZE = 500
PARALLEL_FROM_FILES = 1000
PARSE_CHUNK_SIZE = 25

# What is stored from a record's children (phases, missions): not in the content, recomputed
# once the children are written (`store_phase_dates`, `store_mission_dates`).
STORED_FROM_CHILDREN = {*STORED_DATES, *STORED_FROM_MISSIONS}

# Kinds with a slug, written in this order and deleted in the reverse one.
SYNCED_KINDS = ("organisations", "incubators", "teams", "startups", "members")
FOREIGN_KEYS = {
    "incubators": {"owner": "organisations"},
    "teams": {"incubator": "incubators"},
    "startups": {"incubator": "incubators"},
}


@dataclass(frozen=True)
class Link:
    """An ordered many-to-many relation, stored in `through` with a position."""

    through: type[models.Model]
    parent: str
    target: str
    # The kind whose slugs the content uses, or a model looked up (and created) by name.
    target_kind: str | type[models.Model]


@dataclass(frozen=True)
class Child:
    """Rows owned by a record, compared and rewritten as a whole list."""

    model: type[models.Model]
    parent: str
    fields: tuple[str, ...]
    # A many-to-many of each child towards startups (a mission's startups).
    startups_through: Link | None = None


LINKS = {
    "incubators": {
        "highlighted_startups": Link(HighlightedStartup, "incubator", "startup", "startups")
    },
    "startups": {
        "incubators": Link(StartupIncubator, "startup", "incubator", "incubators"),
        "sponsors": Link(StartupSponsor, "startup", "organisation", "organisations"),
        "thematiques": Link(StartupThematique, "startup", "thematique", Thematique),
        "usertypes": Link(StartupUsertype, "startup", "usertype", Usertype),
    },
    "members": {"teams": Link(TeamMembership, "member", "team", "teams")},
}
CHILDREN = {
    "startups": {
        "phases": Child(StartupPhase, "startup", ("phase", "start", "end", "comment")),
        "events": Child(Event, "startup", ("name", "date", "comment")),
    },
    "members": {
        "missions": Child(
            Mission,
            "member",
            ("start", "end", "status", "employer"),
            startups_through=Link(MissionStartup, "mission", "startup", "startups"),
        )
    },
}


@dataclass
class Summary:
    created: int = 0
    updated: int = 0
    deleted: int = 0
    skipped: int = 0
    unchanged: int = 0


@dataclass
class ImportReport:
    summaries: dict[str, Summary] = field(default_factory=lambda: defaultdict(Summary))
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    ignored_files: list[str] = field(default_factory=list)
    skipped: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    # What the files set aside refer to: their rows, left as they are, still do.
    held: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

    def skip(self, kind: str, slug: str) -> None:
        self.skipped[kind].add(slug)
        self.summaries[kind].skipped += 1

    @property
    def changed(self) -> bool:
        return any(s.created or s.updated or s.deleted for s in self.summaries.values())


class ImportRefused(Exception):
    """The folder has problems and nothing was written."""

    def __init__(self, report: ImportReport) -> None:
        super().__init__(f"{len(report.problems)} problème(s) dans le contenu")
        self.report = report


Progress = Callable[[Iterable, int], Iterable]


def import_content(
    root: Path, *, skip_invalid: bool = False, progress: Progress | None = None
) -> ImportReport:
    report = ImportReport()
    # The database is read while the files are parsed (in other processes, when many).
    records, snapshots = _read_folder(
        root, report, progress or (lambda files, total: files), _snapshots
    )
    _check_references(records, snapshots, report, skip_invalid)
    if report.problems and not skip_invalid:
        raise ImportRefused(report)
    with transaction.atomic():
        _write(records, snapshots, report)
        if report.changed:
            # Links and organisations were written in bulk, without the saves that copy an
            # organisation's domain onto its sponsor rows.
            StartupSponsor.objects.store_domains()
            PortfolioVersion.bump()
    return report


def _read_folder(
    root: Path, report: ImportReport, progress: Progress, meanwhile: Callable[[], Any]
) -> tuple[dict[str, list[Record]], Any]:
    missing = [kind.folder for kind in KINDS.values() if not (root / kind.folder).is_dir()]
    if missing:
        report.problems += [Problem(folder, "dossier", "introuvable") for folder in missing]
        raise ImportRefused(report)
    jobs = []
    for kind in KINDS.values():
        for path in sorted((root / kind.folder).iterdir(), key=lambda path: path.name):
            if path.suffix == ".md" and path.is_file():
                jobs.append((root, kind.name, path))
            else:
                report.ignored_files.append(str(path.relative_to(root)))
    records: dict[str, list[Record]] = {name: [] for name in KINDS}
    with _reading_pool(len(jobs)) as pool:
        results = (
            pool.map(_read_file, jobs, chunksize=PARSE_CHUNK_SIZE)
            if pool
            else map(_read_file, jobs)
        )
        meanwhile_result = meanwhile()
        for kind_name, slug, record, problems in progress(results, len(jobs)):
            if record is None:
                report.problems += problems
                report.skip(kind_name, slug)
            else:
                records[kind_name].append(record)
    return records, meanwhile_result


def _read_file(job: tuple[Path, str, Path]) -> tuple[str, str, Record | None, list[Problem]]:
    root, kind_name, path = job
    try:
        record, problems = KINDS[kind_name].read(read_document(root, path))
    except InvalidFile as error:
        record, problems = None, [error.problem]
    return kind_name, path.name.removesuffix(".md"), record, problems


@contextmanager
def _reading_pool(files: int) -> Iterator[ProcessPoolExecutor | None]:
    """Parse large folders on every core: YAML construction is pure Python (2/3 of a re-run)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
    if files < PARALLEL_FROM_FILES or cores < 2 or "fork" not in get_all_start_methods():
        yield None
        return
    with ProcessPoolExecutor(max_workers=cores, mp_context=get_context("fork")) as pool:
        yield pool


def _check_references(
    records: dict[str, list[Record]],
    snapshots: dict[str, dict[str, tuple[int, Any]]],
    report: ImportReport,
    skip_invalid: bool,
) -> None:
    """Set aside records naming a file that is not there.

    An invalid file still counts as there: without `skip_invalid` the import stops anyway, and
    with it the file's row stays in the database, so it can still be referred to, if it exists.
    Setting a record aside can orphan others (the startups of an incubator), hence the loop.
    """
    while True:
        known = {}
        for kind in SYNCED_KINDS:
            invalid = report.skipped[kind]
            if skip_invalid:
                invalid = invalid & set(snapshots[kind])
            known[kind] = {record.slug for record in records[kind]} | invalid
        set_aside = False
        for kind, kind_records in records.items():
            valid = []
            for record in kind_records:
                problems = [
                    Problem(record.path, field_name, KINDS[target].unknown.format(slug=slug))
                    for field_name, target, slug in record.references
                    if slug not in known[target]
                ]
                if problems:
                    report.problems += problems
                    report.skip(kind, record.slug)
                    for _, target, slug in record.references:
                        report.held[target].add(slug)
                    set_aside = True
                else:
                    valid.append(record)
            records[kind] = valid
        if not (set_aside and skip_invalid):
            break
    for kind_records in records.values():
        for record in kind_records:
            _drop_unknown_optional_references(record, known, report)


def _drop_unknown_optional_references(
    record: Record, known: dict[str, set[str]], report: ImportReport
) -> None:
    for field_name, target, slug, raw in record.optional_references:
        if slug in known[target]:
            continue
        message = KINDS[target].unknown.format(slug=slug)
        report.warnings.append(
            Problem(record.path, field_name, f"{message} : lien ignoré, valeur conservée")
        )
        record.values[field_name] = None
        extra = load_yaml(record.values["extra_front_matter"]) or {}
        record.values["extra_front_matter"] = dump_yaml({**extra, field_name: raw})


def _snapshots() -> dict[str, dict[str, tuple[int, Any]]]:
    return {kind: _snapshot(kind) for kind in SYNCED_KINDS}


def _snapshot(kind: str) -> dict[str, tuple[int, Any]]:
    """What the database holds for a kind, per slug: its id and its state as a Record would."""
    model = KINDS[kind].model
    foreign_keys = FOREIGN_KEYS.get(kind, {})
    plain = [
        f.name
        for f in model._meta.concrete_fields
        if f.name not in {"id", "slug", "search_text", "created_at", "updated_at"}
        and f.name not in STORED_FROM_CHILDREN
        and f.name not in foreign_keys
    ]
    rows = model.objects.values("id", "slug", *plain)
    fk_slugs = {fk: dict(model.objects.values_list("id", f"{fk}__slug")) for fk in foreign_keys}
    links = {name: _load_links(link) for name, link in LINKS.get(kind, {}).items()}
    children = {name: _load_children(child) for name, child in CHILDREN.get(kind, {}).items()}
    snapshot = {}
    for row in rows:
        pk, slug = row.pop("id"), row.pop("slug")
        row |= {fk: fk_slugs[fk][pk] for fk in foreign_keys}
        state = (
            row,
            {name: links[name].get(pk, []) for name in links},
            {name: children[name].get(pk, []) for name in children},
        )
        snapshot[slug] = (pk, state)
    return snapshot


def _target_key(link: Link) -> str:
    return "name" if isinstance(link.target_kind, type) else "slug"


def _load_links(link: Link) -> dict[int, list[str]]:
    rows = link.through.objects.order_by(link.parent, "position").values_list(
        f"{link.parent}_id", f"{link.target}__{_target_key(link)}"
    )
    links: dict[int, list[str]] = defaultdict(list)
    for parent_id, target in rows:
        links[parent_id].append(target)
    return links


def _load_children(child: Child) -> dict[int, list[dict[str, Any]]]:
    startups = _load_links(child.startups_through) if child.startups_through else {}
    rows = child.model.objects.order_by(child.parent, "position").values(
        "id", f"{child.parent}_id", *child.fields
    )
    children: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        pk, parent_id = row.pop("id"), row.pop(f"{child.parent}_id")
        if child.startups_through:
            row["startups"] = startups.get(pk, [])
        children[parent_id].append(row)
    return children


def _state(record: Record) -> tuple[dict[str, Any], dict[str, list[str]], dict[str, list]]:
    return record.values, record.links, record.children


def _write(
    records: dict[str, list[Record]],
    snapshots: dict[str, dict[str, tuple[int, Any]]],
    report: ImportReport,
) -> None:
    now = timezone.now()
    _write_phases(records["phases"], report)
    ids = {kind: {slug: pk for slug, (pk, _) in snapshots[kind].items()} for kind in snapshots}
    relations_to_write: list[tuple[str, int, Record]] = []
    for kind in SYNCED_KINDS:
        model = KINDS[kind].model
        summary = report.summaries[kind]
        created, updated = [], []
        for record in records[kind]:
            existing = snapshots[kind].get(record.slug)
            if existing is None:
                created.append(record)
            elif existing[1] != _state(record):
                updated.append(record)
            else:
                summary.unchanged += 1
        instances = [_instance(model, kind, record, ids, now) for record in created]
        bulk_create_with_history(
            instances, model, batch_size=BATCH_SIZE, default_change_reason=CHANGE_REASON
        )
        for record, instance in zip(created, instances, strict=True):
            ids[kind][record.slug] = instance.pk
        changed = []
        for record in updated:
            instance = _instance(model, kind, record, ids, now)
            instance.pk = ids[kind][record.slug]
            changed.append(instance)
        if changed:
            fields = [
                f.name
                for f in model._meta.concrete_fields
                if f.name not in {"id", "slug", "created_at", *STORED_FROM_CHILDREN}
            ]
            bulk_update_with_history(
                changed,
                model,
                fields,
                batch_size=BATCH_SIZE,
                default_change_reason=CHANGE_REASON,
            )
        summary.created += len(created)
        summary.updated += len(updated)
        relations_to_write += [(kind, ids[kind][r.slug], r) for r in [*created, *updated]]
    _write_relations(relations_to_write, snapshots, ids)
    for kind in reversed(SYNCED_KINDS):
        kept = {record.slug for record in records[kind]} | report.skipped[kind]
        # A row whose file is gone stays while a file set aside refers to it: deleting it
        # would change that file's rows (its mission's startups...), said to be left as they are.
        for slug in sorted((report.held[kind] & set(snapshots[kind])) - kept):
            report.skip(kind, slug)
            report.problems.append(
                Problem(
                    f"{KINDS[kind].folder}/{slug}.md",
                    "fichier",
                    "absent, mais la ligne est gardée : un fichier ignoré y renvoie",
                )
            )
            kept.add(slug)
        gone = [pk for slug, (pk, _) in snapshots[kind].items() if slug not in kept]
        if gone:
            KINDS[kind].model.objects.filter(pk__in=gone).delete()
            report.summaries[kind].deleted += len(gone)
    Thematique.objects.filter(startups=None).delete()
    Usertype.objects.filter(startups=None).delete()


def _instance(model: type[models.Model], kind: str, record: Record, ids: dict, now) -> models.Model:
    values = dict(record.values)
    for fk, target in FOREIGN_KEYS.get(kind, {}).items():
        slug = values.pop(fk)
        values[f"{fk}_id"] = ids[target][slug] if slug else None
    instance = model(slug=record.slug, **values)
    instance.search_text = instance.build_search_text() if hasattr(instance, "search_text") else ""
    if hasattr(instance, "updated_at"):
        instance.created_at = now
        instance.updated_at = now
    return instance


def _write_relations(
    parents: list[tuple[str, int, Record]],
    snapshots: dict[str, dict[str, tuple[int, Any]]],
    ids: dict[str, dict[str, int]],
) -> None:
    """Rewrite the links and children of new and changed records, where they differ."""
    for kind, link_specs in LINKS.items():
        for name, link in link_specs.items():
            changed = {
                pk: record.links[name]
                for record_kind, pk, record in parents
                if record_kind == kind and record.links[name] != _old(snapshots, record, 1, name)
            }
            _replace_links(link, changed, ids)
    for kind, child_specs in CHILDREN.items():
        for name, child in child_specs.items():
            changed = {
                pk: record.children[name]
                for record_kind, pk, record in parents
                if record_kind == kind and record.children[name] != _old(snapshots, record, 2, name)
            }
            _replace_children(child, changed, ids)


def _old(snapshots: dict, record: Record, part: int, name: str) -> Any:
    existing = snapshots[record.kind].get(record.slug)
    return existing[1][part][name] if existing else None


def _target_ids(link: Link, keys: Iterable[str], ids: dict[str, dict[str, int]]) -> dict[str, int]:
    if isinstance(link.target_kind, str):
        return ids[link.target_kind]
    model = link.target_kind
    wanted = set(keys)
    existing = dict(model.objects.filter(name__in=wanted).values_list("name", "id"))
    model.objects.bulk_create([model(name=name) for name in wanted - set(existing)])
    return dict(model.objects.filter(name__in=wanted).values_list("name", "id"))


def _replace_links(
    link: Link, targets_by_parent: dict[int, list[str]], ids: dict[str, dict[str, int]]
) -> None:
    if not targets_by_parent:
        return
    link.through.objects.filter(**{f"{link.parent}_id__in": list(targets_by_parent)}).delete()
    target_ids = _target_ids(link, _flatten(targets_by_parent.values()), ids)
    rows = [
        link.through(
            **{
                f"{link.parent}_id": parent_id,
                f"{link.target}_id": target_ids[target],
                "position": position,
            }
        )
        for parent_id, targets in targets_by_parent.items()
        for position, target in enumerate(targets)
    ]
    _bulk_create(link.through, rows)


def _replace_children(
    child: Child, rows_by_parent: dict[int, list[dict]], ids: dict[str, dict[str, int]]
) -> None:
    if not rows_by_parent:
        return
    child.model.objects.filter(**{f"{child.parent}_id__in": list(rows_by_parent)}).delete()
    instances, startups = [], []
    for parent_id, rows in rows_by_parent.items():
        for position, row in enumerate(rows):
            values = {child.model._meta.get_field(f).attname: row[f] for f in child.fields}
            instances.append(
                child.model(**{f"{child.parent}_id": parent_id, "position": position, **values})
            )
            startups.append(row.get("startups", []))
    _bulk_create(child.model, instances)
    if child.model is StartupPhase:
        Startup.objects.filter(pk__in=list(rows_by_parent)).store_phase_dates()
    if child.model is Mission:
        Member.objects.filter(pk__in=list(rows_by_parent)).store_mission_dates()
    if child.startups_through:
        _replace_links(
            child.startups_through,
            {
                instance.pk: slugs
                for instance, slugs in zip(instances, startups, strict=True)
                if slugs
            },
            ids,
        )


def _bulk_create(model: type[models.Model], instances: list[models.Model]) -> None:
    bulk_create_with_history(
        instances, model, batch_size=BATCH_SIZE, default_change_reason=CHANGE_REASON
    )


def _flatten(lists: Iterable[list[str]]) -> Iterator[str]:
    for items in lists:
        yield from items


def _write_phases(records: list[Record], report: ImportReport) -> None:
    summary = report.summaries["phases"]
    phases = Phase.objects.in_bulk()
    for record in records:
        phase = phases[record.slug]
        if all(getattr(phase, name) == value for name, value in record.values.items()):
            summary.unchanged += 1
            continue
        for name, value in record.values.items():
            setattr(phase, name, value)
        phase.save()
        summary.updated += 1
