"""Writes of release data: the import of an openstack/releases tree, in one transaction."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import EMPTY_VALUES, MaxLengthValidator
from django.db import connection, models, transaction
from django.utils import timezone

from releases import signals
from releases.importer import ParsedTree, read_tree
from releases.models import (
    Deliverable,
    DeliverableSeries,
    Event,
    ImportRun,
    Occurrence,
    Series,
    Week,
)

logger = logging.getLogger(__name__)

# One advisory-lock id for every import: two imports at once would interleave their upserts.
IMPORT_LOCK_ID = 0x5E12_1E5


@dataclass
class SyncCounts:
    created: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    changed_keys: list[Hashable] = field(default_factory=list)
    owners: list[int] = field(default_factory=list)  # series whose rows changed, when not keyed

    @property
    def changed(self) -> int:
        return self.created + self.updated + self.deleted


@dataclass
class ImportResult:
    run_id: int
    seconds: float
    counts: dict[str, SyncCounts] = field(default_factory=dict)
    changed_series: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(c.changed for c in self.counts.values())

    def summary(self) -> str:
        parts = [
            f"{name}: +{c.created} ~{c.updated} -{c.deleted} ={c.unchanged}"
            for name, c in self.counts.items()
        ]
        return "; ".join(parts)


def releases_import(
    *,
    path: Path | str,
    series: Iterable[str] | None = None,
    actor: str = "",
    progress: Callable[[Iterable[Any], int], Iterable[Any]] | None = None,
) -> ImportResult:
    """Import an openstack/releases checkout: parse everything, then write in one transaction.

    Parsing happens before the transaction opens, so a broken file raises ``SourceError`` (naming
    file and line) with nothing written. Re-importing an unchanged tree writes nothing but the
    audit row: rows are compared with what is stored, and unchanged deliverable files (same
    SHA-256) are not even parsed. After commit, ``signals.schedule_changed`` tells listeners (the
    branch-cut engine) which series changed.
    """
    started = time.perf_counter()
    root = Path(path)
    wanted = None if series is None else list(series)
    known = dict(DeliverableSeries.objects.values_list("source", "digest"))
    tree = read_tree(root, series=wanted, known_digests=known, progress=progress)
    result = _write_tree(tree=tree, wanted=wanted, actor=actor, root=root)
    result.seconds = time.perf_counter() - started
    logger.info("import of %s: %s (%.1fs)", root, result.summary(), result.seconds)
    return result


@transaction.atomic
def _write_tree(
    *, tree: ParsedTree, wanted: list[str] | None, actor: str, root: Path
) -> ImportResult:
    _take_import_lock()
    run = ImportRun.objects.create(path=str(root), actor=actor)
    result = ImportResult(run_id=run.pk, seconds=0.0)
    in_scope = {s.name for s in tree.series} if wanted is None else set(wanted)

    # Series: every series named in series_status.yaml, with its schedule bounds when it has one.
    bounds = {s.series: s for s in tree.schedules}
    desired_series = {}
    for s in tree.series:
        schedule = bounds.get(s.name)
        fields: dict[str, Any] = {
            "position": s.position,
            "release_id": s.release_id,
            "status": s.status,
            "initial_release": s.initial_release,
        }
        if schedule is not None and s.name in in_scope:
            fields.update(
                start_week=schedule.start_week,
                release_week=schedule.release_week,
                length_weeks=(schedule.release_week - schedule.start_week).days // 7 + 1,
            )
        desired_series[s.name] = fields
    result.counts["series"] = _sync(
        Series,
        existing={s.name: s for s in Series.objects.all()},
        desired=desired_series,
        key_fields=("name",),
        delete=False,
    )
    series_by_name = {s.name: s for s in Series.objects.all()}

    # Weeks, per series whose schedule is in scope.
    scheduled = [s for s in tree.schedules if s.series in in_scope]
    desired_weeks = {
        (series_by_name[s.series].pk, w.start): {"end": w.end, "name": w.name}
        for s in scheduled
        for w in s.weeks
    }
    scheduled_ids = [series_by_name[s.series].pk for s in scheduled]
    result.counts["weeks"] = _sync(
        Week,
        existing={
            (w.series_id, w.start): w for w in Week.objects.filter(series_id__in=scheduled_ids)
        },
        desired=desired_weeks,
        key_fields=("series_id", "start"),
    )
    weeks = {(w.series_id, w.start): w.pk for w in Week.objects.filter(series_id__in=scheduled_ids)}
    week_of_any_series = {start: pk for (_, start), pk in weeks.items()}

    # Events, attributed to the series they are about.
    desired_events = {}
    for event in tree.events:
        series_id = series_by_name[event.series].pk
        week_id = None
        if event.week_start is not None:
            week_id = weeks.get((series_id, event.week_start)) or week_of_any_series.get(
                event.week_start
            )
        desired_events[(series_id, event.key)] = {
            "kind": event.kind,
            "title": event.title[:200],
            "description": event.description,
            "date": event.date,
            "rule": event.rule,
            "week_id": week_id,
            "team": event.team,
            "source": event.source[-200:],
            "conflicts": list(event.conflicts),
        }
    event_series_ids = {series_by_name[name].pk for name in in_scope if name in series_by_name}
    result.counts["events"] = _sync(
        Event,
        existing={
            (e.series_id, e.key): e for e in Event.objects.filter(series_id__in=event_series_ids)
        },
        desired=desired_events,
        key_fields=("series_id", "key"),
    )

    result.counts["occurrences"] = _sync_occurrences(
        tree=tree, series_by_name=series_by_name, event_series_ids=event_series_ids
    )

    # Deliverables: only files that changed were parsed; files gone from the tree are removed.
    names = {d.name for d in tree.deliverables}
    Deliverable.objects.bulk_create(
        [Deliverable(name=n) for n in sorted(names)], ignore_conflicts=True
    )
    deliverable_ids = dict(Deliverable.objects.filter(name__in=names).values_list("name", "pk"))
    desired_records = {}
    for d in tree.deliverables:
        series_id = series_by_name[d.series].pk if d.series else None
        desired_records[d.source] = {
            "deliverable_id": deliverable_ids[d.name],
            "series_id": series_id,
            "team": d.team,
            "type": d.type,
            "release_model": d.release_model,
            "launchpad": d.launchpad,
            "repos": d.repos,
            "releases": d.releases,
            "branches": d.branches,
            "digest": d.digest,
        }
    in_scope_ids = [series_by_name[n].pk for n in in_scope if n in series_by_name]
    records_in_scope = DeliverableSeries.objects.filter(series_id__in=in_scope_ids)
    if wanted is None:
        records_in_scope = DeliverableSeries.objects.all()
    # Every row's source and id (to find the files gone), but whole rows only of the files that
    # changed: on a re-import that is a handful of the 6,000.
    sources = dict(records_in_scope.values_list("source", "pk"))
    gone = [pk for src, pk in sources.items() if src not in tree.seen_sources]
    changed = [sources[src] for src in desired_records if src in sources]
    counts = _sync(
        DeliverableSeries,
        existing={r.source: r for r in DeliverableSeries.objects.filter(pk__in=changed)},
        desired=desired_records,
        key_fields=("source",),
        delete=False,
    )
    counts.unchanged += len(tree.unchanged_sources)
    if gone:
        counts.deleted += (
            DeliverableSeries.objects.filter(pk__in=gone)
            .delete()[1]
            .get(DeliverableSeries._meta.label, 0)
        )
    result.counts["deliverables"] = counts

    changed_ids = (
        {series_id for series_id, _ in result.counts["weeks"].changed_keys}
        | {series_id for series_id, _ in result.counts["events"].changed_keys}
        | {listing_id for _, listing_id, _ in result.counts["occurrences"].changed_keys}
        | set(result.counts["occurrences"].owners)
        | {desired_records[src]["series_id"] for src in counts.changed_keys}
    ) - {None}
    changed_series = sorted(s.name for s in series_by_name.values() if s.pk in changed_ids)
    result.changed_series = changed_series

    run.finished_at = timezone.now()
    run.stats = {
        name: {
            "created": c.created,
            "updated": c.updated,
            "deleted": c.deleted,
            "unchanged": c.unchanged,
        }
        for name, c in result.counts.items()
    }
    run.save(update_fields=["finished_at", "stats"])

    if changed_ids:
        ids = sorted(changed_ids)
        series_touch(series_ids=ids)
        transaction.on_commit(lambda: signals.schedule_changed.send(sender=Series, series_ids=ids))
    return result


def series_touch(*, series_ids: Iterable[int]) -> None:
    """Mark series as changed now: their ETag/Last-Modified move, caches drop them."""
    from releases import conditional

    ids = list(series_ids)
    Series.objects.filter(pk__in=ids).update(updated_at=timezone.now())
    signals.series_touched.send(sender=Series, series_ids=ids)
    # This process's cached versions go now (and again at commit, in case a read in between
    # cached the old one); other processes' expire within conditional.VERSION_SECONDS.
    conditional.cache_clear()
    transaction.on_commit(conditional.cache_clear)


def _take_import_lock() -> None:
    """Serialise imports on PostgreSQL (SQLite already serialises writers)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_LOCK_ID])


def _sync_occurrences(
    *, tree: ParsedTree, series_by_name: dict[str, Series], event_series_ids: set[int]
) -> SyncCounts:
    """Every day of every imported event, one row per series whose schedule lists it.

    Keyed by (event, listing series, ordinal), the ordinal numbering the event's distinct days
    in date order. The listing shown with the event's own series is its own listing when it
    has one, else the earliest series' (``primary``).
    """
    event_ids = {
        (series_id, key): pk
        for series_id, key, pk in Event.objects.filter(series_id__in=event_series_ids).values_list(
            "series_id", "key", "pk"
        )
    }
    weeks = {
        (w.series_id, w.start): w.pk
        for w in Week.objects.filter(series_id__in={s.pk for s in series_by_name.values()}).only(
            "pk", "series_id", "start"
        )
    }
    desired: dict[tuple[int, int, int], dict[str, Any]] = {}
    owner_of: dict[int, int] = {}
    for event in tree.events:
        owner = series_by_name[event.series]
        event_id = event_ids[(owner.pk, event.key)]
        owner_of[event_id] = owner.pk
        days = sorted({(o.date, o.end_date) for o in event.occurrences})
        shown: dict[tuple[Any, Any], str] = {}
        for o in event.occurrences:
            day = (o.date, o.end_date)
            current = shown.get(day)
            if current is None or (
                current != event.series
                and (
                    o.listing == event.series
                    or series_by_name[o.listing].position < series_by_name[current].position
                )
            ):
                shown[day] = o.listing
        for o in event.occurrences:
            listing = series_by_name[o.listing]
            day = (o.date, o.end_date)
            week_id = weeks.get((listing.pk, o.week_start)) if o.week_start else None
            desired[(event_id, listing.pk, days.index(day))] = {
                "date": o.date,
                "end_date": o.end_date,
                "week_id": week_id,
                "rule": o.rule,
                "primary": shown[day] == o.listing,
                "source": o.source[-200:],
            }
    existing = {
        (o.event_id, o.listing_id, o.ordinal): o
        for o in Occurrence.objects.filter(event__series_id__in=event_series_ids)
    }
    counts = _sync(
        Occurrence,
        existing=existing,
        desired=desired,
        key_fields=("event_id", "listing_id", "ordinal"),
    )
    # Stale rows of events gone from the tree went with their events (and counted there).
    counts.owners = sorted({owner_of[k[0]] for k in counts.changed_keys if k[0] in owner_of})
    return counts


def _sync(
    model: type[models.Model],
    *,
    existing: dict[Hashable, models.Model],
    desired: dict[Hashable, dict[str, Any]],
    key_fields: tuple[str, ...],
    delete: bool = True,
) -> SyncCounts:
    """Make the rows of ``model`` match ``desired`` with bulk writes; untouched rows stay as-is.

    ``desired`` maps a natural key (the values of ``key_fields``) to the other field values.
    Rows in ``existing`` but not in ``desired`` are deleted when ``delete`` is set.
    """
    counts = SyncCounts()
    to_create: list[dict[str, Any]] = []
    to_update, update_fields = [], set()
    for key, values in desired.items():
        row = existing.get(key)
        if row is None:
            counts.changed_keys.append(key)
            keys = key if isinstance(key, tuple) else (key,)
            to_create.append({**dict(zip(key_fields, keys, strict=True)), **values})
            continue
        changed = [f for f, v in values.items() if getattr(row, f) != v]
        if changed:
            counts.changed_keys.append(key)
            for f in changed:
                setattr(row, f, values[f])
            update_fields.update(changed)
            to_update.append(row)
        else:
            counts.unchanged += 1
    # Field validation (choices, lengths) without the per-row query a foreign-key check costs;
    # the parser validated the references and the constraints are enforced by the database.
    relations = [f.name for f in model._meta.concrete_fields if f.is_relation]
    for row in to_update:
        row.clean_fields(exclude=relations)
    if delete:
        stale = [row.pk for key, row in existing.items() if key not in desired]
        if stale:
            counts.changed_keys.extend(key for key in existing if key not in desired)
            model.objects.filter(pk__in=stale).delete()
            counts.deleted = len(stale)
    if to_update:
        model.objects.bulk_update(to_update, sorted(update_fields), batch_size=500)
        counts.updated = len(to_update)
    if to_create:
        bulk_insert(model, to_create)
        counts.created = len(to_create)
    return counts


def bulk_insert(model: type[models.Model], rows: list[dict[str, Any]]) -> None:
    """Insert ``rows`` (field name or attname -> value) with a few multi-row INSERTs.

    The import writes ~12,000 new rows (deliverable files, branch cuts) on a first run; going
    through ``Model(**row)`` + ``bulk_create`` spent more time building instances and preparing
    values than the database spent storing them. Values are checked like ``clean_fields`` does
    for what can be wrong here (not-null, max_length, choices); a row that fails is handed to
    ``clean_fields`` itself so the error is Django's own ``ValidationError``. Missing fields get
    their model default. No primary keys are returned: callers re-read what they need.
    """
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    vendor = connection.vendor
    converters = []
    for f in fields:
        if isinstance(f, models.JSONField):
            encoder = f.encoder

            def convert(v: Any, encoder: Any = encoder) -> Any:
                return json.dumps(v, cls=encoder)

        elif isinstance(f, models.DateTimeField):

            def convert(v: Any, f: models.Field = f) -> Any:
                return f.get_db_prep_save(v, connection)

        elif isinstance(f, models.DateField) and vendor == "sqlite":

            def convert(v: Any) -> Any:
                return v if v is None else v.isoformat()

        else:
            convert = None  # type: ignore[assignment]
        converters.append(convert)
    checks = [
        (
            i,
            f.null,
            f.blank,
            getattr(f, "max_length", None) if isinstance(f, models.CharField) else None,
            frozenset(str(value) for value, _ in f.flatchoices) | ({""} if f.blank else set())
            if f.choices
            else None,
            [v for v in f.validators if not isinstance(v, MaxLengthValidator)],
        )
        for i, f in enumerate(fields)
    ]
    values: list[tuple[Any, ...]] = []
    for row in rows:
        raw = [_value_of(f, row) for f in fields]
        for i, nullable, blank, max_length, choices, validators in checks:
            v = raw[i]
            if v is None:
                if not nullable:
                    _raise_invalid(model, row)
                continue
            if (
                (not blank and v in EMPTY_VALUES)
                or (max_length is not None and isinstance(v, str) and len(v) > max_length)
                or (choices is not None and v not in choices)
            ):
                _raise_invalid(model, row)
            for validator in validators:
                try:
                    validator(v)
                except ValidationError:
                    _raise_invalid(model, row)
        pairs = zip(raw, converters, strict=True)
        values.append(tuple(v if c is None or v is None else c(v) for v, c in pairs))
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with connection.cursor() as cursor:
        if vendor == "postgresql":
            # One statement per batch: a multi-row VALUES list, JSON as text cast to jsonb.
            one = (
                "("
                + ", ".join(
                    "%s::jsonb" if isinstance(f, models.JSONField) else "%s" for f in fields
                )
                + ")"
            )
            batch = max(1, 30_000 // len(fields))
            for start in range(0, len(values), batch):
                chunk = values[start : start + batch]
                cursor.execute(
                    f"INSERT INTO {table} ({columns}) VALUES " + ", ".join([one] * len(chunk)),
                    [v for row in chunk for v in row],
                )
        else:
            # SQLite: executemany of one prepared statement runs the loop in C.
            placeholders = ", ".join(["%s"] * len(fields))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", values)


def _value_of(field: models.Field, row: dict[str, Any]) -> Any:
    if field.attname in row:
        return row[field.attname]
    if field.name in row:
        value = row[field.name]
        return value.pk if field.is_relation and isinstance(value, models.Model) else value
    return field.get_default()


def _raise_invalid(model: type[models.Model], row: dict[str, Any]) -> None:
    relations = [f.name for f in model._meta.concrete_fields if f.is_relation]
    instance = model(**row)
    instance.clean_fields(exclude=relations)  # raises the precise ValidationError
    raise ValidationError(f"{model._meta.label}: invalid row {row!r}")
