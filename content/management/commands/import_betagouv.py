import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from content.importer import ImportRefused, ImportReport, import_content
from content.schema import KINDS
from stats.figures import prepare_todays_figures


class Command(BaseCommand):
    help = (
        "Importe un dossier de contenu beta.gouv.fr (_startups, _authors, _incubators, "
        "_organisations, _phases, _teams) : crée, met à jour et supprime pour que la base "
        "reflète exactement le dossier. Tout ou rien, sauf avec --skip-invalid."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="le dossier « content » de beta.gouv.fr")
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="importer les fichiers valides et laisser tels quels en base les invalides",
        )

    def handle(self, *args, path: Path, skip_invalid: bool, verbosity: int, **options) -> None:
        if not path.is_dir():
            raise CommandError(f"{path} : dossier introuvable")

        def progress(files, total):
            return tqdm(
                files,
                total=total,
                desc="Lecture",
                unit=" fichiers",
                disable=None if verbosity else True,
                file=sys.stderr,
            )

        try:
            report = import_content(path, skip_invalid=skip_invalid, progress=progress)
        except ImportRefused as refused:
            self._print_problems(refused.report)
            raise CommandError(
                f"{len(refused.report.problems)} problème(s) : rien n’a été importé, "
                "la base est inchangée. Corrigez les fichiers, ou relancez avec --skip-invalid."
            ) from None
        if report.changed:
            # Outside a request: nothing else prepares them before the next visitor.
            prepare_todays_figures()
        for warning in report.warnings:
            self.stderr.write(f"Avertissement : {warning}")
        if report.problems:
            self._print_problems(report)
            self.stderr.write(
                f"{sum(len(s) for s in report.skipped.values())} fichier(s) ignoré(s) "
                "(--skip-invalid) : leur contenu en base n’a pas changé."
            )
        self._print_summary(report)

    def _print_problems(self, report: ImportReport) -> None:
        for problem in report.problems:
            self.stderr.write(str(problem))

    def _print_summary(self, report: ImportReport) -> None:
        for path in report.ignored_files:
            self.stdout.write(f"{path} : ignoré (pas un fichier .md)")
        for name, kind in KINDS.items():
            summary = report.summaries[name]
            self.stdout.write(
                f"{kind.label:<14} {summary.created:>5} créé(s) {summary.updated:>5} modifié(s) "
                f"{summary.deleted:>5} supprimé(s) {summary.skipped:>5} ignoré(s) "
                f"{summary.unchanged:>5} inchangé(s)"
            )
        if report.changed:
            self.stdout.write(self.style.SUCCESS("Import terminé."))
        else:
            self.stdout.write(
                self.style.SUCCESS("Aucun changement : la base reflétait déjà le contenu.")
            )
