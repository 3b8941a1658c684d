"""Keep the stored current phases true as days pass.

A startup's current phase is stored (`Startup.phase`) and changes by itself on the day a phase
dated in the future begins (`Startup.phase_until`). The first request each process serves on
a new day stores those startups' phase again, before any page reads it: one indexed update,
which finds nothing to do in every process but the first.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from startups.models import Startup

# The day this process last stored the phases that changed by themselves.
refreshed_on: datetime.date | None = None


def refresh_once_a_day() -> None:
    global refreshed_on
    today = timezone.localdate()
    if refreshed_on != today:
        Startup.objects.refresh_current_phases()
        refreshed_on = today


class CurrentPhasesMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        refresh_once_a_day()
        return self.get_response(request)
