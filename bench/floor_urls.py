"""The site's URLs plus `/bench/floor/<target>/`: the framework floor of the benchmarks.

The floor view returns, from memory, the bytes a target answered with, and its content
type (the files `<target>.body` and `<target>.type` in the folder `BENCH_FLOOR_DIR`): what
Django and the middleware cost to send the same answer with no work at all.
"""

import os
from functools import cache
from pathlib import Path

from django.http import HttpRequest, HttpResponse
from django.urls import include, path


@cache
def floor_answer(target: str) -> tuple[bytes, str]:
    folder = Path(os.environ["BENCH_FLOOR_DIR"])
    return (folder / f"{target}.body").read_bytes(), (folder / f"{target}.type").read_text()


def floor(request: HttpRequest, target: str) -> HttpResponse:
    body, content_type = floor_answer(target)
    return HttpResponse(body, content_type=content_type)


urlpatterns = [
    path("bench/floor/<slug:target>/", floor),
    path("", include("betagouv.urls")),
]
