"""Settings of the benchmarks: production settings, static files from the apps (nothing is
collected), and a framework-floor view (`floor_urls.py`) next to the site's pages."""

from betagouv.settings import *  # noqa: F403
from betagouv.settings import STORAGES, UNCACHED_PATH_PREFIXES

STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
ROOT_URLCONF = "floor_urls"
# The floor is a plain view: no revalidation, no response cache in front of it.
UNCACHED_PATH_PREFIXES = (*UNCACHED_PATH_PREFIXES, "/bench/")
