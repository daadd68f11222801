"""Conditional GET and a short cache for read-mostly endpoints.

Every series carries ``updated_at``, moved by the services whenever its schedule or deliverables
change (``releases.services.series_touch``). That data version decides a 304 before anything is
rendered, and keys the cached serialised rows, so a write invalidates them in every process.
The version itself is kept for ``PLANNER_API_VERSION_SECONDS`` (1 s) per process, so a hot
endpoint answers without a query; ``series_touch`` drops it at once in the writing process, and
other processes see the write within that second. Caches are per-process memory
(``CACHES["api"]``): a cache that fails is a miss, never an error.
"""

import hashlib
import logging
import os
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.cache import BaseCache, caches
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, quote_etag


def validators(request: HttpRequest, *, scope: str, updated_at: datetime | None) -> tuple[str, int]:
    """A strong ETag (data version + the query string) and a Last-Modified timestamp."""
    stamp = updated_at.timestamp() if updated_at else 0.0
    raw = f"{scope}|{stamp}|{request.get_full_path()}|{request.headers.get('Accept', '')}"
    etag = quote_etag(hashlib.sha1(raw.encode(), usedforsecurity=False).hexdigest())
    return etag, int(stamp)


def not_modified(request: HttpRequest, *, etag: str, last_modified: int) -> HttpResponse | None:
    return get_conditional_response(request, etag=etag, last_modified=last_modified)


def stamp(response: HttpResponse, *, etag: str, last_modified: int) -> HttpResponse:
    if response.status_code == 200:
        response["ETag"] = etag
        response["Last-Modified"] = http_date(last_modified)
        response.setdefault("Cache-Control", "public, max-age=0, must-revalidate")
    return response


logger = logging.getLogger(__name__)

API_CACHE = "api" if "api" in settings.CACHES else "default"
VERSION_SECONDS = float(os.environ.get("PLANNER_API_VERSION_SECONDS", "1"))
_MISSING = object()


def _cache() -> BaseCache:
    return caches[API_CACHE]


def cache_get(key: str) -> Any:
    try:
        return _cache().get(key)
    except Exception:
        logger.warning("API cache read failed", exc_info=True)
        return None


def cache_set(key: str, value: Any, timeout: float | None = None) -> None:
    try:
        if timeout is None:
            _cache().set(key, value)
        else:
            _cache().set(key, value, timeout)
    except Exception:
        logger.warning("API cache write failed", exc_info=True)


def cache_clear() -> None:
    """Drop every cached version and row of this process (called after each write)."""
    try:
        _cache().clear()
    except Exception:
        logger.warning("API cache clear failed", exc_info=True)


def series_version(name: str) -> tuple[int, datetime | None] | None:
    """``(pk, updated_at)`` of the series called ``name``, or None; at most VERSION_SECONDS old."""
    from releases.models import Series

    key = f"series-version:{name}"
    found = cache_get(key) if VERSION_SECONDS > 0 else None
    if found is None:
        row = Series.objects.filter(name=name).values_list("pk", "updated_at").first()
        found = row if row is not None else _MISSING
        if VERSION_SECONDS > 0:
            cache_set(key, found if row is not None else "missing", VERSION_SECONDS)
    return None if found is _MISSING or found == "missing" else tuple(found)
