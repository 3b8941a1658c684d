from django.core.management.base import BaseCommand, CommandError, CommandParser

from staff.groups import STAFF_PERMISSIONS, create_incubator_group
from startups.models import Incubator


class Command(BaseCommand):
    help = (
        "Crée le groupe d’édition d’un ou plusieurs incubateurs (ou remet ses permissions à "
        "jour) : ses membres modifient dans l’administration les startups de l’incubateur, "
        "leurs phases, événements et missions d’équipe, et rien d’autre."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slugs", nargs="*", help="identifiants des incubateurs")
        parser.add_argument("--all", action="store_true", help="tous les incubateurs")

    def handle(self, *args, slugs: list[str], all: bool, **options) -> None:
        if all == bool(slugs):
            raise CommandError("Indiquez des identifiants d’incubateurs, ou --all.")
        incubators = Incubator.objects.all() if all else Incubator.objects.filter(slug__in=slugs)
        missing = sorted(set(slugs) - {incubator.slug for incubator in incubators})
        if missing:
            raise CommandError(f"Incubateur(s) inconnu(s) : {', '.join(missing)}")
        for incubator in incubators:
            link, created = create_incubator_group(incubator)
            action = "créé" if created else "mis à jour"
            self.stdout.write(f"{incubator.slug} : groupe « {link.group.name} » {action}")
        self.stdout.write(
            f"Permissions : {', '.join(sorted(STAFF_PERMISSIONS))}. Ajoutez les personnes au "
            "groupe depuis leur page d’utilisateur (statut « équipe » coché)."
        )
