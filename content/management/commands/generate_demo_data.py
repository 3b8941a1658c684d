import datetime
import time

from django.core.management.base import BaseCommand, CommandError, CommandParser

from content.demo import generate, portfolio_is_empty


class Command(BaseCommand):
    help = (
        "Remplace le portefeuille par des données de démonstration françaises, déterministes, "
        "de même forme que le contenu réel (Startups, membres, missions, sponsors, incubateurs)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--startups", type=int, default=662, help="nombre de startups")
        parser.add_argument(
            "--seed", type=int, default=1, help="graine : même graine, mêmes données"
        )
        parser.add_argument(
            "--until",
            type=datetime.date.fromisoformat,
            help="date la plus récente des historiques (AAAA-MM-JJ, aujourd’hui par défaut)",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="ne rien faire si le portefeuille contient déjà des données",
        )

    def handle(self, *args, startups, seed, until, if_empty, **options) -> None:
        if startups < 1:
            raise CommandError("--startups doit être au moins 1")
        if if_empty and not portfolio_is_empty():
            self.stdout.write("Le portefeuille contient déjà des données : rien n’a été généré.")
            return
        started = time.monotonic()
        counts = generate(startups, seed, until)
        self.stdout.write(
            self.style.SUCCESS(
                f"{counts.startups} startups ({counts.phases} phases), {counts.members} membres "
                f"({counts.missions} missions), {counts.organisations} organisations, "
                f"{counts.incubators} incubateurs, {counts.teams} équipes "
                f"en {time.monotonic() - started:.1f} s."
            )
        )
