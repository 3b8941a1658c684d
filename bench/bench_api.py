"""Server time and query count of the API's answers, in process (no network, no client).

Each scenario runs `--runs` times through Django's full middleware stack (test client) and
reports p50/p95 in milliseconds and the number of queries. "cold" runs with the response
cache off (every answer built from the database), "warm" with it on (what a second request
for the same URL at the same portfolio version costs).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/betagouv_dev .venv/bin/python bench/bench_api.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench100 .venv/bin/python bench/bench_api.py \
        --runs 5
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "betagouv.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-not-a-secret")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("DJANGO_LOG_LEVEL", "ERROR")
os.environ.setdefault("DJANGO_REQUEST_LOG", "0")
os.environ["API_RATE_LIMIT"] = "0"
django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench.results import clear_caches, machine, percentile, write_section  # noqa: E402
from startups.models import Startup  # noqa: E402

SCENARIOS = [
    ("startups, full dump (page_size=1000)", "/api/v1/startups?page_size=1000", {}),
    ("startups, full dump, brotli", "/api/v1/startups?page_size=1000", {"accept-encoding": "br"}),
    ("startups, full dump, gzip", "/api/v1/startups?page_size=1000", {"accept-encoding": "gzip"}),
    ("startups, first page (100)", "/api/v1/startups", {}),
    ("startups, filtered", "/api/v1/startups?groupe=incubation&sort=title&page_size=1000", {}),
    ("startups, phase_on", "/api/v1/startups?phase=construction&phase_on=2020-01-01", {}),
    ("startups, CSV full dump", "/api/v1/startups.csv?page_size=1000", {}),
    ("startup detail", "/api/v1/startups/{slug}", {}),
    ("members, page_size=1000", "/api/v1/members?page_size=1000", {}),
    ("incubators", "/api/v1/incubators", {}),
    ("organisations, page_size=1000", "/api/v1/organisations?page_size=1000", {}),
    ("stats/phases", "/api/v1/stats/phases?date=2022-01-01", {}),
    ("stats/evolution", "/api/v1/stats/evolution", {}),
    ("v2.7/startups.json", "/api/v2.7/startups.json", {}),
    ("v2.7/authors.json", "/api/v2.7/authors.json", {}),
    ("v2.7/startups.csv", "/api/v2.7/startups.csv", {}),
]


def measure(
    client: Client, url: str, headers: dict, runs: int
) -> tuple[list[float], int, int, int]:
    timings, queries, size, status = [], 0, 0, 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as context:
            start = time.perf_counter()
            response = client.get(url, headers=headers)
            timings.append((time.perf_counter() - start) * 1000)
        queries, size, status = len(context), len(response.content), response.status_code
    return timings, queries, size, status


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--only", default="", help="run the scenarios whose name contains this")
    parser.add_argument("--skip", default="", help="skip the scenarios whose name contains this")
    parser.add_argument("--write", default="", help="section name in bench/RESULTS.md")
    args = parser.parse_args()
    lines: list[str] = []
    client = Client()
    slug = Startup.objects.order_by("slug").values_list("slug", flat=True).first()
    load = os.getloadavg()[0]
    lines.append(
        f"{Startup.objects.count()} startups, {connection.vendor} "
        f"({connection.settings_dict['NAME']}), {args.runs} runs per scenario, {machine()}, "
        f"load average {load:.1f} when it started. In process through every middleware: "
        "*cold* builds each answer from the database (response cache off), *warm* is the "
        "same URL again at the same portfolio version (every request but the first after an "
        "edit). Goal: the full dump under 200 ms."
    )
    lines.append("")
    lines.append("| scenario | cache | p50 ms | p95 ms | queries | bytes | status |")
    lines.append("|---|---|---|---|---|---|---|")
    print("\n".join(lines))
    for name, url, headers in SCENARIOS:
        if args.only not in name or (args.skip and args.skip in name):
            continue
        url = url.format(slug=slug)
        for mode, seconds in (("cold", 0), ("warm", 3600)):
            settings.RESPONSE_CACHE_SECONDS = seconds
            clear_caches()
            client.get(url, headers=headers)  # warm the process (and the cache, when on)
            timings, queries, size, status = measure(client, url, headers, args.runs)
            emit(
                lines,
                f"| {name} | {mode} | {statistics.median(timings):.1f} | "
                f"{percentile(timings, 0.95):.1f} | {queries} | {size} | {status} |",
            )
    settings.RESPONSE_CACHE_SECONDS = 0
    etag = client.get("/api/v1/startups?page_size=1000")["ETag"]
    timings, queries, _, status = measure(
        client, "/api/v1/startups?page_size=1000", {"if-none-match": etag}, args.runs
    )
    emit(
        lines,
        f"| revalidation (If-None-Match) | — | {statistics.median(timings):.1f} | "
        f"{percentile(timings, 0.95):.1f} | {queries} | 0 | {status} |",
    )
    if args.write:
        title = f"## API, {args.write} (`bench/bench_api.py`)"
        write_section(f"api-{args.write}", "\n".join([title, "", *lines]))


def emit(lines: list[str], line: str) -> None:
    lines.append(line)
    print(line, flush=True)


if __name__ == "__main__":
    main()
