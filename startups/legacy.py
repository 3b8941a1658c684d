"""beta.gouv.fr's old addresses answer with a 301 to the new page, so that links keep working.

beta.gouv.fr served a startup at `/startups/<slug>.html`, and each content file lists the
addresses it had before in `redirect_from` (`/startups/tps`, `/incubateurs/apigouv`...).
Looking them up costs queries, so it happens only on the not-found path: a middleware turns
a 404 whose path is an old address into a 301, whatever view (or no view) answered 404.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.middleware.common import CommonMiddleware

from betagouv.caching import cached_value
from startups.models import Incubator, Startup

# What an old address can look like; anything else is not looked up at all.
OLD_ADDRESS = re.compile(r"^/[\w.~/-]{1,300}$")
# The Jekyll site's pages of startups and incubators (`/startups/tps.html`).
JEKYLL_PAGE = re.compile(r"^/(startups|incubateurs)/[^/]+\.(html|md)$", re.IGNORECASE)


def normalise(path: str) -> str:
    """`/startups/Locatio.html/` → `/startups/locatio`: the forms of one address compare equal."""
    path = path.rstrip("/")
    for suffix in (".html", ".md"):
        path = path.removesuffix(suffix)
    return path.casefold()


# The pages whose files list their old addresses, in the order they claim them.
PAGES_WITH_OLD_ADDRESSES = (Startup, Incubator)


def new_address(path: str) -> str | None:
    """The page that replaces the old address `path`, or None. At most three queries (the
    version's is the one the request read), one once the map of old addresses is cached for
    the current version of the data."""
    if not OLD_ADDRESS.match(path):
        return None
    html_page = re.fullmatch(r"/startups/([^/]+)\.html", path)
    if html_page:
        startup = Startup.objects.filter(slug=html_page[1]).only("slug").first()
        if startup:
            return startup.get_absolute_url()
    page = cached_value("old-addresses", old_addresses).get(normalise(path))
    if page is None:
        return None
    index, slug = page
    return PAGES_WITH_OLD_ADDRESSES[index](slug=slug).get_absolute_url()


def old_addresses() -> dict[str, tuple[int, str]]:
    """Every old address the content lists, normalised, and the page that replaces it: the
    index of its model in PAGES_WITH_OLD_ADDRESSES and its slug. The address of the one asked
    for is made by `new_address`: making all of them took 200 of 350 ms at 100 times the data.

    Read once per version of the data (`cached_value`), not on every 404: looking for one
    address in every startup's list costs a scan. When two files claim the same old
    address (`/startups/friches` in the real content), the first startup by identifier wins.
    """
    addresses: dict[str, tuple[int, str]] = {}
    for index, model in enumerate(PAGES_WITH_OLD_ADDRESSES):
        rows = model.objects.exclude(redirect_from=[]).order_by("slug")
        for slug, olds in rows.values_list("slug", "redirect_from"):
            for old in olds or []:
                addresses.setdefault(normalise(str(old)), (index, slug))
    return addresses


class LegacyAddressMiddleware:
    """Turn a 404 on an old beta.gouv.fr address into a 301 to the page that replaced it.

    Listed after CommonMiddleware, so that it answers before APPEND_SLASH would redirect
    `/startups/tps` to `/startups/tps/` (one hop instead of two).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 404 and request.method in ("GET", "HEAD"):
            target = new_address(request.path)
            if target:
                # A shared link keeps its query string (campaign tags, a search).
                query = request.META.get("QUERY_STRING", "")
                return HttpResponsePermanentRedirect(f"{target}?{query}" if query else target)
        return response


class SlashAppendingMiddleware(CommonMiddleware):
    """Django's CommonMiddleware, but an old page address that no page replaced
    (`/startups/inconnue.html`) is a 404 at once, not a redirect to
    `/startups/inconnue.html/`, another 404."""

    def should_redirect_with_slash(self, request: HttpRequest) -> bool:
        if JEKYLL_PAGE.match(request.path_info):
            return False
        return super().should_redirect_with_slash(request)
