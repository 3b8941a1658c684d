"""Submitting an admin change page as a browser would: every field with its current value."""

import datetime
from typing import Any

from django.forms import BooleanField, NullBooleanField
from django.http import HttpResponse


def _encode(field, value: Any) -> list[str] | None:
    if isinstance(field, NullBooleanField):
        return [{True: "true", False: "false"}.get(value, "unknown")]
    if isinstance(field, BooleanField):
        return ["on"] if value else None
    if value is None:
        return [""]
    if isinstance(value, list | tuple):
        return [str(item) for item in value]
    if isinstance(value, datetime.date):
        return [value.isoformat()]
    return [str(value)]


def _add_form(data: dict[str, list[str]], form) -> None:
    for name, field in form.fields.items():
        encoded = _encode(field, form[name].value())
        if encoded is not None:
            data[form.add_prefix(name)] = encoded


def form_data(response: HttpResponse) -> dict[str, Any]:
    """The POST data of the change form in `response`, with its inlines, as displayed."""
    data: dict[str, list[str]] = {}
    _add_form(data, response.context["adminform"].form)
    for inline in response.context.get("inline_admin_formsets", []):
        formset = inline.formset
        _add_form(data, formset.management_form)
        for form in formset.initial_forms:
            _add_form(data, form)
        # Extra forms are sent empty: the admin ignores them unless they are filled.
        data[formset.management_form.add_prefix("TOTAL_FORMS")] = [
            str(formset.initial_form_count())
        ]
    return {key: value if len(value) != 1 else value[0] for key, value in data.items()}


def add_inline_row(data: dict[str, Any], prefix: str, **values: Any) -> None:
    """Append a new row to the inline formset `prefix`."""
    index = int(data[f"{prefix}-TOTAL_FORMS"])
    for name, value in values.items():
        data[f"{prefix}-{index}-{name}"] = value
    data[f"{prefix}-TOTAL_FORMS"] = str(index + 1)
