from django.apps import AppConfig


class StaffConfig(AppConfig):
    """Who edits what in the admin: incubators' staff groups and the scoping of their rights."""

    name = "staff"
    verbose_name = "Équipes d’édition"
