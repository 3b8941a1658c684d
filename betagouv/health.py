"""`/healthz`: is this app server able to serve? (database and cache both answer)."""

from __future__ import annotations

import json
from collections.abc import Callable

from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse

from betagouv.database import on_live_connection

HEALTH_PATH = "/healthz"


def select_one() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check() -> dict[str, str]:
    results = {}
    try:
        on_live_connection(select_one)
        results["database"] = "ok"
    except Exception as error:  # any failure means unhealthy; the answer says which
        results["database"] = f"erreur : {type(error).__name__}"
    try:
        cache.set("healthz", "ok", timeout=10)
        results["cache"] = "ok" if cache.get("healthz") == "ok" else "erreur : lecture"
    except Exception as error:
        results["cache"] = f"erreur : {type(error).__name__}"
    return results


class HealthCheckMiddleware:
    """Answers `/healthz` first, before host checks and the HTTPS redirect.

    Load balancers and Docker's HEALTHCHECK call it by IP over plain HTTP, which
    ALLOWED_HOSTS and SECURE_SSL_REDIRECT would otherwise refuse.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path != HEALTH_PATH:
            return self.get_response(request)
        results = check()
        healthy = all(value == "ok" for value in results.values())
        response = HttpResponse(
            json.dumps(results), content_type="application/json", status=200 if healthy else 503
        )
        response["Cache-Control"] = "no-store"
        return response
