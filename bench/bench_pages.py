"""The public pages at scale: server time and query count, in process (test client).

Every page type, with the filters a visitor uses; the detail pages are the heaviest of their
kind (the incubator and the sponsor with the most startups, the startup with the most
members, the member with the most missions). The query count must be the same on every
database, whatever its size.

One database (the one of DATABASE_URL), printed:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench100 .venv/bin/python bench/bench_pages.py

Several, each in its own process, and the "pages" section of bench/RESULTS.md rewritten:

    .venv/bin/python bench/bench_pages.py --write --databases \\
        postgres://postgres@127.0.0.1:5432/betagouv_dev sqlite:////tmp/demo100.sqlite3 \\
        postgres://postgres@127.0.0.1:5432/bench100
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from results import machine, write_section

# The project, for Django (this folder is on the path already: `results`).
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

STATIC_STORAGE = "django.contrib.staticfiles.storage.StaticFilesStorage"


def busiest(queryset, relation: str) -> str:
    from django.db.models import Count

    return queryset.annotate(n=Count(relation)).order_by("-n", "pk").values_list("slug")[0][0]


def pages() -> list[tuple[str, str]]:
    """(name, URL) of every page type, the detail pages on the heaviest rows."""
    from members.models import Member
    from startups.models import Incubator, Organisation, Startup

    incubator = busiest(Incubator.objects, "startups")
    sponsor = busiest(Organisation.objects, "sponsored_startups")
    startup = busiest(Startup.objects, "missions")
    member = busiest(Member.objects, "missions")
    moved = Startup.objects.exclude(redirect_from=[]).order_by("pk").first()
    if moved is None:
        raise SystemExit(
            "No startup has an old address: data generated before generate_demo_data gave "
            "some. Drop the benchmark databases (DROP DATABASE bench_1x, …); make bench "
            "generates them again."
        )
    two_phases = f"/startups/?phase=construction&phase=acceleration&sponsor={sponsor}"
    by_launch = f"/startups/?groupe=incubation&incubator={incubator}&sort=-launch"
    return [
        ("home", "/"),
        ("list", "/startups/"),
        ("list, search", "/startups/?q=enfant"),
        ("list, 2 phases + sponsor", two_phases),
        ("list, group + incubator, by launch", by_launch),
        ("list, htmx, page 3 by name", "HX /startups/?sort=title&page=3"),
        ("list, bad values", "/startups/?phase=nope&incubator=%00&page=zz"),
        ("startup", f"/startups/{startup}/"),
        ("phase", "/phases/construction/"),
        ("incubators", "/incubateurs/"),
        ("incubator", f"/incubateurs/{incubator}/"),
        ("sponsors", "/organisations/"),
        ("sponsor", f"/organisations/{sponsor}/"),
        ("members", "/membres/"),
        ("members, active + domain", "/membres/?statut=actif&domain=Design"),
        ("members, incubator", f"/membres/?incubator={incubator}"),
        ("member", f"/membres/{member}/"),
        ("search", "/recherche/?q=educ"),
        ("old address", moved.redirect_from[0]),
        ("unknown old address", "/startups/ancienne-adresse.html"),
    ]


def measure_here(runs: int) -> dict:
    """Measure against DATABASE_URL in this process; returns plain numbers."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "betagouv.settings")
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-not-a-secret")
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")
    os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")
    os.environ.setdefault("DJANGO_LOG_LEVEL", "ERROR")
    os.environ.setdefault("DJANGO_REQUEST_LOG", "0")
    django.setup()

    from django.conf import settings
    from django.test.utils import override_settings

    storages = {**settings.STORAGES, "staticfiles": {"BACKEND": STATIC_STORAGE}}
    override_settings(STORAGES=storages).enable()

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from members.models import Member
    from startups.models import Startup

    client = Client()
    results = {
        "database": connection.vendor,
        "size": {"startups": Startup.objects.count(), "members": Member.objects.count()},
        "pages": {},
    }
    for name, url in pages():
        headers = {}
        if url.startswith("HX "):
            url, headers = url[3:], {"HX-Request": "true"}
        client.get(url, headers=headers)  # Template compilation, caches of the database.
        timings = []
        for _ in range(runs):
            with CaptureQueriesContext(connection) as context:
                start = time.perf_counter()
                response = client.get(url, headers=headers)
                timings.append((time.perf_counter() - start) * 1000)
        results["pages"][name] = {
            "url": url,
            "status": response.status_code,
            "queries": len(context),
            "p50": statistics.median(timings),
            "max": max(timings),
            "slowest_query": max((float(q["time"]) for q in context.captured_queries), default=0)
            * 1000,
        }
    return results


def label(url: str) -> str:
    return url.split("/")[-1] or url.split("@")[-1]


def markdown(all_results: list[tuple[str, dict]], runs: int, load: str) -> str:
    lines = [
        "## Public pages (`bench/bench_pages.py`)",
        "",
        f"{machine()}, load average {load} when it started (the machine is shared). "
        "In process through the whole middleware stack (Django's test client), no cache, "
        f"median and max of {runs} requests after a first one, in ms. The detail pages are "
        "the heaviest of their kind. Goal: the same query count on every database.",
        "",
    ]
    names = list(all_results[0][1]["pages"])
    header = "| page | " + " | ".join(
        f"{r['database']} `{label(url)}` ({r['size']['startups']:,} startups)"
        for url, r in all_results
    )
    lines.append(header + " |")
    lines.append("|---" * (len(all_results) + 1) + "|")
    for name in names:
        cells = []
        for _, result in all_results:
            page = result["pages"][name]
            cells.append(
                f"{page['queries']} q, {page['p50']:.0f} ms (max {page['max']:.0f}, "
                f"slowest query {page['slowest_query']:.0f})"
                + ("" if page["status"] in (200, 301) else f", status {page['status']}")
            )
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="requests per page")
    parser.add_argument("--databases", nargs="*", help="database URLs, each run in a process")
    parser.add_argument("--write", action="store_true", help="rewrite the section of RESULTS.md")
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.json:
        print(json.dumps(measure_here(args.runs)))
        return
    urls = args.databases or [os.environ.get("DATABASE_URL", "sqlite:///db.sqlite3")]
    load = " / ".join(f"{value:.1f}" for value in os.getloadavg())
    all_results = []
    for url in urls:
        child = subprocess.run(
            [sys.executable, __file__, "--json", "--runs", str(args.runs)],
            env={**os.environ, "DATABASE_URL": url},
            capture_output=True,
            text=True,
            check=True,
        )
        all_results.append((url, json.loads(child.stdout.strip().splitlines()[-1])))
    body = markdown(all_results, args.runs, load)
    print(body)
    if args.write:
        write_section("pages", body)


if __name__ == "__main__":
    main()
