"""gunicorn settings for production: `gunicorn -c gunicorn.conf.py betagouv.wsgi`."""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
max_requests = 2000
max_requests_jitter = 200
# One line per request on stdout: the platform collects it.
accesslog = "-"
errorlog = "-"
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
# Long filter and search addresses (a 5,000-character `q`) reach Django, which answers with a
# normal page; gunicorn's default (4,094 bytes) would answer 414 first. 8,190 is its maximum.
limit_request_line = 8190
