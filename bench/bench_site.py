"""`make bench`: every page type and API endpoint at 1×, 10× and 100× the real portfolio.

    .venv/bin/python bench/bench_site.py [--scales 1x 10x 100x] [--load-seconds 30]

1. Data: PostgreSQL databases `bench_1x`, `bench_10x`, `bench_100x` (127.0.0.1:5432, user
   postgres), migrated and filled by `generate_demo_data --startups N --seed 1` when empty
   (662, 6,620 and 66,200 startups; the 100× one takes about two minutes the first time).
2. In process, for each scale (Django's test client through the whole middleware stack,
   production settings, Redis as the cache when it answers on 127.0.0.1:6379), each page
   type and API endpoint, p50/p95 server time and the query count:
   - *cold*: the cache emptied before each request (the first visitor after an edit);
   - *data cached*: the response cache off, the data the site caches per version of the
     portfolio (counts, facets, statistics) computed by an earlier request (another
     address, page or sort of the same data);
   - *cached*: the shared response cache on (every visitor but the first after an edit);
   - *floor*: a Django view returning the same bytes, with the same content type, from
     memory, through the same middleware (the framework floor of that answer), requested
     in turn with the cached answer so that both see the same moments of the machine.
   Query counts come from one request apart (counting slows each query down). Then the
   least an uncached page costs: the base template with no data, before and after one
   query (`floor_urls.py`), against the floor of the same bytes.
3. Under load, at the largest scale: gunicorn (`gunicorn.conf.py`) on loopback and wrk for
   `--load-seconds` per target (list, startup page, statistics, API list), response cache
   on then off, and the two references for each target's own bytes: the framework floor on
   the same gunicorn, and nginx serving them as a static file (the ceiling).

Results go to the "site" section of bench/RESULTS.md, with the date, the machine and the
commit. Needs `wrk` and `nginx` (apt-get install -y wrk nginx) for step 3; without them, it
says so and skips that step.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))
from results import clear_caches, machine, percentile, write_section  # noqa: E402

SCALES = {"1x": 662, "10x": 6_620, "100x": 66_200}
POSTGRES = "postgres://postgres@127.0.0.1:5432/"
REDIS_URL = "redis://127.0.0.1:6379/14"
PYTHON = sys.executable
# Production settings with what a benchmark needs (bench/site_settings.py).
ENV = {
    "DJANGO_SETTINGS_MODULE": "site_settings",
    "PYTHONPATH": os.pathsep.join([str(BENCH), str(ROOT)]),
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "bench-only-not-a-secret-0123456789abcdefghijklmnopqrstuvwxyz",
    "DJANGO_ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
    "DJANGO_SECURE_SSL_REDIRECT": "0",
    "DJANGO_LOG_LEVEL": "ERROR",
    "DJANGO_REQUEST_LOG": "0",
    "API_RATE_LIMIT": "0",
}
LOAD_TARGETS = ["list", "startup", "statistics", "API startups"]


# 1. Data


def psql(sql: str, database: str = "postgres") -> str:
    return subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", database, "-tAc", sql],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def prepare(scale: str) -> str:
    name = f"bench_{scale}"
    if psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'") != "1":
        psql(f"CREATE DATABASE {name}")
    url = POSTGRES + name
    env = {**os.environ, **ENV, "DATABASE_URL": url}
    for command in (
        ["migrate", "--verbosity", "0"],
        ["generate_demo_data", "--startups", str(SCALES[scale]), "--seed", "1", "--if-empty"],
    ):
        subprocess.run([PYTHON, "manage.py", *command], cwd=ROOT, env=env, check=True)
    # The tables as a database in service has them, whatever autovacuum has done yet to
    # freshly generated ones: the planner's statistics and the visibility map (which the
    # counts' index-only scans need) up to date, the same at every run.
    psql("VACUUM ANALYZE", database=name)
    return url


# 2. In process


def targets() -> list[tuple[str, str]]:
    """(name, URL) of each page type and API endpoint; detail pages on the heaviest rows."""
    from bench_pages import busiest, pages

    from startups.models import Startup

    startup = busiest(Startup.objects, "missions")
    return [
        *pages(),
        ("statistics", "/statistiques/"),
        # Only today's figures are prepared after an edit: another day's are computed.
        ("statistics, a past date", "/statistiques/?date=2024-12-31"),
        ("statistics CSV", "/statistiques/phases.csv"),
        ("feed, phase changes", "/flux/changements-de-phase.atom"),
        ("sitemap", "/sitemap.xml"),
        ("API startups", "/api/v1/startups"),
        ("API startups, filtered", "/api/v1/startups?phase=construction&sort=-launch"),
        ("API startup", f"/api/v1/startups/{startup}"),
        ("API members", "/api/v1/members"),
        ("API stats, phases", "/api/v1/stats/phases"),
        ("API stats, evolution", "/api/v1/stats/evolution"),
    ]


def target_slug(name: str) -> str:
    """`list, htmx, page 3 by name` → `list-htmx-page-3-by-name`: a target's floor address."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def timed(client, url: str, headers: dict, runs: int, before=None) -> dict:
    """p50 and p95 (ms) of `runs` requests, then the query count and status of one more."""
    return timed_in_turn(client, [(url, headers)], runs, before)[0]


def timed_in_turn(client, requests: list[tuple[str, dict]], runs: int, before=None) -> list[dict]:
    """`timed` for each (url, headers) of `requests`, sent in turn: a target and its floor,
    measured alternately, see the same moments of a shared machine. The query count comes
    from a request apart: counting wraps each query in Django's debug cursor, whose cost the
    timings must not include."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    timings: list[list[float]] = [[] for _ in requests]
    for _ in range(runs):
        for (url, headers), times in zip(requests, timings, strict=True):
            if before:
                before()
            started = time.perf_counter()
            client.get(url, headers=headers)
            times.append((time.perf_counter() - started) * 1000)
    results = []
    for (url, headers), times in zip(requests, timings, strict=True):
        if before:
            before()
        with CaptureQueriesContext(connection) as context:
            response = client.get(url, headers=headers)
        results.append(
            {
                "p50": statistics.median(times),
                "p95": percentile(times, 0.95),
                "queries": len(context),
                "status": response.status_code,
            }
        )
    return results


def measure_here(runs: int, cached_runs: int, floor_dir: str) -> dict:
    from django.conf import settings
    from django.test import Client

    # The process as gunicorn's workers run it: set up, then its objects frozen (wsgi.py).
    import betagouv.wsgi  # noqa: F401
    from members.models import Member
    from startups.models import Startup

    client = Client()
    result = {
        "size": {"startups": Startup.objects.count(), "members": Member.objects.count()},
        "cache": settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1],
        "targets": {},
    }
    os.environ["BENCH_FLOOR_DIR"] = floor_dir
    for name, url in targets():
        headers = {}
        if url.startswith("HX "):
            url, headers = url[3:], {"HX-Request": "true"}
        settings.RESPONSE_CACHE_SECONDS = 0
        client.get(url, headers=headers)  # compiled templates, warm database pages
        cold = timed(client, url, headers, runs, before=after_an_edit)
        data_cached = timed(client, url, headers, cached_runs)
        settings.RESPONSE_CACHE_SECONDS = 3600
        clear_caches()
        answer = client.get(url, headers=headers)
        slug = target_slug(name)
        Path(floor_dir, f"{slug}.body").write_bytes(answer.content)
        Path(floor_dir, f"{slug}.type").write_text(answer.get("Content-Type", "text/html"))
        floor_url = f"/bench/floor/{slug}/"
        client.get(floor_url)
        cached, floor = timed_in_turn(client, [(url, headers), (floor_url, {})], cached_runs)
        result["targets"][name] = {
            "url": url,
            "bytes": len(answer.content),
            "cold": cold,
            "data_cached": data_cached,
            "cached": cached,
            "floor": floor,
        }
    result["lower_bounds"] = lower_bounds(client, cached_runs, floor_dir)
    result["preparing"] = preparing_time(runs)
    return result


def preparing_time(runs: int) -> dict:
    """p50 and p95 (ms) of what an edit's request spends once answered: today's statistics."""
    from stats.figures import prepare_todays_figures

    times = []
    for _ in range(runs):
        an_edit()
        started = time.perf_counter()
        prepare_todays_figures()
        times.append((time.perf_counter() - started) * 1000)
    return {"p50": statistics.median(times), "p95": percentile(times, 0.95)}


def an_edit() -> None:
    """What an edit leaves: the cache emptied (nothing computed yet), a new version."""
    from startups.models import PortfolioVersion

    clear_caches()
    PortfolioVersion.bump()


def after_an_edit() -> None:
    """What the first visitor after an edit finds: `an_edit`, and what the edit's request did
    once answered (`stats.signals`: today's statistics computed)."""
    from stats.figures import prepare_todays_figures

    an_edit()
    prepare_todays_figures()


def lower_bounds(client, runs: int, floor_dir: str) -> dict:
    """The least an uncached page costs here: the site's base template with no data, then
    after one query, each timed in turn with the floor of the same bytes."""
    body = client.get("/bench/empty-page/").content
    Path(floor_dir, "empty-page.body").write_bytes(body)
    Path(floor_dir, "empty-page.type").write_text("text/html; charset=utf-8")
    requests = [
        ("/bench/empty-page/", {}),
        ("/bench/empty-page/one-query/", {}),
        ("/bench/floor/empty-page/", {}),
    ]
    for url, headers in requests:
        client.get(url, headers=headers)
    empty, one_query, floor = timed_in_turn(client, requests, runs)
    return {"empty page": empty, "one query": one_query, "floor": floor}


def measure(url: str, runs: int, cached_runs: int, floor_dir: str) -> dict:
    env = {**os.environ, **ENV, "DATABASE_URL": url, "REDIS_URL": redis_url()}
    child = subprocess.run(
        [PYTHON, __file__, "--json", str(runs), str(cached_runs), floor_dir],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(child.stdout.strip().splitlines()[-1])


def redis_url() -> str:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return REDIS_URL
    except OSError:
        return ""


# 3. Under load


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(url: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer within 60 s")


def wrk(url: str, seconds: int) -> dict:
    output = subprocess.run(
        ["wrk", "-t2", "-c32", f"-d{seconds}s", "--timeout", "30s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    units = {"us": 0.001, "ms": 1.0, "s": 1000.0}

    def latency(percent: str) -> float:
        found = re.search(rf"^\s+{percent}%\s+([\d.]+)(us|ms|s)\s*$", output, re.M)
        return float(found[1]) * units[found[2]]

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)", output)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1]),
        "p50": latency("50"),
        "p99": latency("99"),
        "errors": (int(errors[1]) if errors else 0),
        "socket_errors": socket_errors[1] if socket_errors else "",
    }


def nginx_serving(folder: Path, port: int) -> subprocess.Popen:
    """nginx serving the files of `folder`/site, HTML and JSON with their content types."""
    user = "user root;\n" if os.geteuid() == 0 else ""
    config = folder / "nginx.conf"
    config.write_text(
        f"{user}worker_processes auto;\ndaemon off;\npid {folder}/nginx.pid;\n"
        f"error_log {folder}/error.log;\nevents {{ worker_connections 1024; }}\n"
        "http {\n  access_log off;\n  sendfile on;\n  keepalive_requests 100000;\n"
        f"  client_body_temp_path {folder}; proxy_temp_path {folder};\n"
        f"  fastcgi_temp_path {folder}; uwsgi_temp_path {folder}; scgi_temp_path {folder};\n"
        "  types { text/html html; application/json json; }\n"
        f"  server {{\n    listen 127.0.0.1:{port};\n    root {folder}/site;\n  }}\n}}\n"
    )
    return subprocess.Popen(
        ["nginx", "-c", str(config), "-p", str(folder)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def start_gunicorn(url: str, floor_dir: str, port: int, cached: bool) -> subprocess.Popen:
    env = {
        **os.environ,
        **ENV,
        "DATABASE_URL": url,
        "REDIS_URL": redis_url(),
        "BENCH_FLOOR_DIR": floor_dir,
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "DJANGO_RESPONSE_CACHE_SECONDS": "3600" if cached else "0",
    }
    return subprocess.Popen(
        [str(Path(PYTHON).parent / "gunicorn"), "-c", "gunicorn.conf.py", "betagouv.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def under_load(url: str, result: dict, floor_dir: str, seconds: int) -> dict:
    """wrk on each target with the response cache on (production) then off, and on the
    same bytes served by the framework floor and by nginx (the ceiling);
    {(target, "cached" | "uncached" | "floor" | "ceiling"): numbers}."""
    paths = {name: result["targets"][name]["url"] for name in LOAD_TARGETS}
    loads = {}
    for cached in (True, False):
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        gunicorn = start_gunicorn(url, floor_dir, port, cached)
        try:
            wait_for(base + "/healthz")
            for name, path in paths.items():
                urllib.request.urlopen(base + path, timeout=60).read()  # fills the caches
                loads[name, "cached" if cached else "uncached"] = wrk(base + path, seconds)
                if cached:
                    floor = f"{base}/bench/floor/{target_slug(name)}/"
                    loads[name, "floor"] = wrk(floor, seconds)
        finally:
            gunicorn.terminate()
            gunicorn.wait(timeout=30)
    folder = Path(tempfile.mkdtemp(prefix="bench-nginx-"))
    (folder / "site").mkdir()
    files = {}
    for name in paths:
        slug = target_slug(name)
        json_body = "json" in Path(floor_dir, f"{slug}.type").read_text()
        files[name] = f"{slug}.{'json' if json_body else 'html'}"
        shutil.copy(Path(floor_dir, f"{slug}.body"), folder / "site" / files[name])
    for path in (folder, folder / "site", *(folder / "site").iterdir()):
        path.chmod(0o755)
    nginx_port = free_port()
    nginx = nginx_serving(folder, nginx_port)
    try:
        wait_for(f"http://127.0.0.1:{nginx_port}/{files[LOAD_TARGETS[0]]}")
        for name, file in files.items():
            loads[name, "ceiling"] = wrk(f"http://127.0.0.1:{nginx_port}/{file}", seconds)
    finally:
        nginx.terminate()
        nginx.wait(timeout=30)
        shutil.rmtree(folder, ignore_errors=True)
    return loads


# Report


def times(numbers: dict) -> str:
    return f"{numbers['p50']:.1f} / {numbers['p95']:.1f}"


def lower_bound(bounds: dict) -> str:
    floor = bounds["floor"]["p50"]
    empty, one_query = bounds["empty page"], bounds["one query"]
    ratio = one_query["p50"] / floor
    measured = (
        "- The least an uncached page costs (p50): the site's base template with no data, "
        f"{empty['p50']:.1f} ms ({empty['p50'] / floor:.1f}× its floor of {floor:.1f} ms); "
        f"after one query of one row, {one_query['p50']:.1f} ms ({ratio:.1f}×)."
    )
    if ratio >= 5:
        return measured + (
            " A page that reads the database is past 5× the floor before it counts or lists "
            "anything: here, cold within 5× the floor is out of reach."
        )
    return measured + (
        f" A page that reads the database has {5 - ratio:.1f}× the floor left for its own "
        "queries and rendering."
    )


def markdown(results: dict[str, dict], loads: dict, seconds: int, load: str) -> str:
    largest = list(results)[-1]
    big = results[largest]
    lines = [
        "## The site at 1×, 10× and 100× (`bench/bench_site.py`, `make bench`)",
        "",
        f"{machine()}; load average {load} when it started (the machine is shared). "
        f"PostgreSQL on the same machine; cache: {big['cache']}. Data generated by "
        "`generate_demo_data --seed 1`: "
        + ", ".join(
            f"{scale} = {r['size']['startups']:,} startups and {r['size']['members']:,} members"
            for scale, r in results.items()
        )
        + ".",
        "",
        f"### In process ({largest})",
        "",
        "Django's test client through the whole middleware stack, production settings; times "
        "in ms, p50 / p95. *Cold*: the first visitor after an edit, before each request: the "
        "cache emptied, the portfolio version bumped, and today's statistics computed as the "
        "edit's request computes them once answered (`stats/signals.py`); every other count, "
        "facet and figure is computed by the request (another day's statistics too). *Data "
        "cached*: the response cache off, the data cached per version of the portfolio "
        "(counts, facets, statistics) computed by an earlier request (another address, page "
        "or sort of the same data). "
        "*Cached*: the shared response cache on (every visitor but the first after an edit). "
        "*Floor*: a Django view returning the same bytes from memory through the same "
        "middleware, requested in turn with the cached answer. Query counts from one more "
        "request, apart from the timed ones. Ratios: p95 cold ÷ p95 floor, p50 cached ÷ p50 "
        "floor.",
        "",
        "| target | queries " + " / ".join(results) + " | cold | data cached | cached | floor "
        "| cold ÷ floor | cached ÷ floor |",
        "|---|---|---|---|---|---|---|---|",
    ]
    same_counts, slow, slow_data, cold_within5, cached_over2 = [], [], [], [], []
    for name, target in big["targets"].items():
        counts = [r["targets"][name]["cold"]["queries"] for r in results.values()]
        identical = len(set(counts)) == 1
        same_counts.append(identical)
        cold, data, cached, floor = (
            target[key] for key in ("cold", "data_cached", "cached", "floor")
        )
        cold_ratio = cold["p95"] / floor["p95"]
        cached_ratio = cached["p50"] / floor["p50"]
        if cold["p95"] >= 100:
            slow.append(f"{name} {cold['p95']:.0f} ms")
        if data["p95"] >= 100:
            slow_data.append(f"{name} {data['p95']:.0f} ms")
        cold_within5.append(cold_ratio <= 5)
        if cached_ratio > 2:
            never_stored = " (a 404: never stored, by design)" if cached["status"] == 404 else ""
            cached_over2.append(f"{name} {cached_ratio:.1f}×{never_stored}")
        status = "" if cold["status"] in (200, 301) else f" (status {cold['status']})"
        lines.append(
            f"| {name}{status} | {' / '.join(map(str, counts))}{'' if identical else ' ✗'} "
            f"| {times(cold)} | {times(data)} ({data['queries']} q) "
            f"| {times(cached)} ({cached['queries']} q) | {times(floor)} "
            f"| {cold_ratio:.0f}× | {cached_ratio:.1f}× |"
        )
    total = len(same_counts)
    lines += [
        "",
        f"- Identical query counts at every scale: **{sum(same_counts)} of {total}** targets.",
        f"- Cold p95 under 100 ms: **{total - len(slow)} of {total}**"
        + (f"; over: {', '.join(slow)}" if slow else "")
        + ".",
        f"- Data cached p95 under 100 ms: **{total - len(slow_data)} of {total}**"
        + (f"; over: {', '.join(slow_data)}" if slow_data else "")
        + ".",
        f"- Cold within 5× the floor (p95): **{sum(cold_within5)} of {total}**.",
        f"- Cached within 2× the floor (p50): **{total - len(cached_over2)} of {total}**"
        + (f"; over: {', '.join(cached_over2)}" if cached_over2 else "")
        + ".",
        lower_bound(big["lower_bounds"]),
        "- Today's statistics, computed by an edit's request once its answer is sent (the "
        "next request on that connection waits for them), p50 / p95: "
        + ", ".join(f"{scale} {times(r['preparing'])} ms" for scale, r in results.items())
        + ".",
    ]
    if loads:
        lines += [
            "",
            f"### Under load ({largest})",
            "",
            "gunicorn with `gunicorn.conf.py` (3 workers × 2 threads) on loopback; wrk, 2 "
            f"threads, 32 connections, {seconds} s per run, 30 s timeout. *Cached*: the "
            "response cache on, as in production; *uncached*: "
            "`DJANGO_RESPONSE_CACHE_SECONDS=0` (every request renders its page; the data "
            "cached per version stays on, as in production). For each target, the *floor* "
            "is a Django view sending the same bytes on the same gunicorn, the *ceiling* "
            "nginx sending them as a static file. *÷ floor*: the floor's requests per second "
            "divided by the target's (1.0 = as fast as the floor).",
            "",
            "| target | cached req/s (p99 ms) | uncached req/s (p99 ms) | floor req/s "
            "(p99 ms) | ceiling req/s | cached ÷ floor | uncached ÷ floor | errors |",
            "|---|---|---|---|---|---|---|---|",
        ]
        within2, within5, failed = [], [], 0
        for name in LOAD_TARGETS:
            cached, uncached, floor, ceiling = (
                loads[name, mode] for mode in ("cached", "uncached", "floor", "ceiling")
            )
            cached_ratio = floor["rps"] / cached["rps"]
            uncached_ratio = floor["rps"] / uncached["rps"]
            within2 += [name] if cached_ratio <= 2 else []
            within5 += [name] if uncached_ratio <= 5 else []
            errors = [cached, uncached, floor, ceiling]
            failed += sum(numbers["errors"] for numbers in errors)
            socket = "; ".join(n["socket_errors"] for n in errors if n["socket_errors"])
            lines.append(
                f"| {name} | {cached['rps']:,.0f} ({cached['p99']:.0f}) "
                f"| {uncached['rps']:,.0f} ({uncached['p99']:.0f}) "
                f"| {floor['rps']:,.0f} ({floor['p99']:.0f}) | {ceiling['rps']:,.0f} "
                f"| {cached_ratio:.1f} | {uncached_ratio:.1f} "
                f"| {sum(n['errors'] for n in errors)}{'; socket: ' + socket if socket else ''} |"
            )
        lines += [
            "",
            f"- Cached within 2× the floor: **{len(within2)} of {len(LOAD_TARGETS)}** "
            f"({', '.join(within2) or 'none'}).",
            f"- Uncached within 5× the floor: **{len(within5)} of {len(LOAD_TARGETS)}** "
            f"({', '.join(within5) or 'none'}).",
            f"- Errors under load: **{failed}** non-2xx/3xx answers.",
        ]
    return "\n".join(lines)


def main() -> None:
    if len(sys.argv) == 5 and sys.argv[1] == "--json":
        print(json.dumps(measure_here(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4])))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scales", nargs="*", default=list(SCALES), choices=list(SCALES))
    parser.add_argument("--runs", type=int, default=10, help="uncached requests per target")
    parser.add_argument("--cached-runs", type=int, default=50, help="cached requests per target")
    parser.add_argument("--load-seconds", type=int, default=30, help="wrk duration per target")
    parser.add_argument("--no-write", action="store_true", help="print, leave RESULTS.md alone")
    args = parser.parse_args()
    load = " / ".join(f"{value:.1f}" for value in os.getloadavg())
    floor_dir = tempfile.mkdtemp(prefix="bench-floor-")
    results = {}
    for scale in args.scales:
        print(f"{scale}: data…", flush=True)
        url = prepare(scale)
        print(f"{scale}: in process…", flush=True)
        results[scale] = measure(url, args.runs, args.cached_runs, floor_dir)
    loads = {}
    if args.load_seconds > 0 and shutil.which("wrk") and shutil.which("nginx"):
        print(f"{args.scales[-1]}: under load…", flush=True)
        loads = under_load(url, results[args.scales[-1]], floor_dir, args.load_seconds)
    elif args.load_seconds > 0:
        print("wrk or nginx missing (apt-get install -y wrk nginx): no load test.")
    body = markdown(results, loads, args.load_seconds, load)
    print(body)
    if not args.no_write:
        write_section("site", body)


if __name__ == "__main__":
    main()
