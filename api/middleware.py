"""HTTP behaviour shared by every answer under /api/: rate limit, revalidation, compression.

Each middleware acts on paths under `/api/` only, so that pages keep their own rules (HTML
pages carrying CSRF tokens are never compressed here: BREACH).
"""

from __future__ import annotations

import datetime
import hashlib
import math
import time
from collections.abc import Callable

import brotli
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date
from django.utils.text import compress_string

from startups.models import PortfolioVersion

API_PREFIX = "/api/"
# Documentation pages are HTML rendered with a CSP nonce: neither cached nor compressed here.
HTML_PATHS = ("/api/v1/docs",)
COMPRESSIBLE_TYPES = ("application/json", "text/csv", "application/problem+json")
MIN_COMPRESSED_SIZE = 200
MAX_CACHED_SIZE = 8 * 1024 * 1024
CACHED_HEADERS = ("Content-Type", "Content-Disposition", "Link", "X-Total-Count")
# Brotli's quality 11 takes seconds on a few megabytes; 5 is faster than gzip -6 and smaller.
BROTLI_QUALITY = 5

Handler = Callable[[HttpRequest], HttpResponse]


def is_api_data(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX) and not request.path.startswith(HTML_PATHS)


def client_ip(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or the header the proxy in front of us sets.

    With `API_CLIENT_IP_HEADER=X-Forwarded-For`, the last address is used: the one our own
    proxy appended, which the client cannot forge (the ones before it can be anything).
    """
    header = settings.API_CLIENT_IP_HEADER
    if header:
        value = request.headers.get(header, "")
        addresses = [part.strip() for part in value.split(",") if part.strip()]
        if addresses:
            return addresses[-1]
    return request.META.get("REMOTE_ADDR", "")


class RateLimitMiddleware:
    """At most `API_RATE_LIMIT` requests per client IP in each `API_RATE_LIMIT_WINDOW` seconds.

    A fixed window counted in Django's cache (Redis when `REDIS_URL` is set), so that every app
    server shares the count. Over the limit: 429 with `Retry-After` and a JSON body.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.API_RATE_LIMIT
        if limit <= 0 or not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        window = settings.API_RATE_LIMIT_WINDOW
        now = time.time()
        started = math.floor(now / window) * window
        key = f"api-rate:{client_ip(request)}:{started}"
        cache.add(key, 0, timeout=window + 1)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.set(key, 1, timeout=window + 1)
            count = 1
        if count > limit:
            retry_after = max(1, math.ceil(started + window - now))
            response = JsonResponse(
                {
                    "detail": f"Trop de requêtes : {limit} au plus toutes les {window} secondes "
                    f"par adresse IP. Réessayez dans {retry_after} secondes.",
                    "errors": [],
                },
                status=429,
            )
            response["Retry-After"] = str(retry_after)
            return response
        return self.get_response(request)


class ConditionalGetMiddleware:
    """ETag, Last-Modified and Cache-Control on API data, 304 before any work is done, and
    the answers kept in Django's cache.

    All derive from the portfolio version (one database row that every write bumps), so
    several app servers agree and an edit shows on the next request. Answers also depend on
    the date (a startup's current phase changes at midnight): the ETag includes today's date,
    and Last-Modified is never earlier than today's midnight. An answer is cached under its
    ETag, which changes with the version: nothing is ever invalidated, old keys just expire.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in ("GET", "HEAD") or not is_api_data(request):
            return self.get_response(request)
        version = PortfolioVersion.current()
        today = timezone.localdate()
        midnight = timezone.make_aware(datetime.datetime.combine(today, datetime.time()))
        # Whole seconds: HTTP dates have no fractions, and If-Modified-Since compares them.
        last_modified = int(max(version.changed_at, midnight).timestamp())
        fingerprint = (
            f"{version.number}|{version.changed_at.isoformat()}|{today}|{request.get_full_path()}"
        )
        etag = 'W/"' + hashlib.sha256(fingerprint.encode()).hexdigest()[:32] + '"'
        response = get_conditional_response(request, etag=etag, last_modified=last_modified)
        if response is None:
            response = self.cached_or_fresh(request, etag)
            if response.status_code != 200:
                return response
        response.headers["ETag"] = etag
        response.headers["Last-Modified"] = http_date(last_modified)
        max_age = settings.API_CACHE_MAX_AGE
        if max_age > 0:
            patch_cache_control(response, public=True, max_age=max_age)
        else:
            patch_cache_control(response, public=True, no_cache=True)
        return response

    def cached_or_fresh(self, request: HttpRequest, etag: str) -> HttpResponse:
        timeout = settings.API_RESPONSE_CACHE_SECONDS
        if timeout <= 0:
            return self.get_response(request)
        key = f"api-response:{etag}"
        cached = cache.get(key)
        if cached is not None:
            content, headers = cached
            response = HttpResponse(content)
            for name, value in headers.items():
                response.headers[name] = value
            return response
        response = self.get_response(request)
        if (
            response.status_code == 200
            and not response.streaming
            and len(response.content) <= MAX_CACHED_SIZE
        ):
            headers = {name: response[name] for name in CACHED_HEADERS if response.has_header(name)}
            cache.set(key, (response.content, headers), timeout)
        return response


class CompressionMiddleware:
    """Brotli or gzip for API data (JSON, CSV), as the client's Accept-Encoding allows."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            not is_api_data(request)
            or response.streaming
            or response.has_header("Content-Encoding")
            or not response.get("Content-Type", "").startswith(COMPRESSIBLE_TYPES)
            or len(response.content) < MIN_COMPRESSED_SIZE
        ):
            return response
        patch_vary_headers(response, ("Accept-Encoding",))
        encoding = preferred_encoding(request.headers.get("Accept-Encoding", ""))
        if encoding is None:
            return response
        content = self.compressed(response, encoding)
        response.content = content
        response.headers["Content-Length"] = str(len(content))
        response.headers["Content-Encoding"] = encoding
        return response

    @staticmethod
    def compressed(response: HttpResponse, encoding: str) -> bytes:
        """The compressed body, kept in the cache under the answer's ETag when it has one."""
        etag = response.get("ETag")
        timeout = settings.API_RESPONSE_CACHE_SECONDS
        key = f"api-{encoding}:{etag}"
        if etag and timeout > 0 and (content := cache.get(key)) is not None:
            return content
        if encoding == "br":
            content = brotli.compress(response.content, quality=BROTLI_QUALITY)
        else:
            content = compress_string(response.content)
        if etag and timeout > 0 and len(content) <= MAX_CACHED_SIZE:
            cache.set(key, content, timeout)
        return content


def preferred_encoding(accept_encoding: str) -> str | None:
    """`br` or `gzip` if accepted (q > 0), brotli first when the client rates them equally."""
    qualities = {}
    for item in accept_encoding.split(","):
        name, _, params = item.strip().partition(";")
        quality = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                quality = float(params[2:])
            except ValueError:
                quality = 0.0
        qualities[name.strip().lower()] = quality
    wildcard = qualities.get("*", 0.0)
    candidates = [(qualities.get(name, wildcard), name) for name in ("br", "gzip")]
    best_quality, best = max(candidates, key=lambda candidate: candidate[0])
    return best if best_quality > 0 else None
