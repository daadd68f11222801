"""Conditional GET for read-mostly endpoints: a 304 is decided before anything is rendered.

Every series carries ``updated_at``, moved by the services whenever its schedule or deliverables
change, so the validators cost one indexed query.
"""

import hashlib
from datetime import datetime

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
