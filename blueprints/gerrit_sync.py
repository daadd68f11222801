"""The Gerrit sync: the reviews behind a project's blueprints, from Gerrit's REST API.

Which repositories: the project team's deliverables in openstack/releases (the
``DeliverableSeries`` rows whose ``team`` is the project's name, of the series when one is
given), every repository they release. Which changes: those of these repositories that can
name a blueprint (``blueprints.gerrit.build_query``); for a series, the ``master`` changes
updated during the cycle (its first week to four weeks after its release week, the trailing
deadline's neighbourhood) and every change of its stable branch updated since it started.

Each change is linked to the project's blueprints it names in a footer or a ``bp/`` topic
(``blueprints.gerrit.blueprint_links``), those of the series when one is given; a change
naming none of them is left out and counted. Everything is fetched before anything is
written; then one transaction upserts ``Review`` rows (by change number) and their
``ReviewLink`` rows, each write audited. A second sync of unchanged changes writes nothing.
A review the queries no longer return is kept: a bounded query proves nothing about it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from blueprints import gerrit
from blueprints.http_json import JsonClient, JsonGetter
from blueprints.models import Blueprint, Review, ReviewLink, SyncSource, SyncState
from core.actors import Actor
from core.audit import audit_record, save_audited
from core.changes import apply_changes
from releases.models import DeliverableSeries, Series
from squads.models import Project

TRAILING_WEEKS = 4  # master changes still count as the cycle's this long after its release
REVIEW_FIELDS = (
    "repository",
    "branch",
    "subject",
    "status",
    "owner",
    "owner_username",
    "created",
    "updated",
    "submitted",
    "url",
    "change_id",
    "topic",
)

Progress = Callable[[int, int | None], None]


class GerritSyncError(ValueError):
    """The sync cannot start: nothing to ask Gerrit about."""


@dataclass
class GerritSyncReport:
    gerrit_url: str
    queries: list[str] = field(default_factory=list)
    repositories: list[str] = field(default_factory=list)
    created: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)
    not_linked: list[int] = field(default_factory=list)  # name no blueprint of the planner
    unknown_blueprints: dict[str, list[int]] = field(default_factory=dict)
    problems: list[gerrit.GerritProblem] = field(default_factory=list)
    links_added: int = 0
    links_removed: int = 0
    pages: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.links_added or self.links_removed)

    def counts(self) -> dict[str, int]:
        return {
            "created": len(self.created),
            "updated": len(self.updated),
            "unchanged": len(self.unchanged),
            "not_linked": len(self.not_linked),
            "links_added": self.links_added,
            "links_removed": self.links_removed,
            "problems": len(self.problems),
            "pages": self.pages,
        }

    def summary(self) -> str:
        c = self.counts()
        verdict = "changed" if self.changed else "no change"
        return (
            f"{verdict}: reviews created {c['created']}, updated {c['updated']}, unchanged "
            f"{c['unchanged']}; left out {c['not_linked']} naming no blueprint of the planner; "
            f"links added {c['links_added']}, removed {c['links_removed']}; "
            f"{c['problems']} problems ({c['pages']} pages from {len(self.repositories)} "
            "repositories)"
        )

    def details(self) -> list[str]:
        lines = [f"created review {n}" for n in self.created]
        lines += [f"updated review {n}" for n in self.updated]
        lines += [
            f"not in the planner: blueprint {name} (named by {', '.join(map(str, numbers))})"
            for name, numbers in sorted(self.unknown_blueprints.items())
        ]
        return lines


def gerrit_repositories(*, project: Project, series: Series | None = None) -> list[str]:
    """The repositories of the project team's deliverables (of ``series`` when given)."""
    rows = DeliverableSeries.objects.filter(team=project.name)
    if series is not None:
        rows = rows.filter(series=series)
    return sorted({repo for row in rows for repo in row.repos})


def gerrit_queries(repositories: list[str], *, series: Series | None) -> list[str]:
    """The queries of a sync: one for everything, or a series' master and stable branch."""
    if series is None:
        return [gerrit.build_query(repositories)]
    start = series.start_week
    end = series.release_week + timedelta(weeks=TRAILING_WEEKS) if series.release_week else None
    return [
        gerrit.build_query(repositories, branches=["master"], after=start, before=end),
        gerrit.build_query(repositories, branches=[series.stable_branch], after=start),
    ]


def gerrit_client() -> JsonClient:
    return JsonClient(timeout=settings.PLANNER_SYNC_TIMEOUT, retries=settings.PLANNER_SYNC_RETRIES)


def fetch_project_reviews(
    *,
    gerrit_url: str,
    queries: list[str],
    client: JsonGetter,
    progress: Progress | None = None,
    page_size: int = gerrit.PAGE_SIZE,
) -> gerrit.GerritFetch:
    """Every change the queries match (a change matched twice kept once)."""
    reviews: dict[int, gerrit.Review] = {}
    problems: list[gerrit.GerritProblem] = []
    pages = 0

    def step(done: int, total: int | None) -> None:
        if progress:
            progress(len(reviews) + done, None)

    for query in queries:
        fetched = gerrit.fetch_reviews(
            gerrit_url, query, client=client, page_size=page_size, progress=step
        )
        pages += fetched.pages
        problems += fetched.problems
        for review in fetched.reviews:
            reviews.setdefault(review.number, review)
    return gerrit.GerritFetch(
        query=" ; ".join(queries), reviews=list(reviews.values()), problems=problems, pages=pages
    )


def gerrit_sync(
    *,
    project: Project,
    series: Series | None = None,
    gerrit_url: str | None = None,
    client: JsonGetter | None = None,
    progress: Progress | None = None,
    actor: Actor = None,
    page_size: int = gerrit.PAGE_SIZE,
) -> GerritSyncReport:
    """Read the reviews behind ``project``'s blueprints (of ``series``) from Gerrit
    (``gerrit_url``, default ``settings.GERRIT_URL``) and write them in one transaction.

    Raises ``GerritSyncError`` when the team has no deliverables to ask about, and
    ``FetchError`` (naming the URL) when a request fails after the client's retries: nothing
    is written then.
    """
    gerrit_url = (gerrit_url or settings.GERRIT_URL).rstrip("/")
    repositories = gerrit_repositories(project=project, series=series)
    if not repositories:
        where = f" in {series.name}" if series else ""
        raise GerritSyncError(
            f"team {project.name} has no deliverables{where} to read reviews of: import "
            "openstack/releases first (manage.py import_releases)"
        )
    queries = gerrit_queries(repositories, series=series)
    fetched = fetch_project_reviews(
        gerrit_url=gerrit_url,
        queries=queries,
        client=client or gerrit_client(),
        progress=progress,
        page_size=page_size,
    )
    report = GerritSyncReport(
        gerrit_url=gerrit_url, queries=queries, repositories=repositories, pages=fetched.pages
    )
    with transaction.atomic():
        reviews_write(
            project=project, series=series, reviews=fetched.reviews, actor=actor, report=report
        )
        report.problems += fetched.problems
        SyncState.objects.update_or_create(
            source=SyncSource.GERRIT,
            project=project,
            series=series,
            defaults={
                "url": gerrit_url,
                "synced_at": timezone.now(),
                "summary": report.summary(),
                "counts": report.counts(),
            },
        )
    return report


@transaction.atomic
def reviews_write(
    *,
    project: Project,
    series: Series | None,
    reviews: list[gerrit.Review],
    actor: Actor = None,
    report: GerritSyncReport | None = None,
) -> GerritSyncReport:
    """Upsert ``reviews`` linked to ``project``'s blueprints (of ``series``); the write half of
    the sync, also how the demo loads its reviews."""
    report = report or GerritSyncReport(gerrit_url="")
    scope = Blueprint.objects.filter(project=project)
    if series is not None:
        scope = scope.filter(series=series)
    blueprints = {b.name: b for b in scope.only("pk", "name")}
    existing = {
        r.number: r
        for r in Review.objects.select_for_update()
        .filter(number__in=[r.number for r in reviews])
        .prefetch_related("links")
    }
    for review in sorted(reviews, key=lambda r: r.number):
        named = [link for link in review.blueprints if link.name in blueprints]
        for link in review.blueprints:
            if link.name not in blueprints:
                report.unknown_blueprints.setdefault(link.name, []).append(review.number)
        row = existing.get(review.number)
        if not named and row is None:
            report.not_linked.append(review.number)
            continue
        values = _review_values(review)
        if row is None:
            row = Review(number=review.number, **values)
            save_audited(
                row,
                actor=actor,
                action="create",
                changes={k: (None, v) for k, v in values.items() if v not in (None, "")},
            )
            report.created.append(review.number)
        else:
            diff = apply_changes(row, values)
            if diff:
                save_audited(row, actor=actor, action="update", changes=diff)
                report.updated.append(review.number)
            else:
                report.unchanged.append(review.number)
        _write_links(row, named, blueprints, actor, report)
    return report


def _review_values(review: gerrit.Review) -> dict[str, object]:
    return {
        "repository": review.project,
        "branch": review.branch,
        "subject": review.subject[:500],
        "status": review.status,
        "owner": review.owner.name or review.owner.username,
        "owner_username": review.owner.username,
        "created": review.created,
        "updated": review.updated,
        "submitted": review.submitted,
        "url": review.url,
        "change_id": review.change_id,
        "topic": review.topic,
    }


def _write_links(
    row: Review,
    named: list[gerrit.BlueprintLink],
    blueprints: dict[str, Blueprint],
    actor: Actor,
    report: GerritSyncReport,
) -> None:
    """Make the review's links to the blueprints in scope those it names (links to
    blueprints outside the scope, e.g. another series', are not this sync's to change)."""
    in_scope = {b.pk for b in blueprints.values()}
    current = {link.blueprint_id: link for link in row.links.all() if link.blueprint_id in in_scope}
    wanted = {blueprints[link.name].pk: link for link in named}
    before = sorted(_name(blueprints, pk) for pk in current)
    changed = False
    for pk, link in wanted.items():
        have = current.get(pk)
        if have is None:
            new = ReviewLink(review=row, blueprint_id=pk, partial=link.partial, source=link.source)
            new.full_clean(validate_unique=False)
            new.save()
            report.links_added += 1
            changed = True
        elif (have.partial, have.source) != (link.partial, link.source):
            have.partial, have.source = link.partial, link.source
            have.save(update_fields=["partial", "source"])
            changed = True
    gone = [pk for pk in current if pk not in wanted]
    if gone:
        ReviewLink.objects.filter(review=row, blueprint_id__in=gone).delete()
        report.links_removed += len(gone)
        changed = True
    if changed:
        after = sorted(_name(blueprints, pk) for pk in wanted)
        audit_record(actor=actor, obj=row, action="update", changes={"blueprints": (before, after)})
        if row.number not in report.created and row.number not in report.updated:
            report.updated.append(row.number)
            if row.number in report.unchanged:
                report.unchanged.remove(row.number)


def _name(blueprints: dict[str, Blueprint], pk: int) -> str:
    return next(name for name, b in blueprints.items() if b.pk == pk)
