"""``GET /healthz``: is this web process able to serve? For container and load-balancer checks.

503 when the database does not answer (the process cannot serve anything). A broker outage is
reported (``"broker": "down"``) but still answers 200: reads keep working and writes record
their background work as pending (``core.outbox``), so the web container must not be
restarted for it.
"""

from __future__ import annotations

from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core.outbox import broker_available, pending_count


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    body: dict[str, object] = {"status": "ok"}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        body["database"] = "ok"
        body["pending_tasks"] = pending_count()
    except DatabaseError as exc:
        body.update(status="down", database=f"down: {exc.__class__.__name__}")
        return JsonResponse(body, status=503)
    from planner.celery import app

    if app.conf.task_always_eager:
        body["broker"] = "eager"
    else:
        body["broker"] = "ok" if broker_available(timeout=1.0) else "down"
        if body["broker"] == "down":
            body["status"] = "degraded"
    return JsonResponse(body)


urlpatterns = [path("healthz", healthz, name="healthz")]
