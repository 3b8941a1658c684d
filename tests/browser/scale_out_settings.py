"""The production settings, with static files served from the apps: no collectstatic in tests."""

from betagouv.settings import *  # noqa: F403
from betagouv.settings import STORAGES

STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
