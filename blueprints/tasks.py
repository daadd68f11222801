"""Periodic work on blueprints (scheduled in settings.CELERY_BEAT_SCHEDULE).

The sync tasks are thin wrappers around ``blueprints.launchpad_import.launchpad_sync`` and
``blueprints.gerrit_sync.gerrit_sync``: they take ids, re-fetch, return quietly when the row is
gone, and retry only what may pass (the database going away; a request that timed out, lost
its connection or met a 5xx after the client's own retries). A sync is idempotent, so a
delivery twice changes nothing the second time.
"""

from __future__ import annotations

import logging

from celery import Task, shared_task
from django.conf import settings
from django.db import OperationalError

from blueprints.gerrit_sync import gerrit_sync
from blueprints.http_json import FetchError
from blueprints.launchpad_import import launchpad_sync
from blueprints.services import ffe_expire_overdue
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


def _transient(error: FetchError) -> bool:
    """A failure that may pass: no answer at all, a 5xx or a 429 (JsonClient retried already)."""
    return error.status is None or error.status >= 500 or error.status == 429


def _targets(project_id: int, series_id: int | None) -> tuple[Project, Series] | None:
    project = Project.objects.filter(pk=project_id).first()
    if project is None:
        return None
    if series_id is None:
        series = release_selectors.current_series()
    else:
        series = Series.objects.filter(pk=series_id).first()
    return (project, series) if series is not None else None


def _retry_or_raise(task: Task, error: FetchError) -> None:
    if _transient(error) and task.request.retries < SYNC_RETRIES:
        raise task.retry(exc=error, countdown=SYNC_RETRY_SECONDS * 2**task.request.retries)
    raise error


@shared_task(
    name="blueprints.tasks.sync_launchpad",
    bind=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def sync_launchpad(self: Task, project_id: int, series_id: int | None = None) -> str:
    """Keep a project's blueprints of a series (default: the current one) in step with
    Launchpad; returns the sync's summary."""
    targets = _targets(project_id, series_id)
    if targets is None:
        return "nothing to sync: the project or the series is gone"
    project, series = targets
    try:
        report = launchpad_sync(project=project, series=series)
    except FetchError as error:
        _retry_or_raise(self, error)
        raise  # pragma: no cover - _retry_or_raise always raises
    for conflict in report.conflicts:
        logger.warning("launchpad sync of %s/%s: conflict: %s", project, series.name, conflict)
    return report.summary()


@shared_task(
    name="blueprints.tasks.sync_gerrit",
    bind=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def sync_gerrit(self: Task, project_id: int, series_id: int | None = None) -> str:
    """Read the Gerrit reviews behind a project's blueprints of a series (default: the
    current one); returns the sync's summary."""
    targets = _targets(project_id, series_id)
    if targets is None:
        return "nothing to sync: the project or the series is gone"
    project, series = targets
    try:
        report = gerrit_sync(project=project, series=series)
    except FetchError as error:
        _retry_or_raise(self, error)
        raise  # pragma: no cover
    return report.summary()


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
