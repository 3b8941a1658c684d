"""`search_text` joins its fields with a line break, below any character of a folded text: by
name, « Mes Aides » then sorts before « Mes aides à l'embauche » (betagouv.search)."""

from django.db import migrations

from betagouv.search import search_text

# Each searchable model's `search_fields`, as they are when this migration is written.
SEARCH_FIELDS = {
    ("startups", "Organisation"): ("name", "acronym", "slug"),
    ("startups", "Incubator"): ("title", "short_description", "slug"),
    ("startups", "Startup"): ("title", "mission", "description"),
    ("members", "Member"): ("fullname", "github", "slug"),
}
BATCH_SIZE = 2000


def rebuild_search_text(apps, schema_editor):
    for (app_label, model_name), fields in SEARCH_FIELDS.items():
        model = apps.get_model(app_label, model_name)
        rows = model.objects.only("pk", "search_text", *fields).order_by("pk")
        changed = []
        for row in rows.iterator(chunk_size=BATCH_SIZE):
            text = search_text(*(getattr(row, field) for field in fields))
            if text != row.search_text:
                row.search_text = text
                changed.append(row)
            if len(changed) == BATCH_SIZE:
                model.objects.bulk_update(changed, ["search_text"])
                changed = []
        model.objects.bulk_update(changed, ["search_text"])


class Migration(migrations.Migration):
    dependencies = [
        ("startups", "0014_plausible_dates"),
        ("members", "0007_plausible_dates"),
    ]

    operations = [migrations.RunPython(rebuild_search_text, migrations.RunPython.noop)]
