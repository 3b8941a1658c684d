"""The importer on beta.gouv.fr's real content, checked against an independent count."""

import collections
import datetime
from io import StringIO

import pytest
import yaml
from django.core.management import call_command

from members.models import Member
from startups.models import Startup
from tests.real_content import LIFECYCLE, REAL_CONTENT, needs_real_content

pytestmark = [*needs_real_content, pytest.mark.django_db]


def front_matters(folder: str) -> list[dict]:
    return [
        yaml.safe_load(path.read_text(encoding="utf-8")[3:].split("\n---", 1)[0])
        for path in sorted((REAL_CONTENT / folder).glob("*.md"))
    ]


def independent_phase_counts(startups: list[dict], day: datetime.date) -> dict[str, int]:
    counts = collections.Counter()
    for startup in startups:
        started = [p for p in startup["phases"] if p["start"] <= day]
        if started:
            latest = max(started, key=lambda p: (p["start"], LIFECYCLE.index(p["name"])))
            counts[latest["name"]] += 1
    return {phase: counts[phase] for phase in LIFECYCLE}


def test_real_content_imports_completely_and_counts_agree():
    out = StringIO()
    call_command("import_betagouv", str(REAL_CONTENT), stdout=out, stderr=StringIO(), verbosity=0)
    assert Startup.objects.count() == 662
    assert Member.objects.count() == 3484

    startups = front_matters("_startups")
    authors = front_matters("_authors")
    for day in [datetime.date(2015, 3, 1), datetime.date(2021, 1, 1), datetime.date(2025, 9, 19)]:
        assert Startup.objects.phase_counts_on(day) == independent_phase_counts(startups, day)
        active = sum(
            any(
                m["start"] <= day and (m.get("end") is None or m["end"] >= day)
                for m in a["missions"]
            )
            for a in authors
        )
        assert Member.objects.active_on(day).count() == active

    out = StringIO()
    call_command("import_betagouv", str(REAL_CONTENT), stdout=out, stderr=StringIO(), verbosity=0)
    assert "Aucun changement" in out.getvalue()
