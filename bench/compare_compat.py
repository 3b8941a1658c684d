"""Compare /api/v2.7/ with what beta.gouv.fr's generators print from the same content.

Renders beta.gouv.fr's own Liquid templates (api/v2.7/*.json, startups.csv) with python-liquid
on the content files, re-implements its Ruby plugins (incubators.rb, the Jekyll collection
order, content_url_encoded_markdown.rb), and diffs the result field by field with our
answers, served from a database that imported the same folder. Reference only: nothing of
beta.gouv.fr is copied into this repository, the templates are read from its clone.

    DATABASE_URL=postgres://…/betagouv_dev DJANGO_DEBUG=1 .venv/bin/python bench/compare_compat.py \
        --content ../shared/data/betagouv/content --upstream /path/to/beta.gouv.fr (a git clone)
"""

from __future__ import annotations

import argparse
import collections
import csv
import html
import io
import json
import os
import re
import subprocess
import sys
import urllib.parse
from pathlib import Path
from urllib.parse import quote

import django
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "betagouv.settings")
django.setup()

from django.test import Client  # noqa: E402
from liquid import Environment  # noqa: E402

from content.files import FRONT_MATTER  # noqa: E402

# Jekyll's own front matter pattern: the body is everything after the closing line.
SITE_URL = "http://testserver"


def load_collection(root: Path, folder: str, prefix: str) -> list[dict]:
    docs = []
    for path in sorted((root / folder).glob("*.md"), key=lambda p: str(p).encode()):
        text = path.read_text(encoding="utf-8").removeprefix("\ufeff")
        match = FRONT_MATTER.match(text)
        data = yaml.safe_load(match["yaml"]) or {}
        slug = path.name.removesuffix(".md")
        docs.append({**data, "id": f"{prefix}/{slug}", "content": match["body"]})
    return docs


def ruby_escape(value) -> str:
    text = "" if value is None else str(value)
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&#39;")
    )


def ruby_strip_html(value) -> str:
    """Ruby Liquid's strip_html (python-liquid's parses HTML and differs on `><>`)."""
    text = "" if value is None else str(value)
    text = re.sub(r"<script.*?</script>|<!--.*?-->|<style.*?</style>", "", text, flags=re.S)
    return re.sub(r"<.*?>", "", text, flags=re.S)


def jsonify(value) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def template(upstream: Path, name: str) -> str:
    text = subprocess.run(
        ["git", "-C", str(upstream), "show", f"HEAD:api/v2.7/{name}"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return text.split("---\n", 2)[2]  # drop Jekyll's front matter


def render(upstream: Path, name: str, site: dict) -> str:
    env = Environment()
    env.filters["escape"] = ruby_escape
    env.filters["jsonify"] = jsonify
    env.filters["strip_html"] = ruby_strip_html
    return env.from_string(template(upstream, name)).render(site=site)


def incubators_plugin(site: dict, all_startups: list[dict]) -> dict:
    """incubators.rb's RenderIncubatorsApi, in Python."""
    result: dict = {}
    for startup in all_startups:
        ids = [i for i in (startup.get("incubators") or []) if i] or (
            [startup["incubator"]] if startup.get("incubator") else []
        )
        for incubator in ids:
            result.setdefault(incubator, {"startups": []})["startups"].append(
                {
                    "id": startup["id"].replace("/startups/", ""),
                    "name": startup.get("title"),
                    "pitch": startup.get("mission"),
                    "repository": startup.get("repository"),
                    "contact": startup.get("contact"),
                    "phases": json.loads(json.dumps(startup.get("phases"), default=str)),
                }
            )
    for incubator in site["incubators"]:
        entry = result.setdefault(incubator["id"].replace("/incubateurs/", ""), {})
        for key in ("title", "owner", "contact", "address", "website", "github"):
            entry[key] = incubator.get(key)
    return result


def diff(expected, actual, path: str, differences: collections.Counter, examples: dict) -> None:
    if isinstance(expected, dict) and isinstance(actual, dict):
        if list(expected) != list(actual) and set(expected) == set(actual):
            note(differences, examples, f"{path}: key order", (list(expected), list(actual)))
        for key in expected.keys() | actual.keys():
            if key not in actual:
                note(differences, examples, f"{path}.{key}: missing", expected[key])
            elif key not in expected:
                note(differences, examples, f"{path}.{key}: extra", actual[key])
            else:
                diff(expected[key], actual[key], f"{path}.{key}", differences, examples)
    elif isinstance(expected, list) and isinstance(actual, list):
        if len(expected) != len(actual):
            note(differences, examples, f"{path}: length", (len(expected), len(actual)))
        for e, a in zip(expected, actual, strict=False):
            diff(e, a, f"{path}[]", differences, examples)
    elif expected != actual:
        note(
            differences,
            examples,
            f"{path}: value ({kind_of(expected, actual)})",
            (expected, actual),
        )


def kind_of(expected, actual) -> str:
    """Why two values differ: the import trims text and unescapes HTML in addresses."""
    if not isinstance(expected, str) or not isinstance(actual, str):
        return "other"
    if expected.strip() == actual:
        return "trimmed by the import"
    if html.unescape(expected).strip() == actual:
        return "HTML-unescaped by the import"
    if (
        "%" in expected
        and urllib.parse.unquote(expected).strip() == urllib.parse.unquote(actual).strip()
    ):
        return "Markdown body: surrounding whitespace"
    return "other"


def note(differences, examples, key, example) -> None:
    differences[key] += 1
    examples.setdefault(key, example)


def by_id(items: list[dict]) -> dict:
    return {item["id"]: item for item in items}


def report(name: str, expected, actual) -> None:
    differences: collections.Counter = collections.Counter()
    examples: dict = {}
    diff(expected, actual, name, differences, examples)
    print(f"\n## {name}: {sum(differences.values())} difference(s)")
    kinds: collections.Counter = collections.Counter()
    for key, count in differences.items():
        kinds[key.rsplit("(", 1)[-1].rstrip(")") if key.endswith(")") else key.split(": ")[-1]] += (
            count
        )
    for kind, count in kinds.most_common():
        print(f"- {count} × {kind}")
    for key, count in differences.most_common():
        if "trimmed" in key or "unescaped" in key or "surrounding" in key:
            continue
        print(f"  - {count} × {key} — e.g. {str(examples[key])[:300]}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--content", type=Path, required=True)
    parser.add_argument("--upstream", type=Path, required=True)
    args = parser.parse_args()
    startups = load_collection(args.content, "_startups", "/startups")
    for startup in startups:
        startup["content_url_encoded_markdown"] = quote(startup["content"], safe="")
    all_incubators = load_collection(args.content, "_incubators", "/incubateurs")
    site = {
        "url": SITE_URL,
        "startups": startups,
        "authors": load_collection(args.content, "_authors", "/authors"),
        "organisations": load_collection(args.content, "_organisations", "/organisations"),
        # AllIncubatorsGenerator drops hidden incubators from the collection.
        "incubators": [i for i in all_incubators if not i.get("hidden", False)],
    }
    client = Client()
    for name in ("startups.json", "authors.json", "organisations.json"):
        text = render(args.upstream, name, site)
        try:
            expected = json.loads(text, strict=False)
        except json.JSONDecodeError as error:
            print(f"\n## {name}: beta.gouv.fr's template prints invalid JSON here: {error}")
            continue
        actual = client.get(f"/api/v2.7/{name}").json()
        if name == "startups.json":
            report("startups.json links", expected["links"], actual["links"])
            report("startups.json data", by_id(expected["data"]), by_id(actual["data"]))
            report(
                "startups.json data order",
                [d["id"] for d in expected["data"]],
                [d["id"] for d in actual["data"]],
            )
            report("startups.json included", expected["included"], actual["included"])
        else:
            report(name, by_id(expected), by_id(actual))
            report(f"{name} order", [d["id"] for d in expected], [d["id"] for d in actual])
    expected = incubators_plugin(site, startups)
    actual = client.get("/api/v2.7/incubators.json").json()
    report("incubators.json", expected, actual)
    report("incubators.json order", list(expected), list(actual))
    expected_csv = render(args.upstream, "startups.csv", site)
    actual_csv = client.get("/api/v2.7/startups.csv").content.decode()
    print(f"\n## startups.csv: identical bytes: {expected_csv == actual_csv}")
    rows = lambda text: list(csv.reader(io.StringIO(text), delimiter=";"))  # noqa: E731
    expected_rows, actual_rows = rows(expected_csv), rows(actual_csv)
    report("startups.csv rows", expected_rows, actual_rows)


if __name__ == "__main__":
    main()
