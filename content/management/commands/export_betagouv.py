import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from content.exporter import KINDS, export_content


class Command(BaseCommand):
    help = (
        "Exporte le portefeuille au format du contenu beta.gouv.fr (Markdown + front matter "
        "YAML, dossiers _startups, _authors, _incubators, _organisations, _phases, _teams) : "
        "le dossier reflète alors exactement la base. Les fichiers inchangés ne sont pas "
        "réécrits ; les fichiers .md sans fiche en base sont supprimés, les autres laissés."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="le dossier « content » à écrire")

    def handle(self, *args, path: Path, **options) -> None:
        if path.exists() and not path.is_dir():
            raise CommandError(f"{path} : ce n’est pas un dossier")
        started = time.monotonic()
        report = export_content(path)
        for kind in KINDS:
            summary = report.summaries[kind.folder]
            self.stdout.write(
                f"{kind.label:<14} {summary.written:>5} écrit(s) {summary.unchanged:>5} "
                f"inchangé(s) {summary.deleted:>5} supprimé(s)"
            )
        elapsed = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(f"Export terminé en {elapsed:.1f} s dans {path}."))
