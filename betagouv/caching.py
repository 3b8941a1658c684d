"""Public answers (pages, feeds, downloads, API data): revalidation and a shared response cache.

Everything the public sees derives from the portfolio's data and today's date, and nothing
else. One database row, `PortfolioVersion`, changes with every write (admin edit, import,
demo data), so the ETag of an answer is a hash of that version, today's date and the request
(path, query string, htmx or not). From it:

- a client or a CDN that sends `If-None-Match` with that ETag gets a 304 after one query,
  before any view runs (only a 200 carries an ETag, so the address exists); other
  conditions (`If-Modified-Since` alone, `If-None-Match: *`...) are evaluated on the answer,
  and only a 200 can become a 304 or a 412;
- the answer is kept in Django's cache (Redis when `REDIS_URL` is set, shared by all app
  servers) under that ETag, for `RESPONSE_CACHE_SECONDS`; an edit changes the version, hence
  every key: the next request computes a fresh answer on any app server, and nothing needs
  to be invalidated (old entries just expire). Each process also keeps a copy of the answers
  it served lately (`answer_copies`, at most 64, up to `LOCAL_MAX_SIZE` each): the same
  key is the same answer forever, so the copy cannot be stale, and serving it costs no
  round trip to Redis (a megabyte page otherwise takes longer to fetch than to send).

Answers also depend on the code: a release changes templates and the hashed names of static
files. The ETag includes a fingerprint of the project's sources and pinned requirements
(`CODE_VERSION`), the same on every instance of a release and different after any change;
Last-Modified is never earlier than the newest of those sources (`RELEASED_AT`).

Requests that carry a session (staff signed in) or flash messages are never served from, nor
stored in, the cache: their pages may differ. Nor are answers that set a cookie. With
`DEBUG` on, nothing is cached or revalidated: a template just edited shows on reload.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import json
import logging
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from pathlib import Path
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date

from startups.models import PortfolioVersion

Handler = Callable[[HttpRequest], HttpResponse]
# A stored answer: its body, its headers (name, value) and its status.
Answer = tuple[bytes, list[tuple[str, str]], int]
T = TypeVar("T")
logger = logging.getLogger(__name__)

API_PREFIX = "/api/"
ADMIN_PREFIX = "/admin/"
MAX_CACHED_SIZE = 8 * 1024 * 1024
LOCAL_MAX_SIZE = 1024 * 1024
# Answers stored: pages, and the permanent redirects of old addresses. Not errors: any
# address gives a 404, and a crawler trying addresses would fill the cache with them.
STORED_STATUSES = (200, 301)
# Headers set by this middleware (or outer ones, such as CSP) are not stored with the body.
UNSTORED_HEADERS = {"date", "etag", "last-modified", "cache-control", "vary"}
# Cookies whose presence means the page may be personal (signed-in staff, flash messages).
PERSONAL_COOKIES = (settings.SESSION_COOKIE_NAME, "messages")


class AnswerCopies:
    """The answers a process served lately, by key, the least recently used dropped first.

    A dictionary rather than Django's local-memory cache, which pickles its values and checks
    each key: unpickling a page and checking its key took 40 µs of a 430 µs cached answer.
    The answers (body, header pairs, status) are never modified, so they are shared.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self.answers: OrderedDict[str, Answer] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str) -> Answer | None:
        with self.lock:
            answer = self.answers.get(key)
            if answer is not None:
                self.answers.move_to_end(key)
            return answer

    def set(self, key: str, answer: Answer) -> None:
        with self.lock:
            self.answers[key] = answer
            self.answers.move_to_end(key)
            if len(self.answers) > self.size:
                self.answers.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.answers.clear()


# At most 64 answers of at most 1 MB (LOCAL_MAX_SIZE): 64 MB per process at worst.
answer_copies = AnswerCopies(64)


def clear_caches() -> None:
    """Forget every stored answer and piece of data: the shared cache and this process's
    copies (tests and benchmarks that must start cold)."""
    cache.clear()
    answer_copies.clear()


SOURCE_SUFFIXES = {".py", ".html", ".css", ".js", ".svg", ".txt"}
NOT_SOURCES = {
    ".venv",
    ".git",
    "staticfiles",
    "tests",
    "bench",
    "node_modules",
    "test-artifacts",
    "__pycache__",
}


def sources(root: Path) -> list[Path]:
    """The files that shape answers (code, templates, static files, requirements), in order."""
    found = []
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = sorted(name for name in subfolders if name not in NOT_SOURCES)
        found.extend(Path(folder, name) for name in sorted(files))
    return [path for path in found if path.suffix in SOURCE_SUFFIXES]


def code_version(root: Path) -> str:
    """A hash of the sources' names and contents."""
    digest = hashlib.sha256()
    for path in sources(root):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def released_at(root: Path) -> int:
    """When the sources last changed (the newest file's time, never in the future): a
    release moves Last-Modified, so that `If-Modified-Since` alone gets the new pages."""
    newest = max((path.stat().st_mtime for path in sources(root)), default=0)
    return int(min(newest, time.time()))


CODE_VERSION = code_version(settings.BASE_DIR)
RELEASED_AT = released_at(settings.BASE_DIR)


# Data derived from the portfolio (facet counts, statistics) stays in the cache this long at
# most; its keys change with every write, so it is never stale, only eventually evicted.
DATA_CACHE_SECONDS = 24 * 3600


# The version the middleware read for the public request being answered, if any: the data
# that request caches is keyed by the same one, with no second query.
request_stamp: ContextVar[tuple[int, datetime.datetime] | None] = ContextVar(
    "request_stamp", default=None
)


def digest(value: object) -> str:
    """A short name for `value` (filters as JSON-encodable data), for a cache key. JSON, not
    `name=value&…`: a search for « x&sponsor=5 » must not name the same data as a sponsor."""
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def current_stamp() -> tuple[int, datetime.datetime]:
    """(number, changed_at) of the portfolio version this request reads: the one the
    middleware read for a public request, else one query."""
    return request_stamp.get() or PortfolioVersion.stamp()


def data_keys(names: Iterable[str]) -> dict[str, str]:
    """The cache key of each named piece of data derived from the portfolio's current state.

    A key holds the portfolio version (bumped by every write, see PortfolioVersion), so an
    edit or an import is seen on the next request, and the code version, since a release may
    change how a piece is computed. A name must say everything else the data depends on
    (a date, the filters). One query, none during a public request (`request_stamp`).
    """
    number, changed_at = current_stamp()
    prefix = f"data:{CODE_VERSION}:{number}.{changed_at.timestamp()}:"
    return {name: prefix + name for name in names}


def cached_data(names: Iterable[str], compute: Callable[[str], T]) -> dict[str, T]:
    """The named pieces of data, from the cache, computed by `compute(name)` when missing.

    Shared by every app server (Redis in production): the first request after an edit
    computes, every later one reads.
    """
    keys = data_keys(names)
    found = recall(keys.values())
    values = {name: found[key] for name, key in keys.items() if key in found}
    missing = {name: compute(name) for name in keys if name not in values}
    if missing:
        remember({keys[name]: value for name, value in missing.items()}, DATA_CACHE_SECONDS)
    return values | missing


def recall(keys: Iterable[str]) -> dict:
    """What the shared cache holds under `keys`. When it cannot be read (Redis down), the
    failure is logged and nothing is found: answers are computed, slower but served (and
    `/healthz` reports the cache's state)."""
    try:
        return cache.get_many(keys)
    except Exception:
        logger.warning("The shared cache could not be read", exc_info=True)
        return {}


def remember(values: dict, timeout: int) -> None:
    """Store `values` in the shared cache. A write it refuses (a Redis that is full and may
    not evict, or down) is logged: the answer is served all the same, and computed again
    next time."""
    try:
        cache.set_many(values, timeout)
    except Exception:
        logger.warning("The shared cache refused a write", exc_info=True)


def cached_value(name: str, compute: Callable[[], T]) -> T:
    """One named piece of data, as `cached_data` gives several."""
    return cached_data([name], lambda _: compute())[name]


def is_public_read(request: HttpRequest) -> bool:
    """A GET or HEAD anybody could send, on a path whose answer depends only on the data,
    and whose answer sets no cookie (a malformed CSRF cookie is replaced on the way out)."""
    return (
        request.method in ("GET", "HEAD")
        and not request.path.startswith(settings.UNCACHED_PATH_PREFIXES)
        and not any(name in request.COOKIES for name in PERSONAL_COOKIES)
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
    )


def wants_fragment(request: HttpRequest) -> bool:
    """Whether htmx asks for a part of the page (the list views then render a partial): a
    request to restore history wants the whole page. The ETag tells the two apart."""
    return (
        request.META.get("HTTP_HX_REQUEST") == "true"
        and request.META.get("HTTP_HX_HISTORY_RESTORE_REQUEST") != "true"
    )


def shows_stored_answers(request: HttpRequest) -> bool:
    """Whether a request that is not a public read shows today's stored phases and activity
    (the admin, signed-in staff, development): the version query stores them again first
    when their day has come, as it does for public reads."""
    return (
        settings.DEBUG
        or request.path.startswith(ADMIN_PREFIX)
        or any(name in request.COOKIES for name in PERSONAL_COOKIES)
    )


def etag_for(
    request: HttpRequest, number: int, changed_at: datetime.datetime, today: datetime.date
) -> str:
    # A JSON list: the request's parts may hold any character, a separator included, and two
    # different requests must never be told the same answer.
    fingerprint = json.dumps(
        [
            CODE_VERSION,
            number,
            changed_at.isoformat(),
            today.isoformat(),
            # Pages name their own address (canonical link, Open Graph): scheme and host too.
            request.scheme,
            request.get_host(),
            request.path,
            request.META.get("QUERY_STRING", ""),
            # htmx asks for a fragment of the same address: another representation.
            wants_fragment(request),
        ]
    )
    return 'W/"' + hashlib.sha256(fingerprint.encode()).hexdigest()[:32] + '"'


def stored_response(content: bytes, headers: list[tuple[str, str]], status: int) -> HttpResponse:
    """A stored answer, as the view gave it: a redirect is one (its `url`, for the test client
    and any middleware that follows it)."""
    if status == HttpResponsePermanentRedirect.status_code:
        response = HttpResponsePermanentRedirect(dict(headers)["Location"], content=content)
    else:
        response = HttpResponse(content, status=status)
    for name, value in headers:
        response.headers[name] = value
    return response


# What a page's answer depends on besides its address (cookies: a signed-in editor sees
# other pages; the htmx headers: a fragment or the whole page, `wants_fragment`).
PAGES_VARY = ("Cookie", "HX-Request", "HX-History-Restore-Request")
PAGES_VARY_HEADER = ", ".join(PAGES_VARY)

# The request headers that can make an answer a 304 (or a 412).
CONDITIONAL_HEADERS = (
    "HTTP_IF_NONE_MATCH",
    "HTTP_IF_MODIFIED_SINCE",
    "HTTP_IF_MATCH",
    "HTTP_IF_UNMODIFIED_SINCE",
)


@functools.lru_cache(maxsize=8)
def last_modified_header(timestamp: int) -> str:
    """The Last-Modified of a version: a handful of values a day, each formatted once."""
    return http_date(timestamp)


def names_this_answer(request: HttpRequest, etag: str) -> bool:
    """Whether `If-None-Match` lists this very ETag: the client was given this answer, a 200
    (no other status carries an ETag), so a 304 needs no view to say the address exists."""
    return etag[2:] in request.META.get("HTTP_IF_NONE_MATCH", "")


class ConditionalGetMiddleware:
    """ETag, Last-Modified, Cache-Control, 304 before any work, and the shared response cache.

    Last-Modified is the version's date, but never earlier than today's midnight (answers
    change at midnight too: a future-dated phase starts, "today" moves) nor than the release.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.DEBUG or not is_public_read(request):
            if shows_stored_answers(request):
                PortfolioVersion.stamp()
            return self.get_response(request)
        number, changed_at = PortfolioVersion.stamp()
        now = timezone.localtime()
        today = now.date()
        midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
        # Whole seconds: HTTP dates have no fractions, and If-Modified-Since compares them.
        last_modified = max(int(max(changed_at, midnight).timestamp()), RELEASED_AT)
        etag = etag_for(request, number, changed_at, today)
        conditional = any(header in request.META for header in CONDITIONAL_HEADERS)
        response = None
        if conditional and names_this_answer(request, etag):
            response = get_conditional_response(request, etag=etag, last_modified=last_modified)
        if response is None:
            token = request_stamp.set((number, changed_at))
            try:
                response = self.cached_or_fresh(request, etag)
            finally:
                request_stamp.reset(token)
            if (
                response.status_code != 200
                or response.cookies
                # The page rendered a CSRF token: the cookie is set further out.
                or request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
            ):
                return response
            if conditional:
                response = get_conditional_response(
                    request, etag=etag, last_modified=last_modified, response=response
                )
        response.headers["ETag"] = etag
        response.headers["Last-Modified"] = last_modified_header(last_modified)
        # Written directly, as patching parses and rebuilds them; merged with a fresh answer's
        # own (a stored copy does not keep a view's: UNSTORED_HEADERS).
        max_age = settings.CACHE_MAX_AGE
        if "Cache-Control" in response.headers:
            directives = {"max_age": max_age} if max_age > 0 else {"no_cache": True}
            patch_cache_control(response, public=True, **directives)
        else:
            response.headers["Cache-Control"] = (
                f"public, max-age={max_age}" if max_age > 0 else "public, no-cache"
            )
        if not request.path.startswith(API_PREFIX):
            if "Vary" in response.headers:
                patch_vary_headers(response, PAGES_VARY)
            else:
                response.headers["Vary"] = PAGES_VARY_HEADER
        return response

    def cached_or_fresh(self, request: HttpRequest, etag: str) -> HttpResponse:
        timeout = settings.RESPONSE_CACHE_SECONDS
        if timeout <= 0:
            return self.get_response(request)
        key = f"response:{etag}"
        cached = answer_copies.get(key)
        if cached is None:
            cached = recall([key]).get(key)
            if cached is not None and len(cached[0]) <= LOCAL_MAX_SIZE:
                answer_copies.set(key, cached)
        if cached is not None:
            return stored_response(*cached)
        response = self.get_response(request)
        if (
            response.status_code in STORED_STATUSES
            and not response.streaming
            and not response.cookies
            # A page that rendered a CSRF token is personal (the cookie is set further out).
            and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
            and len(response.content) <= MAX_CACHED_SIZE
        ):
            headers = [
                (name, value)
                for name, value in response.headers.items()
                if name.lower() not in UNSTORED_HEADERS
            ]
            answer = (response.content, headers, response.status_code)
            remember({key: answer}, timeout)
            if len(response.content) <= LOCAL_MAX_SIZE:
                answer_copies.set(key, answer)
        return response
