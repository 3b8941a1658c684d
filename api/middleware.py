"""HTTP behaviour of the answers under /api/: rate limit and compression.

Revalidation and the response cache are shared with the pages (`betagouv.caching`).

Each middleware acts on paths under `/api/` only, so that pages keep their own rules (HTML
pages carrying CSRF tokens are never compressed here: BREACH).
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable

import brotli
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.cache import patch_vary_headers
from django.utils.text import compress_string

from betagouv.caching import recall, remember

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"
# The documentation page is HTML: compressed by the server in front, if at all (BREACH).
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
        try:
            count = self.count(key, window)
        except Exception:
            # Without the shared count (Redis down), the API answers rather than refuses.
            logger.warning("The API's rate limit could not be counted", exc_info=True)
            return self.get_response(request)
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

    @staticmethod
    def count(key: str, window: int) -> int:
        """This request's number in its window, counted in the shared cache."""
        cache.add(key, 0, timeout=window + 1)
        try:
            return cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.set(key, 1, timeout=window + 1)
            return 1


class CompressionMiddleware:
    """Brotli or gzip for API data (JSON, CSV), as the client's Accept-Encoding allows."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not is_api_data(request) or response.streaming:
            return response
        # On every answer, a 304 included: it must repeat the Vary of the 200 it stands for.
        patch_vary_headers(response, ("Accept-Encoding",))
        if (
            response.has_header("Content-Encoding")
            or not response.get("Content-Type", "").startswith(COMPRESSIBLE_TYPES)
            or len(response.content) < MIN_COMPRESSED_SIZE
        ):
            return response
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
        timeout = settings.RESPONSE_CACHE_SECONDS
        key = f"api-{encoding}:{etag}"
        if etag and timeout > 0 and (content := recall([key]).get(key)) is not None:
            return content
        if encoding == "br":
            content = brotli.compress(response.content, quality=BROTLI_QUALITY)
        else:
            content = compress_string(response.content)
        if etag and timeout > 0 and len(content) <= MAX_CACHED_SIZE:
            remember({key: content}, timeout)
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
