"""WSGI entry point, served by gunicorn in production (see gunicorn.conf.py)."""

import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "betagouv.settings")

application = get_wsgi_application()

# What is loaded by now (Django, the apps, the URLconf and every view module) lives as long
# as the process: out of the garbage collector's reach, a full collection scans what came
# later (compiled templates, what requests create). At 100 times the data, one fell inside a
# request to the list now and then and took 72 ms; 4 so. Garbage first, so none is frozen.
get_resolver().url_patterns  # noqa: B018 (imports the URLconf)
gc.collect()
gc.freeze()
