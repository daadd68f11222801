"""Celery tasks of the releases app: thin wrappers around services."""

from celery import shared_task
from django.db import OperationalError

from releases.services import releases_import


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5, acks_late=True)
def import_releases(path: str, series: list[str] | None = None) -> dict:
    """Import an openstack/releases checkout available to the worker at ``path``."""
    result = releases_import(path=path, series=series, actor="celery:import_releases")
    return {
        "run_id": result.run_id,
        "seconds": round(result.seconds, 3),
        "changed_series": result.changed_series,
        "counts": {
            k: vars(v) | {"changed_keys": len(v.changed_keys)} for k, v in result.counts.items()
        },
    }


@shared_task(
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
    acks_late=True,
    time_limit=10 * 60,
    soft_time_limit=9 * 60,
)
def compute_branch_cuts(series_id: int) -> dict | None:
    """(Re)plan the stable branch cuts of one series; quietly nothing if the series is gone.

    Idempotent (``branch_cuts_compute`` writes only differences), so at-least-once delivery and
    retries after a transient database error are safe.
    """
    from releases.branch_services import branch_cuts_compute
    from releases.models import Series

    series = Series.objects.filter(pk=series_id).first()
    if series is None:
        return None
    return branch_cuts_compute(series=series).as_dict()


@shared_task(
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
    acks_late=True,
    time_limit=30 * 60,
    soft_time_limit=25 * 60,
)
def recompute_all_branch_cuts() -> dict:
    """Recompute every series' cuts: after a rule change, and nightly from celery beat."""
    from releases.branch_services import branch_cuts_recompute_all

    results = branch_cuts_recompute_all()
    return {
        "series": len(results),
        "changed": sum(r.changed for r in results),
    }


# The name for it; beat's PeriodicTask refers to the task by its registered name.
recompute_all = recompute_all_branch_cuts
