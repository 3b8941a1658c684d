"""Time `import_betagouv` on the real content: first run and re-run, SQLite and PostgreSQL.

    .venv/bin/python bench/bench_import.py [--content PATH] [--runs 3]

Each run is the management command in a fresh process (what a user waits for), on a fresh
database for first runs. PostgreSQL must listen on 127.0.0.1:5432 (trust auth, user postgres).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from results import machine, write_section

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
POSTGRES = "postgres://postgres@127.0.0.1:5432/"


def manage(database_url: str, *args: str) -> float:
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_DEBUG": "1"}
    started = time.perf_counter()
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True)
    return time.perf_counter() - started


def fresh_database(engine: str, workdir: Path, run: int) -> str:
    if engine == "sqlite":
        return f"sqlite:///{workdir / f'import-{run}.sqlite3'}"
    name = f"bench_import_{run}"
    for statement in (f"DROP DATABASE IF EXISTS {name}", f"CREATE DATABASE {name}"):
        subprocess.run(
            ["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-c", statement], check=True
        )
    return POSTGRES + name


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--content", type=Path, default=ROOT.parent / "shared/data/betagouv/content"
    )
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as workdir:
        for engine in ("sqlite", "postgresql"):
            first, again = [], []
            for run in range(options.runs):
                url = fresh_database(engine, Path(workdir), run)
                manage(url, "migrate", "--verbosity", "0")
                first.append(manage(url, "import_betagouv", str(options.content)))
                again.append(manage(url, "import_betagouv", str(options.content)))
            rows.append((engine, first, again))
            print(engine, [f"{t:.2f}" for t in first], [f"{t:.2f}" for t in again])

    def cell(times: list[float]) -> str:
        return f"{statistics.median(times):.1f} s (min {min(times):.1f}, max {max(times):.1f})"

    table = "\n".join(
        f"| {engine} | {cell(first)} | {cell(again)} |" for engine, first, again in rows
    )
    write_section(
        "import",
        f"""## Import of the real content (`bench/bench_import.py`)

{machine()}. `import_betagouv` on beta.gouv.fr's content (662 startups, 3,484 members, 4,356
files), as a management command in a fresh process (Django start-up included), median of
{options.runs} runs; first run on a freshly migrated database, re-run right after with nothing
changed. Goals: first run under 10 s, re-run under 3 s.

| database | first run | re-run, no change |
|---|---|---|
{table}
""",
    )


if __name__ == "__main__":
    main()
