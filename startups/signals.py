"""Every save or delete of a portfolio model bumps the portfolio version; a phase's save or
delete recomputes its startup's periods (`StartupPhase.next_start`)."""

from django.apps import apps
from django.db.models.signals import m2m_changed, post_delete, post_save

PORTFOLIO_APPS = ("startups", "members")


def bump_version(sender, **kwargs) -> None:
    from startups.models import PortfolioVersion

    if kwargs.get("raw") or sender is PortfolioVersion:
        return
    PortfolioVersion.bump()


def bump_version_on_links(sender, action: str, **kwargs) -> None:
    """Links between portfolio rows (sponsors, thematiques…) changed. Other many-to-many
    relations (a user joining a staff group) change nothing the public sees."""
    if sender._meta.app_label in PORTFOLIO_APPS and action.startswith("post_"):
        bump_version(sender)


def store_next_starts(sender, instance, **kwargs) -> None:
    sender.objects.filter(startup_id=instance.startup_id).store_next_starts()


def connect() -> None:
    from startups.models import StartupPhase

    post_save.connect(store_next_starts, sender=StartupPhase, dispatch_uid="phase-periods-save")
    post_delete.connect(store_next_starts, sender=StartupPhase, dispatch_uid="phase-periods-del")
    for app_label in PORTFOLIO_APPS:
        for model in apps.get_app_config(app_label).get_models():
            if model._meta.label.split(".")[1].startswith("Historical"):
                continue
            post_save.connect(
                bump_version, sender=model, dispatch_uid=f"bump-save-{model._meta.label}"
            )
            post_delete.connect(
                bump_version, sender=model, dispatch_uid=f"bump-del-{model._meta.label}"
            )
    m2m_changed.connect(bump_version_on_links, dispatch_uid="bump-m2m")
