"""Rendering API answers: JSON and CSV, pagination, sparse fields, JSON errors."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable
from typing import Any

import pydantic_core
from django.db import models
from django.http import HttpRequest, HttpResponse

from api.schemas import Schema
from betagouv.downloads import spreadsheet_safe

MAX_PAGE_SIZE = 1000
DEFAULT_PAGE_SIZE = 100
CSV_LIST_SEPARATOR = "|"
JSON_CONTENT_TYPE = "application/json; charset=utf-8"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"


class ApiError(Exception):
    """An answer other than 200, with a JSON body naming the parameters in cause."""

    def __init__(self, status: int, detail: str, errors: Iterable[tuple[str, str]] = ()) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = [{"parameter": name, "message": message} for name, message in errors]

    def response(self) -> HttpResponse:
        return json_response({"detail": self.detail, "errors": self.errors}, status=self.status)


def bad_request(parameter: str, message: str) -> ApiError:
    return ApiError(400, f"Paramètre « {parameter} » invalide : {message}", [(parameter, message)])


def json_response(data: Any, status: int = 200) -> HttpResponse:
    # pydantic-core writes dates as ISO 8601, in Rust: the full dump spends little time here.
    return HttpResponse(pydantic_core.to_json(data), status=status, content_type=JSON_CONTENT_TYPE)


def field_names(item: type[Schema]) -> list[str]:
    return list(item.model_fields)


def selected_fields(item: type[Schema], fields: str | None) -> list[str] | None:
    """The fields asked with `fields=a,b` (`slug` always included), None for all of them."""
    if fields is None:
        return None
    names = [name.strip() for name in fields.split(",") if name.strip()]
    known = field_names(item)
    unknown = [name for name in names if name not in known]
    if unknown:
        raise bad_request(
            "fields",
            f"champ(s) inconnu(s) : {', '.join(unknown)} (champs possibles : {', '.join(known)})",
        )
    return ["slug", *(name for name in known if name in names and name != "slug")]


def page_link(request: HttpRequest, page: int) -> str:
    query = request.GET.copy()
    query["page"] = str(page)
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")


def paginate(
    request: HttpRequest, queryset: models.QuerySet, page: int, page_size: int
) -> tuple[models.QuerySet, dict[str, Any]]:
    """The page's slice of `queryset` and the envelope (`count`, `next`, `previous`)."""
    count = queryset.count()
    last = max(1, -(-count // page_size))
    if page > last:
        raise bad_request(
            "page", f"la page {page} n’existe pas ({count} résultat(s), {last} page(s))"
        )
    start = (page - 1) * page_size
    envelope = {
        "count": count,
        "next": page_link(request, page + 1) if page < last else None,
        "previous": page_link(request, page - 1) if page > 1 else None,
    }
    return queryset[start : start + page_size], envelope


def list_response(
    request: HttpRequest,
    *,
    queryset: models.QuerySet,
    build: Callable[[HttpRequest, models.QuerySet], list[dict[str, Any]]],
    item: type[Schema],
    page: int,
    page_size: int,
    fields: str | None,
    csv_format: bool,
    filename: str,
) -> HttpResponse:
    names = selected_fields(item, fields)
    page_queryset, envelope = paginate(request, queryset, page, page_size)
    results = build(request, page_queryset)
    if names is not None:
        results = [{name: result[name] for name in names} for result in results]
    if csv_format:
        response = csv_response(results, names or field_names(item), filename)
        links = [f'<{envelope[rel]}>; rel="{rel}"' for rel in ("next", "previous") if envelope[rel]]
        if links:
            response["Link"] = ", ".join(links)
        response["X-Total-Count"] = str(envelope["count"])
        return response
    return json_response({**envelope, "results": results})


def csv_cell(value: Any) -> str:
    """Nested values flattened: lists of text joined with `|`, lists of objects as JSON."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        if all(isinstance(element, str) for element in value):
            return CSV_LIST_SEPARATOR.join(value)
        return pydantic_core.to_json(value).decode()
    return str(value)


def csv_columns(results: list[dict[str, Any]], names: list[str]) -> list[str]:
    """Column names: nested objects (`links`, `fast`) spread as `links.website`…"""
    columns = []
    for name in names:
        nested = next(
            (r[name] for r in results if isinstance(r.get(name), dict)),
            None,
        )
        if nested is None and name in NESTED_COLUMNS:
            columns += [f"{name}.{key}" for key in NESTED_COLUMNS[name]]
        elif nested is not None:
            columns += [f"{name}.{key}" for key in nested]
        else:
            columns.append(name)
    return columns


# Nested objects that may be null for every row of a page: their columns all the same.
NESTED_COLUMNS = {"fast": ("promotion", "amount")}


def csv_response(results: list[dict[str, Any]], names: list[str], filename: str) -> HttpResponse:
    columns = csv_columns(results, names)
    buffer = io.StringIO()
    buffer.write("\ufeff")  # byte order mark: spreadsheets then read UTF-8
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for result in results:
        row = []
        for column in columns:
            name, _, key = column.partition(".")
            value = result[name]
            if key:
                value = value[key] if value is not None else None
            row.append(spreadsheet_safe(csv_cell(value)))
        writer.writerow(row)
    response = HttpResponse(buffer.getvalue().encode(), content_type=CSV_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def validation_errors(errors: list[dict[str, Any]]) -> ApiError:
    """A 400 naming each parameter that did not validate (ninja's ValidationError)."""
    named = []
    for error in errors:
        # ninja's locations read ("query", "params", "phase", 0): the source, the argument
        # holding the parameters, then the parameter itself.
        location = [
            part for part in error.get("loc", ())[1:] if isinstance(part, str) and part != "params"
        ]
        parameter = location[0] if location else "?"
        named.append((parameter, french_message(error)))
    parameters = ", ".join(dict.fromkeys(name for name, _ in named))
    return ApiError(400, f"Paramètre(s) invalide(s) : {parameters}", named)


def french_message(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    context = error.get("ctx") or {}
    if kind == "int_parsing":
        return "nombre entier attendu"
    if kind == "greater_than_equal":
        return f"doit être supérieur ou égal à {context.get('ge')}"
    if kind == "less_than_equal":
        return f"doit être inférieur ou égal à {context.get('le')}"
    if kind in ("enum", "literal_error"):
        expected = str(context.get("expected", "")).replace(" or ", ", ")
        return f"valeur inconnue (valeurs possibles : {expected})"
    if kind.startswith("date"):
        return "date attendue au format AAAA-MM-JJ (années 1900 à 2099)"
    if kind == "string_pattern_mismatch":
        return pattern_message(error["loc"][-1], str(context.get("pattern", "")))
    if kind == "string_too_long":
        return f"{context.get('max_length')} caractères au plus"
    if kind in ("bool_parsing", "bool_type"):
        return "true ou false attendu"
    if kind == "missing":
        return "paramètre obligatoire"
    return str(error.get("msg", "valeur invalide"))


# `fields`' pattern lists the names it accepts: ^(slug|title|…)(,(slug|title|…))*$
FIELD_NAMES = re.compile(r"^\^\(([^)]*)\)")


def pattern_message(parameter: str, pattern: str) -> str:
    """What a parameter refused by its pattern should have been."""
    if parameter == "fields" and (names := FIELD_NAMES.match(pattern)):
        choices = ", ".join(names[1].split("|"))
        return f"noms de champs séparés par des virgules (champs possibles : {choices})"
    if "\\x00" in pattern:
        return "caractères de contrôle refusés"
    return "identifiant attendu : lettres, chiffres, « - », « . » et « _ », sans espace"


def error_json(status: int, detail: str) -> HttpResponse:
    return json_response({"detail": detail, "errors": []}, status=status)
