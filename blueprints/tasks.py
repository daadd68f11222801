"""Celery tasks of blueprints: periodic work (scheduled in settings.CELERY_BEAT_SCHEDULE), the
specs import and the Launchpad and Gerrit syncs, thin wrappers around services.

The sync tasks are thin wrappers around ``blueprints.launchpad_import.launchpad_sync`` and
``blueprints.gerrit_sync.gerrit_sync``: they take ids, re-fetch, return quietly when the row is
gone, and retry only what may pass (the database going away; a request that timed out, lost
its connection or met a 5xx after the client's own retries). A sync is idempotent, so a
delivery twice changes nothing the second time.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from celery import Task, shared_task
from django.conf import settings
from django.db import OperationalError

from blueprints import forecast_days
from blueprints.gerrit_sync import gerrit_sync
from blueprints.http_json import FetchError
from blueprints.launchpad_import import LaunchpadImportError, launchpad_sync
from blueprints.services import ffe_expire_overdue
from blueprints.specs_import import specs_import
from core import clock
from releases import selectors as release_selectors
from releases.models import Series
from squads.models import Project

logger = logging.getLogger(__name__)
SYNC_RETRIES = 3
SYNC_RETRY_SECONDS = 300


@shared_task(
    name="blueprints.tasks.expire_ffes",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def expire_ffes() -> int:
    """Expire granted FFEs whose merge-by date has passed; idempotent (run daily)."""
    return ffe_expire_overdue()


@shared_task(
    name="blueprints.tasks.compute_forecast_days",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def compute_forecast_days() -> dict[str, int]:
    """Today's forecast rows of every series in progress (from its first week to a week after
    its release), so the first dashboard of the day reads them instead of computing them;
    idempotent (run daily, just after midnight). Returns the rows per series."""
    today = clock.today()
    computed = {}
    for series in Series.objects.filter(
        start_week__lte=today, release_week__gte=today - timedelta(weeks=1)
    ):
        computed[series.name] = forecast_days.rows_on(series=series, day=today).count()
    return computed


class SyncUnavailable(Exception):
    """Launchpad or Gerrit gave no usable answer (a timeout, a dropped connection, a 5xx or a
    429) even after the client's own retries: worth another try later."""


class SyncFailed(Exception):
    """A sync that trying again will not mend (a 4xx, pages that do not add up, a team with no
    deliverables, a root that serves no blueprints); nothing was written. A plain exception
    carrying the message, so a worker can store it as the task's result."""


def _transient(error: FetchError) -> bool:
    """A failure that may pass: no answer at all, a 5xx or a 429."""
    return error.status is None or error.status >= 500 or error.status == 429


class SyncTask(Task):
    """Run eagerly (tests, ``make run`` without Redis), a retry is run at once instead of
    raising Celery's ``Retry`` to the caller, as a worker would run it later."""

    def apply(self, *args: Any, **kwargs: Any) -> Any:
        if kwargs.get("throw") is None:
            kwargs["throw"] = False
        return super().apply(*args, **kwargs)


SYNC_TASK = {
    "base": SyncTask,
    "autoretry_for": (OperationalError, SyncUnavailable),
    "retry_backoff": SYNC_RETRY_SECONDS,  # 5, 10, 20 minutes
    "retry_backoff_max": 4 * SYNC_RETRY_SECONDS,
    "retry_jitter": False,
    "max_retries": SYNC_RETRIES,
}


def _targets(project_id: int, series_id: int | None) -> tuple[Project, Series] | None:
    project = Project.objects.filter(pk=project_id).first()
    if project is None:
        return None
    if series_id is None:
        series = release_selectors.current_series()
    else:
        series = Series.objects.filter(pk=series_id).first()
    return (project, series) if series is not None else None


def _run(sync: Callable[[], Any]) -> Any:
    try:
        return sync()
    except FetchError as error:
        if _transient(error):
            raise SyncUnavailable(str(error)) from error
        raise SyncFailed(str(error)) from error
    except LaunchpadImportError as error:
        raise SyncFailed("; ".join(error.messages)) from error
    except ValueError as error:  # GerritSyncError, a root serving no blueprints, a bad name
        raise SyncFailed(str(error)) from error


@shared_task(name="blueprints.tasks.sync_launchpad", **SYNC_TASK)
def sync_launchpad(project_id: int, series_id: int | None = None) -> str:
    """Keep a project's blueprints of a series (default: the current one) in step with
    Launchpad; returns the sync's summary."""
    targets = _targets(project_id, series_id)
    if targets is None:
        return "nothing to sync: the project or the series is gone"
    project, series = targets
    report = _run(lambda: launchpad_sync(project=project, series=series))
    for conflict in report.conflicts:
        logger.warning("launchpad sync of %s/%s: conflict: %s", project, series.name, conflict)
    return report.summary()


@shared_task(name="blueprints.tasks.sync_gerrit", **SYNC_TASK)
def sync_gerrit(project_id: int, series_id: int | None = None) -> str:
    """Read the Gerrit reviews behind a project's blueprints of a series (default: the
    current one); returns the sync's summary."""
    targets = _targets(project_id, series_id)
    if targets is None:
        return "nothing to sync: the project or the series is gone"
    project, series = targets
    return _run(lambda: gerrit_sync(project=project, series=series)).summary()


def _sync_projects() -> list[Project]:
    names = settings.PLANNER_SYNC_PROJECTS
    projects = list(Project.objects.filter(name__in=names).order_by("name"))
    missing = sorted(set(names) - {p.name for p in projects})
    if missing:
        logger.warning("PLANNER_SYNC_PROJECTS names unknown projects: %s", ", ".join(missing))
    return projects


@shared_task(name="blueprints.tasks.sync_launchpad_projects")
def sync_launchpad_projects() -> int:
    """Queue a Launchpad sync of each project of ``PLANNER_SYNC_PROJECTS`` (beat)."""
    projects = _sync_projects()
    for project in projects:
        sync_launchpad.delay(project.pk)
    return len(projects)


@shared_task(name="blueprints.tasks.sync_gerrit_projects")
def sync_gerrit_projects() -> int:
    """Queue a Gerrit sync of each project of ``PLANNER_SYNC_PROJECTS`` (beat)."""
    projects = _sync_projects()
    for project in projects:
        sync_gerrit.delay(project.pk)
    return len(projects)


@shared_task(
    name="blueprints.tasks.import_specs",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
    acks_late=True,
    time_limit=10 * 60,
    soft_time_limit=9 * 60,
)
def import_specs(
    path: str, project: str, series: str | None = None, base_url: str | None = None
) -> dict | None:
    """Import the specs repository checked out at ``path`` (on the worker) into ``project``
    (its name); quietly nothing if the project is gone. Idempotent: a second run changes
    nothing. A bad file raises (``SpecError`` / ``SpecsImportError``, with file and line)."""
    found = Project.objects.filter(name=project).first()
    if found is None:
        return None
    return specs_import(path=path, project=found, series=series, base_url=base_url).as_dict()
