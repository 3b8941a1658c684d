from django.db import migrations, models
from django.db.models import Case, Exists, OuterRef, Subquery, When


def store_mission_dates(apps, schema_editor):
    """Each member's first start and, once every mission has ended, last end (the rule of
    MemberQuerySet.store_mission_dates)."""
    Member = apps.get_model("members", "Member")
    Mission = apps.get_model("members", "Mission")
    missions = Mission.objects.filter(member=OuterRef("pk")).order_by()
    Member.objects.update(
        arrived_on=Subquery(missions.order_by("start").values("start")[:1]),
        left_on=Case(
            When(Exists(missions.filter(end=None)), then=None),
            default=Subquery(missions.order_by("-end").values("end")[:1]),
        ),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="member",
            name="arrived_on",
            field=models.DateField(
                blank=True,
                db_index=True,
                editable=False,
                help_text="Calculé : le début de sa première mission.",
                null=True,
                verbose_name="arrivée le",
            ),
        ),
        migrations.AddField(
            model_name="member",
            name="left_on",
            field=models.DateField(
                blank=True,
                db_index=True,
                editable=False,
                help_text="Calculé : la fin de sa dernière mission, quand toutes sont finies.",
                null=True,
                verbose_name="départ le",
            ),
        ),
        migrations.RunPython(store_mission_dates, migrations.RunPython.noop, elidable=True),
    ]
