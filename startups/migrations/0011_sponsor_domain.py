"""Sponsor rows keep a copy of their organisation's ministerial domain
(`StartupSponsor.ministerial_domain`), with an index on (domain, startup)."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def store_domains(apps, schema_editor):
    StartupSponsor = apps.get_model("startups", "StartupSponsor")
    Organisation = apps.get_model("startups", "Organisation")
    organisation = Organisation.objects.filter(pk=OuterRef("organisation_id"))
    StartupSponsor.objects.update(
        ministerial_domain=Subquery(organisation.values("ministerial_domain")[:1])
    )


class Migration(migrations.Migration):
    dependencies = [
        ("startups", "0010_version_current_on"),
    ]

    operations = [
        migrations.AddField(
            model_name="startupsponsor",
            name="ministerial_domain",
            field=models.CharField(
                choices=[
                    ("affaires-etrangeres", "Affaires étrangères"),
                    ("agriculture", "Agriculture"),
                    ("armees", "Armées"),
                    ("bercy", "Économie et finances"),
                    ("culture", "Culture"),
                    ("education", "Éducation nationale"),
                    ("enseignement-sup", "Enseignement supérieur et recherche"),
                    ("environnement", "Transition écologique"),
                    ("interieur", "Intérieur"),
                    ("justice", "Justice"),
                    ("solidarite-sante", "Solidarités et santé"),
                    ("spm", "Services du Premier ministre"),
                    ("sport", "Sports"),
                    ("territoires", "Cohésion des territoires"),
                    ("travail", "Travail et emploi"),
                    ("autres", "Autres"),
                ],
                db_default="",
                editable=False,
                max_length=50,
                verbose_name="domaine ministériel",
            ),
        ),
        migrations.RunPython(store_domains, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="startupsponsor",
            index=models.Index(
                fields=["ministerial_domain", "startup"], name="startups_sponsor_domain"
            ),
        ),
    ]
