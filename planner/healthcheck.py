"""The web container's health check: ``python -m planner.healthcheck [URL]``.

Asks ``/healthz`` of the gunicorn in the same container with a ``Host`` the site accepts (the
first of ``DJANGO_ALLOWED_HOSTS``): Django answers 400 to a ``Host: 127.0.0.1`` it was not told
to serve, and the container would never be healthy. No Django import: it runs every few
seconds. Exits 0 on a 200 answer (``ok`` or ``degraded``), 1 otherwise.
"""

from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request

DEFAULT_URL = "http://127.0.0.1:8000/healthz"


def allowed_host(value: str | None) -> str:
    """A host name ``DJANGO_ALLOWED_HOSTS`` accepts: its first entry (``.example.org`` stands
    for example.org and its subdomains), or ``localhost`` when it allows any (``*``) or none."""
    for entry in (value or "").split(","):
        entry = entry.strip()
        if entry and entry != "*":
            return entry.lstrip(".").split(":")[0] or "localhost"
    return "localhost"


def check(url: str = DEFAULT_URL, *, host: str | None = None, timeout: float = 3) -> int:
    host = host or allowed_host(os.environ.get("DJANGO_ALLOWED_HOSTS"))
    request = urllib.request.Request(url, headers={"Host": host})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return 0 if response.status == 200 else 1
    except (urllib.error.URLError, OSError) as exc:
        print(f"unhealthy: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(check(sys.argv[1] if len(sys.argv) > 1 else DEFAULT_URL))
