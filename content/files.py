"""Reading and writing beta.gouv.fr content files: Markdown with a YAML front matter."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

FRONT_MATTER = re.compile(r"\A---[ \t]*\n(?P<yaml>.*?)^---[ \t]*$\n?(?P<body>.*)\Z", re.S | re.M)

Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """YAML's safe loader, leaving impossible dates (`2021-13-45`) as text.

    The stock loader raises a bare ValueError on them, which would name the file but not the
    field; as text, the field's own check reports it.
    """


def _timestamp_or_text(loader: Loader, node: yaml.Node) -> object:
    try:
        return loader.construct_yaml_timestamp(node)
    except ValueError:
        return loader.construct_scalar(node)


Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_or_text)


@dataclass(frozen=True)
class Problem:
    """Something wrong in a content file, said as `file: field: what is wrong`."""

    path: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.field}: {self.message}"


class InvalidFile(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


@dataclass
class Document:
    """A parsed content file: its identifier (the file name), front matter and body."""

    path: str
    slug: str
    front_matter: dict[str, Any]
    body: str


def read_document(root: Path, path: Path) -> Document:
    """Parse one file; raise InvalidFile naming what prevents reading it at all."""
    relative = str(path.relative_to(root))
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as error:
        raise InvalidFile(
            Problem(relative, "fichier", f"n’est pas encodé en UTF-8 (octet {error.start})")
        ) from None
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise InvalidFile(Problem(relative, "fichier", f"contient un caractère nul (ligne {line})"))
    match = FRONT_MATTER.match(text)
    if match is None:
        raise InvalidFile(
            Problem(relative, "front matter", "absent : le fichier doit commencer par « --- »")
        )
    try:
        front_matter = yaml.load(match["yaml"], Loader=Loader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" ligne {mark.line + 2}" if mark is not None else ""
        reason = getattr(error, "problem", None) or str(error)
        raise InvalidFile(
            Problem(relative, "front matter", f"YAML invalide{where} : {reason}")
        ) from None
    if front_matter is None:
        front_matter = {}
    if not isinstance(front_matter, dict):
        raise InvalidFile(
            Problem(relative, "front matter", "doit être une suite de « clé: valeur »")
        )
    body = match["body"].lstrip("\n").rstrip()
    return Document(relative, path.name.removesuffix(".md"), front_matter, body)


def dump_yaml(data: Any) -> str:
    """YAML as the content repository writes it: block style, UTF-8, keys in their order."""
    return yaml.dump(data, Dumper=Dumper, allow_unicode=True, sort_keys=False, width=100)


def load_yaml(text: str) -> Any:
    return yaml.load(text, Loader=Loader) if text else None
