from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def store_launch_dates(apps, schema_editor):
    """The start of each startup's first phase (the rule of
    StartupQuerySet.store_dates_from_periods)."""
    Startup = apps.get_model("startups", "Startup")
    StartupPhase = apps.get_model("startups", "StartupPhase")
    first = StartupPhase.objects.filter(startup=OuterRef("pk")).order_by("start")
    Startup.objects.update(launched_on=Subquery(first.values("start")[:1]))


class Migration(migrations.Migration):
    dependencies = [
        ("startups", "0004_store_phase_periods"),
    ]

    operations = [
        migrations.AddField(
            model_name="startup",
            name="launched_on",
            field=models.DateField(
                blank=True,
                db_index=True,
                editable=False,
                help_text="Calculé : le début de sa première phase.",
                null=True,
                verbose_name="lancée le",
            ),
        ),
        migrations.RunPython(store_launch_dates, migrations.RunPython.noop, elidable=True),
    ]
