"""The startup list on beta.gouv.fr's real content, checked against an independent count.

The expected lists and facet counts are computed here straight from the YAML files (folding
accents with `unicodedata`, applying the phase rule by hand), never with the site's code, then
compared with what `/startups/` shows for the same parameters.
"""

from __future__ import annotations

import collections
import datetime
import unicodedata
import zoneinfo
from dataclasses import dataclass
from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from django.db import transaction
from django.utils.encoding import iri_to_uri

from tests.real_content import LIFECYCLE, REAL_CONTENT, needs_real_content

GROUPS = {
    "incubation": LIFECYCLE[:4],
    "service-vivant": ["opere", "transfere"],
    "arret": ["abandon-investigation", "abandon"],
}

# Old addresses claimed by two content files (the first by identifier wins).
DUPLICATED_OLD_ADDRESSES = {"/startups/friches"}

pytestmark = [*needs_real_content, pytest.mark.django_db]


def read(path: Path) -> tuple[dict, str]:
    """Front matter and body of a content file."""
    front, body = path.read_text(encoding="utf-8")[3:].split("\n---", 1)
    return yaml.safe_load(front), body


def folded(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def as_date(value) -> datetime.date:
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(value.strip())


def names(values) -> set[str]:
    return {str(value).strip() for value in values or [] if str(value).strip()}


@dataclass
class Row:
    """What the list filters on, for one startup file."""

    slug: str
    phase: str | None
    incubators: set[str]
    sponsors: set[str]
    domains: set[str]
    thematiques: set[str]
    usertypes: set[str]
    text: str


def current_phase(phases: list[dict], today: datetime.date) -> str | None:
    started = [(as_date(p["start"]), LIFECYCLE.index(p["name"]), p["name"]) for p in phases]
    started = [entry for entry in started if entry[0] <= today]
    return max(started)[2] if started else None


def read_rows(today: datetime.date) -> list[Row]:
    incubators = {path.stem for path in (REAL_CONTENT / "_incubators").glob("*.md")}
    domains = {
        path.stem: str(read(path)[0]["domaine_ministeriel"]).strip()
        for path in (REAL_CONTENT / "_organisations").glob("*.md")
    }
    rows = []
    for path in sorted((REAL_CONTENT / "_startups").glob("*.md")):
        front, body = read(path)
        hosts = {
            str(slug).removeprefix("/incubators/").strip("/")
            for slug in [front["incubator"], *(front.get("incubators") or [])]
        }
        sponsors = {
            str(slug).removeprefix("/organisations/").strip("/")
            for slug in front.get("sponsors") or []
        } & set(domains)
        rows.append(
            Row(
                slug=path.stem,
                phase=current_phase(front["phases"], today),
                incubators=hosts & incubators,
                sponsors=sponsors,
                domains={domains[slug] for slug in sponsors},
                thematiques=names(front.get("thematiques")),
                usertypes=names(front.get("usertypes")),
                text=folded(f"{front['title']} {front['mission']} {body}"),
            )
        )
    return rows


SETS = {
    "incubator": "incubators",
    "sponsor": "sponsors",
    "domain": "domains",
    "thematique": "thematiques",
    "usertype": "usertypes",
}


def matches(row: Row, params: dict, skip: str = "") -> bool:
    """Whether the startup of `row` passes `params`, leaving out the facet `skip`."""
    phases = set(params.get("phase", [])) if skip != "phase" else set()
    for group in params.get("groupe", []) if skip != "phase" else []:
        phases.update(GROUPS[group])
    if phases and row.phase not in phases:
        return False
    for name, attribute in SETS.items():
        if name in params and name != skip and params[name] not in getattr(row, attribute):
            return False
    return all(word in row.text for word in folded(params.get("q", "")).split())


def expected_facets(rows: list[Row], params: dict) -> dict[str, dict[str, int]]:
    """For each facet, how many startups each value gives with the other filters applied."""
    facets = {}
    phases = collections.Counter(r.phase for r in rows if r.phase and matches(r, params, "phase"))
    facets["phase"] = {phase: phases[phase] for phase in LIFECYCLE}
    facets["groupe"] = {
        group: sum(phases[phase] for phase in members) for group, members in GROUPS.items()
    }
    for name, attribute in SETS.items():
        counts = collections.Counter()
        for row in rows:
            if matches(row, params, name):
                counts.update(getattr(row, attribute))
        facets[name] = dict(counts)
    return facets


def shown_facets(response) -> dict[str, dict[str, int]]:
    """The facet counts of the page; the single-valued facets leave out zeros (but the
    selected value, which the independent count leaves out when it has no startup)."""
    shown = {}
    for name, values in response.context["facets"].items():
        counts = {facet.value: facet.count for facet in values}
        if name not in ("phase", "groupe"):
            counts = {value: count for value, count in counts.items() if count}
        shown[name] = counts
    return shown


@pytest.fixture(scope="module")
def real_content(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        call_command(
            "import_betagouv", str(REAL_CONTENT), stdout=StringIO(), stderr=StringIO(), verbosity=0
        )
        today = datetime.datetime.now(zoneinfo.ZoneInfo("Europe/Paris")).date()
        yield read_rows(today)
        transaction.set_rollback(True)


CASES = [
    {},
    {"q": "enfant"},
    {"q": "educ"},
    {"q": "ÉDUCATION nationale"},
    {"groupe": ["incubation"]},
    {"groupe": ["service-vivant", "arret"]},
    {"phase": ["construction", "acceleration"]},
    {"groupe": ["arret"], "phase": ["opere"], "q": "donnees"},
    {"incubator": "mtes"},
    {"incubator": "ademe", "groupe": ["incubation"]},
    {"sponsor": "dinum", "sort": "-launch"},
    {"domain": "education"},
    {"domain": "solidarite-sante", "groupe": ["service-vivant"], "sort": "title"},
    {"thematique": "Santé"},
    {"usertype": "particulier", "thematique": "Travail / Emploi", "sort": "-latest"},
]


@pytest.mark.parametrize("params", CASES, ids=lambda params: repr(params)[:60])
def test_list_and_facets_agree_with_an_independent_count(client, real_content, params):
    response = client.get("/startups/", params)
    assert response.status_code == 200
    expected = {row.slug for row in real_content if matches(row, params)}
    shown = {startup.slug for startup in response.context["filters"].qs}
    assert shown == expected
    assert response.context["page"].paginator.count == len(expected)
    assert expected or params  # every case but none finds something
    assert shown_facets(response) == expected_facets(real_content, params)


def test_co_incubated_startups_count_for_each_incubator(client, real_content):
    co_incubated = [row for row in real_content if len(row.incubators) > 1]
    assert co_incubated  # ecobalyse, ecopass: ADEME and the MTE's Fabrique
    for row in co_incubated:
        for incubator in row.incubators:
            response = client.get("/startups/", {"incubator": incubator, "sort": "title"})
            assert row.slug in {s.slug for s in response.context["filters"].qs}


def test_search_ignores_case_and_accents_on_the_real_content(client, real_content):
    # « enfant » finds « Enfants », « educ » finds « Éducation ».
    enfants = client.get("/startups/", {"q": "enfant"}).context["filters"].qs
    assert any("Enfants" in f"{s.title} {s.mission}" for s in enfants.only("title", "mission"))
    education = client.get("/startups/", {"q": "educ"}).context["filters"].qs
    assert any("Éducation" in s.description for s in education.only("description"))


def test_every_page_of_the_grouped_list_adds_up(client, real_content):
    """The default view: every startup once across the pages, grouped in the phases' order,
    each group's count the independent one."""
    first = client.get("/startups/")
    pages = first.context["page"].paginator.num_pages
    seen, totals, order = [], {}, []
    for number in range(1, pages + 1):
        response = client.get("/startups/", {"page": number})
        seen += [startup.slug for startup in response.context["page"].object_list]
        for section in response.context["sections"]:
            slug = section.phase.slug if section.phase else None
            totals[slug] = section.total
            if slug not in order:
                order.append(slug)
    assert sorted(seen) == sorted(row.slug for row in real_content)
    counts = collections.Counter(row.phase for row in real_content)
    assert totals == {phase: counts[phase] for phase in totals}
    assert set(totals) == set(counts)
    display = list(first.context["phases_by_slug"])
    assert order == sorted(order, key=lambda slug: display.index(slug) if slug else len(display))


# Hostile input and old addresses, on the real content

HOSTILE = "&".join(
    f"{name}={value}"
    for name, value in [
        ("q", "%00%01" + "x" * 5000),
        ("page", "9" * 40),
        ("phase", "construction%00"),
        ("phase", "nope"),
        ("groupe[]", "arret"),
        ("incubator", "%ff%fe"),
        ("sponsor", "'%20OR%201=1--"),
        ("domain", "%3Cscript%3E"),
        ("thematique", "Sant%C3%A9%00"),
        ("usertype", "x" * 5000),
        ("sort", "-title"),
        ("statut", "%ed%a0%80"),
    ]
)


def test_a_sample_of_every_page_type_survives_hostile_query_strings(client, real_content):
    from members.models import Member
    from startups.models import Incubator, Organisation, Phase, Startup

    def spread(model, count: int) -> list[str]:
        """`count` pages of `model`, evenly spread over its identifiers."""
        items = list(model.objects.order_by("slug").only("slug"))
        return [item.get_absolute_url() for item in items[:: max(1, len(items) // count)]]

    pages = ["/", "/startups/", "/membres/", "/incubateurs/", "/organisations/", "/recherche/"]
    pages += spread(Startup, 40) + spread(Member, 40) + spread(Organisation, 20)
    pages += spread(Incubator, 30) + spread(Phase, 8)
    for page in pages:
        assert client.get(f"{page}?{HOSTILE}").status_code == 200, page
        assert client.get(f"{page}?{HOSTILE}", headers={"HX-Request": "true"}).status_code == 200


def test_every_old_address_of_the_content_is_a_permanent_redirect(client, real_content):
    from startups.models import Incubator, Startup

    olds = [
        (old, item.get_absolute_url())
        for model in (Startup, Incubator)
        for item in model.objects.exclude(redirect_from=[])
        for old in item.redirect_from
    ]
    assert len(olds) > 50
    for old, new in olds:
        response = client.get(old)
        assert response.status_code == 301, old
        # Two files claim /startups/friches: the first by identifier wins; any is a page.
        assert client.get(response["Location"]).status_code == 200, old
        if old.removesuffix(".html").rstrip("/").casefold() not in DUPLICATED_OLD_ADDRESSES:
            assert response["Location"] == iri_to_uri(new), old
    for startup in Startup.objects.order_by("slug")[:50]:
        response = client.get(f"/startups/{startup.slug}.html")
        assert response.status_code == 301
        assert response["Location"] == iri_to_uri(startup.get_absolute_url())
