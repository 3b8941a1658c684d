"""The statistics page at scale: server time and query count, in process (test client).

"cold" clears the cache before each request, so every figure is computed by the database
(what the first request after an import, or for a new date, costs); "warm" is any later
request for the same date at the same portfolio version (the figures come from the cache).
The time of each figure, cold, is listed too, to show where the cold time goes.

One database (the one of DATABASE_URL), printed:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench100 .venv/bin/python bench/bench_stats.py

Several, each in its own process, and the "stats" section of bench/RESULTS.md rewritten:

    .venv/bin/python bench/bench_stats.py --write --databases \\
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

from results import clear_caches, machine, percentile, write_section

# The project, for Django (this folder is on the path already: `results`).
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


STATIC_STORAGE = "django.contrib.staticfiles.storage.StaticFilesStorage"


def measure_here(runs: int, warm_runs: int, date: str) -> dict:
    """Measure against DATABASE_URL in this process; returns plain numbers."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "betagouv.settings")
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-not-a-secret")
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")
    os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")
    os.environ.setdefault("DJANGO_LOG_LEVEL", "ERROR")
    os.environ.setdefault("DJANGO_REQUEST_LOG", "0")
    django.setup()

    import datetime

    from django.conf import settings
    from django.test.utils import override_settings

    # Production settings but plain static file names (no collectstatic needed).
    storages = {**settings.STORAGES, "staticfiles": {"BACKEND": STATIC_STORAGE}}
    override_settings(STORAGES=storages).enable()

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from members.models import Member, Mission
    from startups.models import Startup, StartupPhase
    from stats.figures import FIGURES

    day = datetime.date.fromisoformat(date) if date else timezone.localdate()
    client = Client()

    def timed(url: str, count: int, clear: bool) -> dict:
        timings, queries, status = [], 0, 0
        for _ in range(count):
            if clear:
                clear_caches()
            with CaptureQueriesContext(connection) as context:
                start = time.perf_counter()
                response = client.get(url)
                timings.append((time.perf_counter() - start) * 1000)
            queries, status = len(context), response.status_code
        return {
            "p50": statistics.median(timings),
            "p95": percentile(timings, 0.95),
            "queries": queries,
            "status": status,
            "bytes": len(response.content),
        }

    page = f"/statistiques/?date={day.isoformat()}"
    client.get(page)  # Imports, template compilation, connection.
    results = {
        "database": connection.vendor,
        "size": {
            "startups": Startup.objects.count(),
            "phases": StartupPhase.objects.count(),
            "members": Member.objects.count(),
            "missions": Mission.objects.count(),
        },
        "date": day.isoformat(),
        "scenarios": {},
        "figures": {},
    }
    scenarios = [
        ("page", page),
        ("phases.csv", f"/statistiques/phases.csv?date={day.isoformat()}"),
        ("evolution.csv", f"/statistiques/evolution.csv?date={day.isoformat()}"),
    ]
    for name, url in scenarios:
        results["scenarios"][name] = {
            "cold": timed(url, runs, clear=True),
            "warm": timed(url, warm_runs, clear=False),
        }
    for name, figure in FIGURES.items():
        start = time.perf_counter()
        figure(day)
        results["figures"][name] = (time.perf_counter() - start) * 1000
    return results


def label(url: str) -> str:
    return url.split("/")[-1] or url.split("@")[-1]


def markdown(all_results: list[tuple[str, dict]], runs: int, warm_runs: int, load: str) -> str:
    lines = [
        "## Statistics page (`bench/bench_stats.py`)",
        "",
        f"{machine()}, load average {load} when it started (the machine is shared). "
        "In process through the whole middleware stack (Django's test client), "
        f"p50 and p95 in ms; cold: cache cleared before each of {runs} requests, warm: "
        f"{warm_runs} requests with the figures cached (same date, same portfolio version). "
        "Goal: well under a second at 100×, a query count that does not depend on the data.",
        "",
        "| database | size | request | cold p50 | cold p95 | cold queries | warm p50 | warm p95 "
        "| warm queries | HTML/CSV bytes |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for url, result in all_results:
        size = result["size"]
        described = (
            f"{size['startups']:,} startups, {size['phases']:,} phases, "
            f"{size['members']:,} members, {size['missions']:,} missions"
        )
        for name, modes in result["scenarios"].items():
            cold, warm = modes["cold"], modes["warm"]
            lines.append(
                f"| {result['database']} `{label(url)}` | {described} | {name} "
                f"| {cold['p50']:.0f} | {cold['p95']:.0f} | {cold['queries']} "
                f"| {warm['p50']:.1f} | {warm['p95']:.1f} | {warm['queries']} | {cold['bytes']:,} |"
            )
            described = ""
    lines += ["", "Cold time of each figure (ms, one run):", ""]
    names = list(all_results[0][1]["figures"])
    lines.append("| database | " + " | ".join(names) + " |")
    lines.append("|---" * (len(names) + 1) + "|")
    for url, result in all_results:
        cells = " | ".join(f"{result['figures'][name]:.0f}" for name in names)
        lines.append(f"| {result['database']} `{label(url)}` | {cells} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="cold requests per scenario")
    parser.add_argument("--warm-runs", type=int, default=20, help="warm requests per scenario")
    parser.add_argument("--date", default="", help="AAAA-MM-JJ, today by default")
    parser.add_argument("--databases", nargs="*", help="database URLs, each run in a process")
    parser.add_argument("--write", action="store_true", help="rewrite the section of RESULTS.md")
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.json:
        print(json.dumps(measure_here(args.runs, args.warm_runs, args.date)))
        return
    urls = args.databases or [os.environ.get("DATABASE_URL", "sqlite:///db.sqlite3")]
    load = " / ".join(f"{value:.1f}" for value in os.getloadavg())
    all_results = []
    for url in urls:
        child = subprocess.run(
            [
                *(sys.executable, __file__, "--json", "--runs", str(args.runs)),
                *("--warm-runs", str(args.warm_runs), "--date", args.date),
            ],
            env={**os.environ, "DATABASE_URL": url},
            capture_output=True,
            text=True,
            check=True,
        )
        all_results.append((url, json.loads(child.stdout.strip().splitlines()[-1])))
    body = markdown(all_results, args.runs, args.warm_runs, load)
    print(body)
    if args.write:
        write_section("stats", body)


if __name__ == "__main__":
    main()
