"""The site's URLs plus `/bench/floor/<target>/`: the framework floor of the benchmarks.

The floor view returns, from memory, the bytes a target answered with, and its content
type (the files `<target>.body` and `<target>.type` in the folder `BENCH_FLOOR_DIR`): what
Django and the middleware cost to send the same answer with no work at all.

`/bench/empty-page/` and `/bench/empty-page/one-query/` are the least an uncached page can
cost: the site's base template rendered with no data, before and after one query.
"""

import os
from functools import cache
from pathlib import Path

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import include, path

from startups.models import Phase


@cache
def floor_answer(target: str) -> tuple[bytes, str]:
    folder = Path(os.environ["BENCH_FLOOR_DIR"])
    return (folder / f"{target}.body").read_bytes(), (folder / f"{target}.type").read_text()


def floor(request: HttpRequest, target: str) -> HttpResponse:
    body, content_type = floor_answer(target)
    return HttpResponse(body, content_type=content_type)


def empty_page(request: HttpRequest) -> HttpResponse:
    """The site's base template (header, navigation, footer) with no content and no query."""
    return render(request, "base.html")


def empty_page_one_query(request: HttpRequest) -> HttpResponse:
    """`empty_page` after reading one row: the least a page that reads the database costs."""
    Phase.objects.values_list("slug").first()
    return render(request, "base.html")


urlpatterns = [
    path("bench/floor/<slug:target>/", floor),
    path("bench/empty-page/", empty_page),
    path("bench/empty-page/one-query/", empty_page_one_query),
    path("", include("betagouv.urls")),
]
