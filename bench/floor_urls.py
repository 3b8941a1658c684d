"""The site's URLs plus `/bench/floor/`: the framework floor of the benchmarks.

The floor view returns, from memory, the bytes of a page (the file named by
`BENCH_FLOOR_FILE`): what Django and the middleware cost with no work at all.
"""

import os
from functools import cache
from pathlib import Path

from django.http import HttpRequest, HttpResponse
from django.urls import include, path


@cache
def floor_body() -> bytes:
    return Path(os.environ["BENCH_FLOOR_FILE"]).read_bytes()


def floor(request: HttpRequest) -> HttpResponse:
    return HttpResponse(floor_body(), content_type="text/html; charset=utf-8")


urlpatterns = [path("bench/floor/", floor), path("", include("betagouv.urls"))]
