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
# One line per request on stdout: the platform collects it. It ends with the duration in
# milliseconds and the request id, the one error logs and the X-Request-Id header carry.
accesslog = "-"
access_log_format = '%(h)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms %({x-request-id}o)s'
errorlog = "-"
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
# Long filter and search addresses (a 5,000-character `q`) reach Django, which answers with a
# normal page; gunicorn's default (4,094 bytes) would answer 414 first. 8,190 is its maximum.
limit_request_line = 8190
# No control socket: gunicorn's default path is shared by every instance of a user (two
# instances on one machine, as in the scale-out test, would take it from each other), and
# the image's user has no home to put it in. Workers are managed through signals.
control_socket_disable = True
