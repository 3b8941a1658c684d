from django.db import migrations

# On PostgreSQL, a trigram index serves `search_text LIKE '%word%'` (betagouv.search).
SEARCHED_TABLES = ["startups_startup", "startups_organisation", "startups_incubator"]


def create_search_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for table in SEARCHED_TABLES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {table}_search_trgm ON {table} "
            "USING gin (search_text gin_trgm_ops)"
        )


def drop_search_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in SEARCHED_TABLES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {table}_search_trgm")


class Migration(migrations.Migration):
    dependencies = [
        ("startups", "0005_launch_date"),
    ]

    operations = [migrations.RunPython(create_search_indexes, drop_search_indexes)]
