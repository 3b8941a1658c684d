from django.apps import AppConfig


class ContentConfig(AppConfig):
    """The beta.gouv.fr content format (Markdown + YAML files): import, export, demo data."""

    name = "content"
    verbose_name = "Contenu beta.gouv.fr"
