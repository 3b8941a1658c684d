"""The eight phases exist from the start; the importer replaces these texts with the content's."""

from django.db import migrations

PHASES = [
    # slug, label, display order (as in the content: most mature first), description
    ("opere", "Opéré au sein du réseau beta.gouv.fr", 1,
     "Le service est mature ; un incubateur ou un opérateur du réseau continue de le suivre."),
    ("transfere", "Transféré", 2,
     "Le service est sorti du programme et reste accessible à ses usagers."),
    ("consolidation", "En consolidation", 3,
     "L’équipe prépare la sortie d’incubation et le fonctionnement du service à long terme."),
    ("acceleration", "Accélération", 4,
     "L’équipe déploie le service et l’améliore pour en accroître l’impact."),
    ("construction", "Construction", 5,
     "L’équipe construit une première version du service et la teste avec de vrais usagers."),
    ("investigation", "Investigation", 6,
     "L’équipe vérifie qu’un problème existe, pour qui, et comment il se pose."),
    ("abandon-investigation", "Investigations non concluantes", 7,
     "L’investigation n’a pas conduit à créer un service numérique."),
    ("abandon", "Services arrêtés", 8,
     "Le service a été arrêté pendant l’incubation et n’est plus accessible."),
]


def seed(apps, schema_editor):
    Phase = apps.get_model("startups", "Phase")
    for slug, label, order, description in PHASES:
        Phase.objects.update_or_create(
            slug=slug, defaults={"label": label, "order": order, "description": description}
        )


class Migration(migrations.Migration):
    dependencies = [("startups", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
