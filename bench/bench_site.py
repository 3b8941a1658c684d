"""`make bench`: every page type and API endpoint at 1×, 10× and 100× the real portfolio.

    .venv/bin/python bench/bench_site.py [--scales 1x 10x 100x] [--load-seconds 30]

1. Data: PostgreSQL databases `bench_1x`, `bench_10x`, `bench_100x` (127.0.0.1:5432, user
   postgres), migrated and filled by `generate_demo_data --startups N --seed 1` when empty
   (662, 6,620 and 66,200 startups; the 100× one takes about two minutes the first time).
2. In process, for each scale (Django's test client through the whole middleware stack,
   production settings, Redis as the cache when it answers on 127.0.0.1:6379): each page
   type and API endpoint, uncached (the cache emptied before each request) and cached
   (the shared response cache on, after one request), p50/p95 server time and the query
   count; and the framework floor, a view returning the startup page's bytes from memory.
3. Under load, at the largest scale: gunicorn (`gunicorn.conf.py`) on loopback and wrk for
   `--load-seconds` per target (list, startup page, statistics, API list), and the two
   references: the framework floor on the same gunicorn, and nginx serving the same page as
   a static file (the ceiling).

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
from results import machine, percentile, write_section  # noqa: E402

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


def psql(sql: str) -> str:
    return subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-tAc", sql],
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


def timed(client, url: str, headers: dict, runs: int, before=None) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    timings, queries, status = [], 0, 0
    for _ in range(runs):
        if before:
            before()
        with CaptureQueriesContext(connection) as context:
            started = time.perf_counter()
            response = client.get(url, headers=headers)
            timings.append((time.perf_counter() - started) * 1000)
        queries, status = len(context), response.status_code
    return {
        "p50": statistics.median(timings),
        "p95": percentile(timings, 0.95),
        "queries": queries,
        "status": status,
    }


def measure_here(runs: int, cached_runs: int, floor_file: str) -> dict:
    import django

    django.setup()
    from django.conf import settings
    from django.core.cache import cache
    from django.test import Client

    from members.models import Member
    from startups.models import Startup

    client = Client()
    result = {
        "size": {"startups": Startup.objects.count(), "members": Member.objects.count()},
        "cache": settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1],
        "targets": {},
    }
    all_targets = targets()
    for name, url in all_targets:
        headers = {}
        if url.startswith("HX "):
            url, headers = url[3:], {"HX-Request": "true"}
        settings.RESPONSE_CACHE_SECONDS = 0
        client.get(url, headers=headers)  # compiled templates, warm database pages
        uncached = timed(client, url, headers, runs, before=cache.clear)
        settings.RESPONSE_CACHE_SECONDS = 3600
        cache.clear()
        client.get(url, headers=headers)
        cached = timed(client, url, headers, cached_runs)
        result["targets"][name] = {"url": url, "uncached": uncached, "cached": cached}
    startup_url = dict(all_targets)["startup"]
    Path(floor_file).write_bytes(client.get(startup_url).content)
    result["startup_url"] = startup_url
    os.environ["BENCH_FLOOR_FILE"] = floor_file
    client.get("/bench/floor/")
    result["floor"] = timed(client, "/bench/floor/", {}, cached_runs)
    return result


def measure(url: str, runs: int, cached_runs: int, floor_file: str) -> dict:
    env = {**os.environ, **ENV, "DATABASE_URL": url, "REDIS_URL": redis_url()}
    child = subprocess.run(
        [PYTHON, __file__, "--json", str(runs), str(cached_runs), floor_file],
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
    user = "user root;\n" if os.geteuid() == 0 else ""
    config = folder / "nginx.conf"
    config.write_text(
        f"{user}worker_processes auto;\ndaemon off;\npid {folder}/nginx.pid;\n"
        f"error_log {folder}/error.log;\nevents {{ worker_connections 1024; }}\n"
        "http {\n  access_log off;\n  sendfile on;\n  keepalive_requests 100000;\n"
        f"  client_body_temp_path {folder}; proxy_temp_path {folder};\n"
        f"  fastcgi_temp_path {folder}; uwsgi_temp_path {folder}; scgi_temp_path {folder};\n"
        f"  types {{ text/html html; }}\n  server {{\n    listen 127.0.0.1:{port};\n"
        f"    root {folder}/site;\n    index index.html;\n  }}\n}}\n"
    )
    return subprocess.Popen(
        ["nginx", "-c", str(config), "-p", str(folder)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def start_gunicorn(url: str, floor_file: str, port: int, cached: bool) -> subprocess.Popen:
    env = {
        **os.environ,
        **ENV,
        "DATABASE_URL": url,
        "REDIS_URL": redis_url(),
        "BENCH_FLOOR_FILE": floor_file,
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


def under_load(url: str, result: dict, floor_file: str, seconds: int) -> dict:
    """wrk on each target, with the response cache on (production) then off, and on the
    floor and the ceiling; {(target, "cached" | "uncached" | ""): numbers}."""
    paths = {name: result["targets"][name]["url"] for name in LOAD_TARGETS}
    loads = {}
    for cached in (True, False):
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        gunicorn = start_gunicorn(url, floor_file, port, cached)
        try:
            wait_for(base + "/healthz")
            for name, path in paths.items():
                urllib.request.urlopen(base + path, timeout=60).read()  # fills the caches
                loads[name, "cached" if cached else "uncached"] = wrk(base + path, seconds)
            if cached:
                loads["framework floor", ""] = wrk(base + "/bench/floor/", seconds)
        finally:
            gunicorn.terminate()
            gunicorn.wait(timeout=30)
    folder = Path(tempfile.mkdtemp(prefix="bench-nginx-"))
    (folder / "site").mkdir()
    shutil.copy(floor_file, folder / "site" / "index.html")
    for path in (folder, folder / "site", folder / "site" / "index.html"):
        path.chmod(0o755)
    nginx_port = free_port()
    nginx = nginx_serving(folder, nginx_port)
    try:
        wait_for(f"http://127.0.0.1:{nginx_port}/")
        loads["nginx ceiling", ""] = wrk(f"http://127.0.0.1:{nginx_port}/", seconds)
    finally:
        nginx.terminate()
        nginx.wait(timeout=30)
        shutil.rmtree(folder, ignore_errors=True)
    return loads


# Report


def markdown(results: dict[str, dict], loads: dict, seconds: int, load: str) -> str:
    largest = list(results)[-1]
    big = results[largest]
    floor = big["floor"]
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
        "### In process",
        "",
        "Django's test client through the whole middleware stack, production settings. "
        "*Uncached*: the cache emptied before each request (response cache and statistics). "
        "*Cached*: the shared response cache on, after one request (what every visitor but "
        "the first after an edit gets). Times in ms, p50 / p95. Framework floor (a Django "
        f"view returning the {largest} startup page's bytes from memory): p50 "
        f"{floor['p50']:.1f} / p95 {floor['p95']:.1f} ms.",
        "",
        "| target | queries " + " / ".join(results) + f" | uncached {largest} | cached {largest} |",
        "|---|---|---|---|",
    ]
    same_counts, slow = [], []
    for name, target in big["targets"].items():
        counts = [r["targets"][name]["uncached"]["queries"] for r in results.values()]
        identical = len(set(counts)) == 1
        same_counts.append(identical)
        uncached, cached = target["uncached"], target["cached"]
        if uncached["p95"] >= 100:
            slow.append(f"{name} {uncached['p95']:.0f} ms")
        status = "" if uncached["status"] in (200, 301) else f" (status {uncached['status']})"
        lines.append(
            f"| {name}{status} | {' / '.join(map(str, counts))}{'' if identical else ' ✗'} "
            f"| {uncached['p50']:.1f} / {uncached['p95']:.1f} "
            f"| {cached['p50']:.1f} / {cached['p95']:.1f} ({cached['queries']} q) |"
        )
    total = len(same_counts)
    lines += [
        "",
        f"- Identical query counts at every scale: **{sum(same_counts)} of {total}** targets.",
        f"- At {largest}, uncached p95 under 100 ms: **{total - len(slow)} of {total}**"
        + (f"; over: {', '.join(slow)}" if slow else "")
        + ".",
    ]
    if loads:
        floor_load = loads["framework floor", ""]
        lines += [
            "",
            f"### Under load ({largest})",
            "",
            "gunicorn with `gunicorn.conf.py` (3 workers × 2 threads) on loopback; wrk, 2 "
            f"threads, 32 connections, {seconds} s per target, 30 s timeout; *cached*: the "
            "response cache on, as in production; *uncached*: "
            "`DJANGO_RESPONSE_CACHE_SECONDS=0` (every request computes its page; the "
            "statistics keep their own figures cache). The "
            "framework floor is the view above on the same gunicorn; the ceiling is nginx "
            "serving the same bytes as a static file. *÷ floor*: the floor's requests per "
            "second divided by the target's (1.0 = as fast as the floor).",
            "",
            "| target | requests/s | p50 (ms) | p99 (ms) | ÷ floor | errors |",
            "|---|---|---|---|---|---|",
        ]
        for (name, mode), numbers in loads.items():
            errors = str(numbers["errors"])
            if numbers["socket_errors"]:
                errors += f"; socket: {numbers['socket_errors']}"
            label = f"{name}, {mode}" if mode else f"**{name}**"
            ratio = f"{floor_load['rps'] / numbers['rps']:.1f}" if mode else "—"
            lines.append(
                f"| {label} | {numbers['rps']:,.0f} | {numbers['p50']:.1f} | "
                f"{numbers['p99']:.1f} | {ratio} | {errors} |"
            )
        cached = [(n, v) for (n, mode), v in loads.items() if mode == "cached"]
        uncached = [(n, v) for (n, mode), v in loads.items() if mode == "uncached"]
        within2 = [n for n, v in cached if floor_load["rps"] / v["rps"] <= 2]
        within5 = [n for n, v in uncached if floor_load["rps"] / v["rps"] <= 5]
        failed = sum(v["errors"] for v in loads.values())
        lines += [
            "",
            f"- Cached pages within 2× the floor: **{len(within2)} of {len(cached)}** "
            f"({', '.join(within2) or 'none'}).",
            f"- Uncached pages within 5× the floor: **{len(within5)} of {len(uncached)}** "
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
    floor_file = str(Path(tempfile.mkdtemp(prefix="bench-floor-")) / "startup.html")
    results = {}
    for scale in args.scales:
        print(f"{scale}: data…", flush=True)
        url = prepare(scale)
        print(f"{scale}: in process…", flush=True)
        results[scale] = measure(url, args.runs, args.cached_runs, floor_file)
    loads = {}
    if args.load_seconds > 0 and shutil.which("wrk") and shutil.which("nginx"):
        print(f"{args.scales[-1]}: under load…", flush=True)
        loads = under_load(url, results[args.scales[-1]], floor_file, args.load_seconds)
    elif args.load_seconds > 0:
        print("wrk or nginx missing (apt-get install -y wrk nginx): no load test.")
    body = markdown(results, loads, args.load_seconds, load)
    print(body)
    if not args.no_write:
        write_section("site", body)


if __name__ == "__main__":
    main()
