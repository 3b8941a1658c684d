from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "stats"
    verbose_name = "Statistiques"

    def ready(self) -> None:
        from stats import signals

        signals.connect()
