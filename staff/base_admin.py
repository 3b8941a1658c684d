"""What every portfolio admin shares: history with safe revert, list fields, file order.

Each admin page keeps the content files' conventions: lists edited one item per line,
rows kept in the order the files list them (`position`), and a history (django-simple-history)
from which any version can be restored.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Count, Max
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import capfirst
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import ModelChange
from simple_history.template_utils import HistoricalRecordContextHelper

from startups.models import ContentFile

HISTORY_TYPES = {"+": "Création", "~": "Modification", "-": "Suppression"}
RELATED_HISTORY_LIMIT = 300
# Technical fields, never shown as a change: the file order is kept by `renumber`.
HIDDEN_HISTORY_FIELDS = ("position",)
# Labels of the foreign keys the models leave unnamed (their verbose name is their name).
FIELD_LABELS = {
    "incubator": "incubateur",
    "member": "membre",
    "organisation": "organisation",
    "team": "équipe",
    "thematique": "thématique",
    "usertype": "type d’usager",
}


def field_label(field: models.Field) -> str:
    """A field's label in French: its verbose name, or ours for an unnamed foreign key."""
    name = str(field.verbose_name)
    if name == field.name.replace("_", " "):
        name = FIELD_LABELS.get(field.name, name)
    return capfirst(name)


def display_value(field: models.Field, value: object) -> object:
    """A stored value as an editor reads it: choices by label, French dates, lists joined."""
    if value is None or value == "" or value == []:
        return "—"
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, datetime.datetime):
        return f"{timezone.localtime(value):%d/%m/%Y %H:%M}"
    if isinstance(value, datetime.date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return value


class PortfolioHistoryHelper(HistoricalRecordContextHelper):
    """simple-history's field-by-field changes, with French labels and displayed values."""

    def format_delta_change(self, change: ModelChange) -> ModelChange:
        formatted = super().format_delta_change(change)
        return dataclasses.replace(
            formatted, field=field_label(self.model._meta.get_field(change.field))
        )

    def prepare_delta_change_value(self, change: ModelChange, value: object) -> object:
        field = self.model._meta.get_field(change.field)
        return display_value(field, super().prepare_delta_change_value(change, value))


def delta_changes(model: type[models.Model], record, previous) -> list[dict]:
    """What changed from `previous` to `record`, field by field, as the templates show it."""
    delta = record.diff_against(
        previous, excluded_fields=HIDDEN_HISTORY_FIELDS, foreign_keys_are_objs=True
    )
    return PortfolioHistoryHelper(model, record).context_for_delta_changes(delta)


def parents_left_empty(rows: Iterable[models.Model], parent: str) -> set[int]:
    """The ids of the `parent`s (a foreign key of the rows' model) that deleting `rows` would
    leave without any row: a startup without phase, a member without mission."""
    rows = list(rows)
    if not rows:
        return set()
    model = type(rows[0])
    attname = model._meta.get_field(parent).attname
    chosen = Counter(getattr(row, attname) for row in rows)
    held = model._default_manager.filter(**{f"{attname}__in": chosen}).values_list(attname)
    totals = held.order_by().annotate(total=Count("*"))
    return {parent_id for parent_id, total in totals if chosen[parent_id] >= total}


def parent_left_empty(row: models.Model, parent: str, new_parent_id: int) -> int | None:
    """The id of the `parent` that moving `row`, as stored, to `new_parent_id` would leave
    without any row; None when none would (a new row, a row kept where it is...)."""
    manager = type(row)._default_manager
    attname = type(row)._meta.get_field(parent).attname
    stored = manager.filter(pk=row.pk).values_list(attname, flat=True).first()
    if stored is None or stored == new_parent_id:
        return None
    if manager.filter(**{attname: stored}).exclude(pk=row.pk).exists():
        return None
    return stored


class KeepsOneRowPerParent:
    """An admin of rows each parent keeps one of, as the parent's page requires (a startup's
    phases, a member's missions): deleting a parent's last rows, here or in bulk, is
    refused, the parent named among what the deletion cannot touch."""

    kept_by = ""  # the foreign key to the parent
    kept_by_order = ""  # how the parents named are ordered
    keep_one_message = ""  # "{parent} : …"

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        parents = self.model._meta.get_field(self.kept_by).related_model._default_manager
        emptied = parents.filter(pk__in=parents_left_empty(objs, self.kept_by))
        protected = [
            *protected,
            *(
                self.keep_one_message.format(parent=parent)
                for parent in emptied.order_by(self.kept_by_order)
            ),
        ]
        return deleted, counts, perms_needed, protected


class LinesField(forms.CharField):
    """A list of short texts (technologies, old addresses...) edited one item per line."""

    widget = forms.Textarea(attrs={"rows": 4})

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", "Un élément par ligne.")
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(value)
        return value

    def to_python(self, value) -> list[str]:
        if isinstance(value, list):
            return value
        text = super().to_python(value)
        return [line.strip() for line in text.splitlines() if line.strip()]

    def has_changed(self, initial, data) -> bool:
        return (initial or []) != self.to_python(data)

    def run_validators(self, value: list[str]) -> None:
        # Each line, as a text field checks its text (no NUL character...).
        for line in value:
            super().run_validators(line)


class MultilineTextField(forms.CharField):
    """Text typed in a textarea. Browsers send its line breaks as CRLF; the content files (and
    the imported texts) use LF: without this, saving a page would change every description."""

    def to_python(self, value) -> str:
        text = super().to_python(value)
        return text.replace("\r\n", "\n").replace("\r", "\n")


class MarkdownBodyField(MultilineTextField):
    """The Markdown body of a content file (a description, a bio), trimmed as the import trims
    it: blank lines before, spaces after. An indented first line stays indented."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**{**kwargs, "strip": False})

    def to_python(self, value) -> str:
        return super().to_python(value).lstrip("\n").rstrip()


# For every admin and inline: texts keep LF line breaks, web addresses default to https.
TEXT_FIELDS = {models.TextField: {"form_class": MultilineTextField}}
# The fields written as the body of their content file, not in its front matter.
MARKDOWN_BODIES = {"description", "bio"}


def https_formfield(db_field: models.Field, **kwargs) -> forms.Field | None:
    """Model form fields as the admin makes them: web addresses without a scheme get https."""
    if isinstance(db_field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return db_field.formfield(**kwargs)


class ContentForm(forms.ModelForm):
    """A record of the content: its identifier is its file name, unique within its kind."""

    def clean_slug(self) -> str:
        slug = self.cleaned_data["slug"]
        others = type(self.instance)._default_manager.exclude(pk=self.instance.pk)
        if others.filter(slug=slug).exists():
            raise ValidationError(
                f"« {slug} » est déjà l’identifiant d’une autre fiche : choisissez-en un autre "
                "(c’est le nom de son fichier de contenu)."
            )
        return slug


def lines_field(model: type[models.Model], name: str, **kwargs) -> LinesField:
    field = model._meta.get_field(name)
    return LinesField(label=str(field.verbose_name).capitalize(), **kwargs)


def public_link(url: str | None) -> str:
    """A link to a public page, or a dash while that page does not exist yet."""
    return format_html('<a href="{}">Voir sur le site</a>', url) if url else "—"


def append_positions(instances: Iterable[models.Model], siblings: models.QuerySet) -> None:
    """New rows go after the existing ones: the content files list them in that order."""
    new = [instance for instance in instances if instance.pk is None]
    if not new:
        return
    last = siblings.aggregate(last=Max("position"))["last"]
    for offset, instance in enumerate(new, start=1 if last is not None else 0):
        instance.position = (last or 0) + offset


def renumber(siblings: models.QuerySet, *order: str) -> None:
    """Keep `position` (the order written to the file) sorted by date, stable for equal dates.

    Real files list phases, events and missions by date; an edit that moves a date moves the
    row. Positions are technical: they are updated without a history record.
    """
    rows = list(siblings.order_by(*order, "position", "pk").values_list("pk", "position"))
    for position, (pk, old) in enumerate(rows):
        if old != position:
            siblings.model._default_manager.filter(pk=pk).update(position=position)


class LabelledTabularInline(admin.TabularInline):
    """A tabular inline whose fields carry their label (`aria-label`), in French.

    Django's table layout names each column once, in its header, which assistive technologies
    do not tie to the fields below (axe-core: "Form elements must have labels"). Columns of
    foreign keys the models leave unnamed get their French label (`field_label`).
    """

    formfield_overrides = TEXT_FIELDS

    def get_formset(self, request, obj=None, **kwargs):
        labels = {field.name: field_label(field) for field in self.model._meta.fields}
        kwargs["labels"] = {**labels, **kwargs.get("labels", {})}
        formset = super().get_formset(request, obj, **kwargs)

        class LabelledFormSet(formset):
            def add_fields(self, form, index):
                super().add_fields(form, index)
                row = "nouvelle ligne" if index is None else f"ligne {index + 1}"
                for name, field in form.fields.items():
                    label = "supprimer" if name == "DELETE" else str(field.label or name)
                    # The widget itself, not the admin's wrapper: the copied wrapper's attrs
                    # still point to the original widget's, shared by every row.
                    widget = getattr(field.widget, "widget", field.widget)
                    widget.attrs["aria-label"] = f"{label.capitalize()} ({row})"

        LabelledFormSet.__name__ = formset.__name__
        return LabelledFormSet


@dataclass(frozen=True)
class HistorySource:
    """Rows whose history is shown on an object's history page (a startup's phases...)."""

    model: type[models.Model]
    condition: models.Q  # on the historical model, so that deleted rows are included
    label: str = ""

    @property
    def kind(self) -> str:
        return self.label or str(self.model._meta.verbose_name).capitalize()


@dataclass
class HistoryEntry:
    """One historical record of a row belonging to the object shown."""

    kind: str
    label: str
    date: object
    action: str
    user: object
    reason: str
    changes: list[dict]
    revert_url: str


def related_history(
    request: HttpRequest, parent: models.Model, sources: Sequence[HistorySource]
) -> list[HistoryEntry]:
    """The history of the rows that belong to `parent`, newest first, field by field.

    One query per source: foreign keys are fetched with the records.
    """
    entries = []
    for source in sources:
        model = source.model
        records = list(
            model.history.filter(source.condition)
            ._select_related_history_tracked_objs()
            .select_related("history_user")
            .order_by("-history_date", "-history_id")[:RELATED_HISTORY_LIMIT]
        )
        model_admin = admin.site.get_model_admin(model) if admin.site.is_registered(model) else None
        older: dict[object, object] = {}
        for record in reversed(records):
            pk = getattr(record, model._meta.pk.attname)
            entries.append(_entry(request, source, model_admin, record, older.get(pk), parent))
            older[pk] = record
    entries.sort(key=lambda entry: entry.date, reverse=True)
    return entries[:RELATED_HISTORY_LIMIT]


def _entry(request, source, model_admin, record, previous, parent) -> HistoryEntry:
    model = source.model
    if previous is not None and record.history_type == "~":
        changes = delta_changes(model, record, previous)
    else:
        changes = [
            {"field": field_label(field), "old": "", "new": value}
            for field, value in _values(record, type(parent))
        ]
    revert_url = ""
    pk = getattr(record, model._meta.pk.attname)
    if isinstance(model_admin, SimpleHistoryAdmin) and model_admin.has_change_permission(
        request, record.instance
    ):
        info = model._meta.app_label, model._meta.model_name
        revert_url = reverse(f"admin:{info[0]}_{info[1]}_simple_history", args=[pk, record.pk])
    return HistoryEntry(
        kind=source.kind,
        label=" · ".join(str(value) for _, value in _values(record, type(parent)))[:120],
        date=record.history_date,
        action=HISTORY_TYPES.get(record.history_type, record.history_type),
        user=record.history_user,
        reason=record.history_change_reason or "",
        changes=changes,
        revert_url=revert_url,
    )


def _values(record, parent_model: type[models.Model]) -> list[tuple[models.Field, object]]:
    """The fields of a historical row worth showing, displayed as in the admin."""
    values = []
    for field in record.tracked_fields:
        if field.name in {"id", *HIDDEN_HISTORY_FIELDS} or not field.editable:
            continue
        if field.is_relation and field.related_model is parent_model:
            continue
        value = getattr(record, field.name, None)
        if value in (None, "", []):
            continue
        values.append((field, display_value(field, value)))
    return values


class PortfolioAdmin(SimpleHistoryAdmin):
    """A portfolio admin: history and revert (django-simple-history), French, CSP-safe.

    Reverting is a change: simple-history's own view accepts a revert from anyone who may
    view the version, so both the version and the current row (which a version may not
    describe: a phase moved to another startup) are checked here, the POST against the
    change permission.
    """

    form = ContentForm
    object_history_template = "admin/portfolio/object_history.html"
    object_history_list_template = "admin/portfolio/object_history_list.html"
    object_history_form_template = "admin/portfolio/object_history_form.html"
    formfield_overrides = {**TEXT_FIELDS, models.URLField: {"assume_scheme": "https"}}
    history_sources_title = ""

    def history_sources(self, obj: models.Model) -> Sequence[HistorySource]:
        """The rows whose history is shown with the object's own (its phases...)."""
        return ()

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name in MARKDOWN_BODIES and issubclass(db_field.model, ContentFile):
            kwargs["form_class"] = MarkdownBodyField
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def public_url(self, obj: models.Model) -> str | None:
        """The public page showing `obj` (a phase: its startup's), None when there is none."""
        try:
            return obj.get_absolute_url()
        except (AttributeError, NoReverseMatch):
            return None

    def view_on_site(self, obj: models.Model) -> str | None:
        # « Voir sur le site » on the change page: straight to the public page.
        return self.public_url(obj)

    @admin.display(description="Page publique")
    def public_page(self, obj: models.Model) -> str:
        return public_link(self.public_url(obj))

    def get_historical_record_context_helper(self, request, historical_record):
        return PortfolioHistoryHelper(self.model, historical_record)

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        """simple-history's deltas, without the technical fields (`position`)."""
        newer = None
        for record in historical_records:
            if newer is not None:
                newer.history_delta_changes = delta_changes(self.model, newer, record)
            newer = record

    def _check_id(self, object_id: str) -> None:
        try:
            self.model._meta.pk.to_python(object_id)
        except ValidationError:
            raise Http404 from None

    def _current(self, request: HttpRequest, object_id: str) -> models.Model | None:
        """The row as it is now, None once deleted; 403 when the user may not see it."""
        self._check_id(object_id)
        obj = self.get_object(request, object_id)
        if obj is not None and not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        return obj

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: dict | None = None
    ) -> HttpResponse:
        obj = self._current(request, object_id)
        sources = self.history_sources(obj) if obj is not None else ()
        context = {
            "public_url": self.public_url(obj) if obj is not None else None,
            "related_history": related_history(request, obj, sources) if sources else [],
            "related_history_title": self.history_sources_title,
            **(extra_context or {}),
        }
        return super().history_view(request, object_id, context)

    def history_form_view(
        self,
        request: HttpRequest,
        object_id: str,
        version_id: str,
        extra_context: dict | None = None,
    ) -> HttpResponse:
        current = self._current(request, object_id)
        if not version_id.isdigit():
            raise Http404
        record = self.model.history.filter(
            **{self.model._meta.pk.attname: object_id, "history_id": version_id}
        ).first()
        if record is None:
            raise Http404
        if request.method == "POST" and not (
            self.has_change_permission(request, record.instance)
            and (current is None or self.has_change_permission(request, current))
        ):
            raise PermissionDenied
        request.reverting_to_version = True
        return super().history_form_view(request, object_id, version_id, extra_context)

    def save_model(self, request, obj, form, change) -> None:
        """Saving a page where only rows changed (a phase) adds no empty version of the object.

        A revert is always recorded, even when it restores what the page showed.
        """
        reverting = getattr(request, "reverting_to_version", False)
        if not change or form.has_changed() or reverting:
            super().save_model(request, obj, form, change)
            return
        # simple-history skips the record when the attribute exists, whatever its value.
        obj.skip_history_when_saving = True
        try:
            super().save_model(request, obj, form, change)
        finally:
            del obj.skip_history_when_saving

    def save_formset(self, request, form, formset, change) -> None:
        """New inline rows (phases, sponsors...) get the next positions of their parent."""
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            obj.delete()
        if any(field.name == "position" for field in formset.model._meta.fields):
            siblings = formset.model._default_manager.filter(**{formset.fk.name: form.instance})
            append_positions(instances, siblings)
        for instance in instances:
            instance.save()
        formset.save_m2m()


class RestoredLinkForm(forms.ModelForm):
    """The revert page of a link row: no field, the version's values checked as the parent's
    page would (uniqueness, constraints, `LinkRowAdmin.restore_error`)."""

    link_admin: LinkRowAdmin

    def clean(self) -> dict:
        cleaned = super().clean()
        try:
            self.instance.validate_unique()
            self.instance.validate_constraints()
        except ValidationError as error:
            raise ValidationError(error.messages) from None
        if error := self.link_admin.restore_error(self.instance):
            raise ValidationError(error)
        return cleaned


class LinkRowAdmin(PortfolioAdmin):
    """A link row (a startup's sponsor, a mission's startup...) edited on its parent's page.

    Registered for its history: a version of it is restored from the parent's history page.
    It is left out of the admin's index, and its own change and delete pages lead to the
    parent's page, where the rules about links are checked (a startup keeps its main incubator
    among its incubators...).
    """

    parent_field = ""
    actions = None

    def get_model_perms(self, request: HttpRequest) -> dict:
        return {}

    def get_readonly_fields(self, request: HttpRequest, obj=None) -> Sequence[str]:
        """A version is restored as it was: its revert page edits nothing (values posted to
        it would escape the rules, and the scope, of the parent's page)."""
        if getattr(request, "reverting_to_version", False):
            excluded = set(self.exclude or ())
            return [
                field.name
                for field in self.model._meta.fields
                if field.editable and not field.primary_key and field.name not in excluded
            ]
        return super().get_readonly_fields(request, obj)

    def get_form(self, request: HttpRequest, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if not getattr(request, "reverting_to_version", False):
            return form
        return type(f"Restored{form.__name__}", (RestoredLinkForm, form), {"link_admin": self})

    def restore_error(self, restored: models.Model) -> str:
        """Why the version `restored` may not be put back, as it breaks a rule of the
        parent's page; empty when it may."""
        return ""

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def parent_page(self, request: HttpRequest, object_id: str) -> HttpResponse | None:
        obj = self._current(request, object_id)
        if obj is None:
            return None
        parent = getattr(obj, self.parent_field)
        meta = parent._meta
        return redirect(f"admin:{meta.app_label}_{meta.model_name}_change", parent.pk)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        return self.parent_page(request, object_id) or super().change_view(
            request, object_id, form_url, extra_context
        )

    def delete_view(self, request, object_id, extra_context=None):
        return self.parent_page(request, object_id) or super().delete_view(
            request, object_id, extra_context
        )
