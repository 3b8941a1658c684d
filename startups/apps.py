from django.apps import AppConfig


class StartupsConfig(AppConfig):
    name = "startups"
    verbose_name = "Portefeuille"

    def ready(self) -> None:
        from startups import signals

        signals.connect()
