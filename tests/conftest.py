import importlib

import pytest
from django.db import connection

from betagouv.caching import clear_caches


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database is dropped at the end only if nobody else is connected to it: on
    PostgreSQL, end the sessions other processes or threads (app servers started by a test,
    a live server's thread) may have left, instead of failing the run on "being accessed by
    other users"."""
    yield
    with django_db_blocker.unblock():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )


@pytest.fixture(autouse=True)
def _empty_cache():
    """Counts and figures are cached per data version (`betagouv.caching.cached_data`), and a
    module's portfolio keeps one version across its tests: each test starts without any."""
    clear_caches()
    yield
    clear_caches()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _migration_data_survives_flushes(request):
    """The eight phases are data from a migration (0002_seed_phases). A transactional test
    flushes every table when it ends, and `serialized_rollback` puts the migrations' data back
    only at the start of the next transactional test, and only where Django kept it on the
    connection (threads and event loops, the live server and Playwright, defeat that). Any
    database test that follows would find no phase. Seed whatever phase is missing before each
    database test, so that no test depends on the order the tests run in. The same holds for
    the content types and permissions that `post_migrate` creates (staff groups need them)."""
    marker = request.node.get_closest_marker("django_db")
    transactional = "transactional_db" in request.fixturenames or (
        marker is not None and marker.kwargs.get("transaction", False)
    )
    if transactional:
        request.getfixturevalue("transactional_db")
    elif marker is not None or "db" in request.fixturenames:
        request.getfixturevalue("db")
    else:
        return
    from django.apps import apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType

    from startups.models import Phase

    if not Permission.objects.exists():
        ContentType.objects.clear_cache()
        for app_config in apps.get_app_configs():
            create_permissions(app_config, verbosity=0)
    seed = importlib.import_module("startups.migrations.0002_seed_phases")
    present = set(Phase.objects.values_list("slug", flat=True))
    Phase.objects.bulk_create(
        Phase(slug=slug, label=label, order=order, description=description)
        for slug, label, order, description in seed.PHASES
        if slug not in present
    )
