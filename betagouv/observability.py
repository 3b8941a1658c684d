"""Request ids and one log line per request, so that a maintainer can follow a request.

Each request gets an id (the proxy's `X-Request-Id` when it looks sane, else a new one),
returned in the response's `X-Request-Id` header and added to every log record written
while the request runs, errors included. With `DJANGO_REQUEST_LOG` on (the default in
development), each request is logged on one line with its status, time and query count.
"""

from __future__ import annotations

import contextvars
import logging
import re
import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.signals import request_finished, request_started
from django.db import connections
from django.http import HttpRequest, HttpResponse

logger = logging.getLogger("betagouv.requests")
request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every log record (`-` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


class QueryCounter:
    """A database execute wrapper that counts the queries of one request."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def start_request(sender, environ: dict, **kwargs) -> None:
    incoming = environ.get("HTTP_X_REQUEST_ID", "")
    request_id.set(incoming if SANE_REQUEST_ID.match(incoming) else uuid.uuid4().hex[:16])


def finish_request(sender, **kwargs) -> None:
    request_id.set("-")


class RequestLogMiddleware:
    """Returns the request id and logs the request's line.

    The id is set when the request starts and cleared when its response is closed (signals),
    not here: Django logs 4xx and 5xx responses after the middleware chain has returned.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        request_started.connect(start_request, dispatch_uid="betagouv-request-id-start")
        request_finished.connect(finish_request, dispatch_uid="betagouv-request-id-finish")

    def __call__(self, request: HttpRequest) -> HttpResponse:
        counter = QueryCounter()
        started = time.perf_counter()
        with connections["default"].execute_wrapper(counter):
            response = self.get_response(request)
        response["X-Request-Id"] = request_id.get()
        if settings.REQUEST_LOG:
            logger.info(
                "%s %s %s %.1f ms %d queries",
                request.method,
                request.get_full_path()[:300],
                response.status_code,
                (time.perf_counter() - started) * 1000,
                counter.count,
            )
        return response
