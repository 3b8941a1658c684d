from django.db import migrations


def create_index(apps, schema_editor):
    """The latest launches first (`?sort=-launch`), whatever the phase: with a filter (an
    incubator, a sponsor...), the page reads the startups in that order and stops at the
    page's end, instead of sorting all those the filter gives (the busiest incubator's
    incubation phases at 100 times the data: 2 ms against 22). PostgreSQL only, as SQLite
    refuses NULLS LAST in an index."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS startups_latest_launches ON startups_startup "
            "(launched_on DESC NULLS LAST)"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS startups_latest_launches")


class Migration(migrations.Migration):
    dependencies = [
        ("startups", "0015_search_text_separator"),
    ]

    operations = [migrations.RunPython(create_index, drop_index)]
