"""WSGI entry point, served by gunicorn in production (see gunicorn.conf.py)."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "betagouv.settings")

application = get_wsgi_application()

# What is loaded by now (Django, the apps, their modules) lives as long as the process: out of
# the garbage collector's reach, a full collection scans only what requests create. At 100
# times the data, one fell inside a request to the list now and then and took 72 ms; 4 so.
gc.freeze()
