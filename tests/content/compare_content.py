"""Compare two content folders fact by fact, independently of the site's code.

    .venv/bin/python tests/content/compare_content.py ORIGINAL EXPORTED

Reads both folders with PyYAML alone (no import from the project) and lists every
difference in the front matter values, the order of the keys and the bodies. Each difference
is classified: either one of the normalisations the import makes on purpose (listed in
NORMALISATIONS, documented in the README), or `fait`: a fact that changed. The exit status is
1 when a fact changed.
"""

from __future__ import annotations

import datetime
import html
import re
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

FOLDERS = ("_startups", "_authors", "_incubators", "_organisations", "_phases", "_teams")
ABSENT = "<absent>"
NORMALISATIONS = {
    "espaces": "espaces autour d’une valeur retirés",
    "html": "caractères HTML échappés décodés (d&#x27;art, https:&#x2F;&#x2F;…)",
    "liste": "éléments d’une liste nettoyés de leurs espaces, éléments vides retirés",
    "vide": "clé vide d’une entrée de liste (mission, phase) omise",
    "date": "date écrite entre guillemets réécrite comme une date",
    "corps": "lignes vides au début et espaces à la fin du texte retirés",
    "non-md": "fichier sans extension .md, jamais importé",
}


@dataclass(frozen=True)
class Difference:
    path: str
    where: str
    before: Any
    after: Any
    kind: str

    def __str__(self) -> str:
        label = NORMALISATIONS.get(self.kind, "FAIT MODIFIÉ")
        return f"{self.path}: {self.where}: {self.before!r} → {self.after!r} ({label})"


DOCUMENT = re.compile(r"\A---\n(?P<head>.*?)^---[ \t]*\n?(?P<body>.*)\Z", re.S | re.M)


def read(path: Path) -> tuple[dict[str, Any], str]:
    """The front matter (as PyYAML reads it) and the body of a content file."""
    text = path.read_text(encoding="utf-8").removeprefix("\ufeff").replace("\r\n", "\n")
    match = DOCUMENT.match(text)
    if match is None:
        return {}, text
    return yaml.safe_load(match["head"]) or {}, match["body"]


def unescaped(text: str) -> str:
    """Whole HTML references decoded, again while some are left (`UX&amp;#x2F;UI` → `UX/UI`),
    as the import does (written again here: this script reads no code of the site)."""
    for _ in range(3):
        text, before = re.sub(r"&#?\w+;", lambda found: html.unescape(found[0]), text), text
        if text == before:
            break
    return text


def classify(before: Any, after: Any) -> str:
    if isinstance(before, str) and isinstance(after, str):
        if before.strip() == after:
            return "espaces"
        if unescaped(before.strip()) == after:
            return "html"
    if (
        isinstance(before, str)
        and isinstance(after, datetime.date)
        and before.strip() == str(after)
    ):
        return "date"
    if isinstance(before, list) and isinstance(after, list):
        cleaned = [item.strip() if isinstance(item, str) else item for item in before]
        if [item for item in cleaned if item not in ("", None)] == after:
            return "liste"
    return "fait"


def differences(before: Any, after: Any, where: str, path: str, nested: bool = False):
    if isinstance(before, dict) and isinstance(after, dict):
        for key in [*before, *(key for key in after if key not in before)]:
            here = f"{where}.{key}" if where else str(key)
            if key not in after:
                blank = before[key] is None or str(before[key]).strip() == ""
                yield Difference(
                    path, here, before[key], ABSENT, "vide" if nested and blank else "fait"
                )
            elif key not in before:
                yield Difference(path, here, ABSENT, after[key], "fait")
            else:
                yield from differences(before[key], after[key], here, path, nested)
        if where == "" and [k for k in before if k in after] != [k for k in after if k in before]:
            yield Difference(path, "ordre des clés", list(before), list(after), "fait")
    elif isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        if all(isinstance(item, dict) for item in before + after):
            for index, (old, new) in enumerate(zip(before, after, strict=True)):
                yield from differences(old, new, f"{where}[{index}]", path, nested=True)
        elif before != after:
            yield Difference(path, where, before, after, classify(before, after))
    elif before != after or type(before) is not type(after):
        yield Difference(path, where, before, after, classify(before, after))


def compare(original: Path, exported: Path) -> list[Difference]:
    """Every difference between the files of `original` and those of `exported`."""
    found = []
    for folder in FOLDERS:
        names = {p.name for p in (original / folder).iterdir() if p.is_file()}
        names |= {p.name for p in (exported / folder).glob("*") if p.is_file()}
        for name in sorted(names):
            path = f"{folder}/{name}"
            old, new = original / folder / name, exported / folder / name
            if not new.exists():
                kind = "fait" if name.endswith(".md") else "non-md"
                found.append(Difference(path, "fichier", "présent", ABSENT, kind))
                continue
            if not old.exists():
                found.append(Difference(path, "fichier", ABSENT, "présent", "fait"))
                continue
            (old_front, old_body), (new_front, new_body) = read(old), read(new)
            found += differences(old_front, new_front, "", path)
            if old_body != new_body:
                same = old_body.lstrip("\n").rstrip() == new_body.lstrip("\n").rstrip()
                found.append(
                    Difference(
                        path, "corps", old_body[-40:], new_body[-40:], "corps" if same else "fait"
                    )
                )
    return found


def main(argv: list[str]) -> int:
    original, exported = Path(argv[1]), Path(argv[2])
    found = compare(original, exported)
    for difference in found:
        print(difference)
    counts = Counter(difference.kind for difference in found)
    for kind, count in sorted(counts.items()):
        print(f"{count:>6} × {NORMALISATIONS.get(kind, 'FAIT MODIFIÉ')}")
    return 1 if counts["fait"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
