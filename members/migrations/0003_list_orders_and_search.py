from django.db import migrations, models

# On PostgreSQL, a trigram index serves `search_text LIKE '%word%'` (betagouv.search).
SEARCHED_TABLES = ["members_member"]


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
        ("members", "0002_arrival_and_departure"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="member",
            index=models.Index(
                fields=["search_text", "fullname", "id"], name="members_by_folded_name"
            ),
        ),
        migrations.AddIndex(
            model_name="member",
            index=models.Index(fields=["fullname", "slug"], name="members_by_name"),
        ),
        migrations.RunPython(create_search_indexes, drop_search_indexes),
    ]
