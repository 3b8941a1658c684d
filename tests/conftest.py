import importlib

import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _phases_survive_flushes(request):
    """The eight phases are data from a migration (0002_seed_phases). A transactional test
    flushes every table when it ends; `serialized_rollback` puts the migrations' data back only
    where Django kept it on the connection, which threads and event loops (the live server,
    Playwright) defeat. Seed whatever phase is missing, so no test depends on test order."""
    marker = request.node.get_closest_marker("django_db")
    transactional = "transactional_db" in request.fixturenames or (
        marker is not None and marker.kwargs.get("transaction", False)
    )
    if not transactional:
        return
    request.getfixturevalue("transactional_db")
    from startups.models import Phase

    seed = importlib.import_module("startups.migrations.0002_seed_phases")
    present = set(Phase.objects.values_list("slug", flat=True))
    Phase.objects.bulk_create(
        Phase(slug=slug, label=label, order=order, description=description)
        for slug, label, order, description in seed.PHASES
        if slug not in present
    )
