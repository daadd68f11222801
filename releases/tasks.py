"""Celery tasks of the releases app: thin wrappers around services."""

from celery import shared_task
from django.db import OperationalError

from releases.services import releases_import


@shared_task(
    autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5, acks_late=True
)
def import_releases(path: str, series: list[str] | None = None) -> dict:
    """Import an openstack/releases checkout available to the worker at ``path``."""
    result = releases_import(path=path, series=series, actor="celery:import_releases")
    return {
        "run_id": result.run_id,
        "seconds": round(result.seconds, 3),
        "changed_series": result.changed_series,
        "counts": {k: vars(v) | {"changed_keys": len(v.changed_keys)}
                   for k, v in result.counts.items()},
    }
