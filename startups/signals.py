"""Every save or delete of a portfolio model bumps the portfolio version.

What is stored because it derives from other rows is recomputed when those rows change:
a phase's save or delete recomputes its startup's periods, launch date and current phase
(`StartupQuerySet.store_phase_dates`), a mission's its member's arrival and departure dates
(`MemberQuerySet.store_mission_dates`). A row moved to another parent (a phase given to
another startup in the admin) recomputes both parents. A phase's display order is stored on
the startups in that phase (`Startup.phase_order`), an organisation's ministerial domain on
its sponsor rows (`StartupSponsor.ministerial_domain`).
"""

from django.apps import apps
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import Signal

PORTFOLIO_APPS = ("startups", "members")

# Sent when what the public sees has changed: a write bumped the portfolio version
# (`PortfolioVersion.bump`), or a new day made today's current phases (`make_current`).
# The sender waits for the receivers: they only take note (see `stats.signals`).
portfolio_changed = Signal()


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


def derived_dates() -> dict:
    """For each model whose rows make dates stored on their parent: (parent foreign key,
    the parents' queryset method that stores those dates)."""
    from members.models import Member, Mission
    from startups.models import Startup, StartupPhase

    return {
        StartupPhase: (
            "startup_id",
            lambda ids: Startup.objects.filter(pk__in=ids).store_phase_dates(),
        ),
        Mission: ("member_id", lambda ids: Member.objects.filter(pk__in=ids).store_mission_dates()),
    }


def store_phase_order(sender, instance, **kwargs) -> None:
    """A phase's display order changed: the startups in that phase store it for the lists."""
    from startups.models import Startup

    if not kwargs.get("raw"):
        Startup.objects.filter(phase=instance).update(phase_order=instance.order)


def remember_parent(sender, instance, **kwargs) -> None:
    """Before a save: the parent the row had, in case the save moves it to another one."""
    parent_field, _ = derived_dates()[sender]
    if instance.pk is not None:
        previous = sender.objects.filter(pk=instance.pk).values_list(parent_field, flat=True)
        instance._previous_parent_id = previous.first()


def store_derived_dates(sender, instance, **kwargs) -> None:
    parent_field, store = derived_dates()[sender]
    parents = {getattr(instance, parent_field), getattr(instance, "_previous_parent_id", None)}
    store([parent for parent in parents if parent is not None])


def store_sponsor_domains(sender, instance, **kwargs) -> None:
    """An organisation's save: its sponsor rows copy its ministerial domain again."""
    from startups.models import StartupSponsor

    if not kwargs.get("raw"):
        StartupSponsor.objects.filter(organisation=instance).store_domains()


def store_added_sponsor_domains(sender, instance, action: str, pk_set, **kwargs) -> None:
    """Sponsors added in bulk (`startup.sponsors.add`) are created without a save."""
    if action == "post_add" and pk_set:
        parent = "organisation" if kwargs["reverse"] else "startup"
        other = "startup" if kwargs["reverse"] else "organisation"
        rows = sender.objects.filter(**{parent: instance, f"{other}__in": pk_set})
        rows.store_domains()


def connect() -> None:
    for model in derived_dates():
        label = model._meta.label
        pre_save.connect(remember_parent, sender=model, dispatch_uid=f"parent-{label}")
        post_save.connect(store_derived_dates, sender=model, dispatch_uid=f"dates-save-{label}")
        post_delete.connect(store_derived_dates, sender=model, dispatch_uid=f"dates-del-{label}")
    # Before the version's bump: a request that reads the new version reads the new domains.
    post_save.connect(
        store_sponsor_domains,
        sender=apps.get_model("startups", "Organisation"),
        dispatch_uid="sponsor-domains",
    )
    m2m_changed.connect(
        store_added_sponsor_domains,
        sender=apps.get_model("startups", "StartupSponsor"),
        dispatch_uid="added-sponsor-domains",
    )
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
    post_save.connect(
        store_phase_order, sender=apps.get_model("startups", "Phase"), dispatch_uid="phase-order"
    )
