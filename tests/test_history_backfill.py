"""The migration that creates the typed history fills it from the audit trail."""

from __future__ import annotations

import importlib
from contextlib import contextmanager
from datetime import UTC, date, datetime, time

import pytest
from django.apps import apps

from blueprints import selectors, services
from blueprints.models import BlueprintHistory
from core import clock
from core.models import AuditEntry
from tests.factories import BlueprintFactory

pytestmark = pytest.mark.django_db

backfill = importlib.import_module("blueprints.migrations.0006_blueprint_history").backfill


@contextmanager
def on(day: date):
    """Write through the services on ``day``, the audit rows stamped with it too."""
    last = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    with clock.replaying(day):
        yield
    at = datetime.combine(day, time(12), tzinfo=UTC)
    AuditEntry.objects.filter(pk__gt=last).update(at=at)


def test_backfill_replays_the_audited_statuses_and_work_items_day_by_day():
    # given: a blueprint changed through the services on three days, its typed history lost
    bp = BlueprintFactory(implementation_status="Not started")
    with on(date(2017, 1, 2)):
        services.blueprint_update(blueprint=bp, actor=None, implementation_status="Started")
        item = services.work_item_create(blueprint=bp, actor=None, title="one")
    with on(date(2017, 1, 9)):
        services.work_item_update(work_item=item, actor=None, status="DONE")
    with on(date(2017, 1, 16)):
        services.blueprint_update(blueprint=bp, actor=None, implementation_status="Implemented")
    BlueprintHistory.objects.all().delete()
    # when
    backfill(apps, None)

    # then: the state on each day is what it was
    def state_on(day: date) -> tuple[str, int, int]:
        row = selectors.history_on(day=day).get(blueprint=bp)
        return row.implementation_status, row.work_items_total, row.work_items_done

    assert state_on(date(2017, 1, 3)) == ("Started", 1, 0)
    assert state_on(date(2017, 1, 10)) == ("Started", 1, 1)
    assert state_on(date(2017, 1, 20)) == ("Implemented", 1, 1)
    assert not selectors.history_on(day=date(2017, 1, 1)).filter(blueprint=bp).exists()
