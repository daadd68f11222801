"""Blueprint and work-item services: lifecycle dates, dependencies, validation, audit."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from blueprints import services
from blueprints.models import Blueprint
from core.models import AuditEntry
from tests.factories import (
    BlueprintFactory,
    EventFactory,
    ProjectFactory,
    SeriesFactory,
    WorkItemFactory,
    cast,
    event,
)


@pytest.fixture
def c(db):
    return cast()


def make(c, name, milestone=None, **fields):
    return services.blueprint_create(
        actor=c.lead,
        project=c.project,
        series=c.series,
        name=name,
        title=name.title(),
        squad=c.squad,
        target_milestone=event(c.series, milestone) if milestone else None,
        **fields,
    )


def test_create_stamps_dates_and_audits_initial_status(c):
    bp = make(c, "composable-ha", implementation_status="Started")
    assert bp.date_started is not None and bp.date_completed is None
    row = AuditEntry.objects.get(object_id=bp.pk, field="implementation_status")
    assert (row.action, row.old, row.new, row.actor) == ("create", None, "Started", c.lead)


def test_status_moves_set_and_clear_started_and_completed_dates(c):
    # given
    bp = make(c, "heat-undercloud", implementation_status="Not started")
    assert bp.date_started is None
    # when started, then implemented
    services.blueprint_update(blueprint=bp, actor=c.lead, implementation_status="Good progress")
    started = bp.date_started
    services.blueprint_update(blueprint=bp, actor=c.lead, implementation_status="Implemented")
    # then
    assert started is not None and bp.date_started == started
    assert bp.date_completed is not None and bp.is_complete
    # and going back (reopened) clears completion, deferring clears the start
    services.blueprint_update(blueprint=bp, actor=c.lead, implementation_status="Deferred")
    bp.refresh_from_db()
    assert bp.date_started is None and bp.date_completed is None
    history = list(
        AuditEntry.objects.filter(object_id=bp.pk, field="implementation_status")
        .order_by("at", "id")
        .values_list("old", "new")
    )
    assert history == [
        (None, "Not started"),
        ("Not started", "Good progress"),
        ("Good progress", "Implemented"),
        ("Implemented", "Deferred"),
    ]


def test_obsolete_definition_completes_without_starting(c):
    bp = make(c, "tripleo-realtime")
    services.blueprint_update(blueprint=bp, actor=c.ptl, definition_status="Obsolete")
    assert bp.is_complete and not bp.is_started
    assert bp.date_completed is not None and bp.date_started is None


def test_update_without_change_writes_no_audit(c):
    bp = make(c, "tripleo-repos", priority="High")
    before = AuditEntry.objects.count()
    services.blueprint_update(blueprint=bp, actor=c.lead, priority="High")
    assert AuditEntry.objects.count() == before


def test_target_milestone_of_another_series_refused(c):
    later = SeriesFactory(name="zz-later", position=9001)
    later_1 = EventFactory(series=later, key="zz-later-1", kind="milestone-1")
    bp = make(c, "containerize-tripleo")
    with pytest.raises(ValidationError) as error:
        services.blueprint_update(blueprint=bp, actor=c.lead, target_milestone=later_1)
    assert "target_milestone" in error.value.message_dict


def test_unknown_status_refused(c):
    bp = make(c, "undercloud-ntp-server")
    with pytest.raises(ValidationError):
        services.blueprint_update(blueprint=bp, actor=c.lead, implementation_status="Done")


def test_blueprint_name_unique_per_project(c):
    make(c, "composable-ha")
    with pytest.raises(ValidationError):
        make(c, "composable-ha")
    other = ProjectFactory(name="nova")
    BlueprintFactory(project=other, squad=None, series=c.series, name="composable-ha")
    with pytest.raises(IntegrityError), transaction.atomic():
        BlueprintFactory(project=other, squad=None, series=c.series, name="composable-ha")


def test_dependency_cycle_refused(c):
    # given upgrades → composable-ha → heat-undercloud
    upgrades = make(c, "overcloud-upgrades-per-service")
    ha = make(c, "composable-ha")
    heat = make(c, "heat-undercloud")
    services.blueprint_set_dependencies(blueprint=upgrades, actor=c.lead, depends_on=[ha])
    services.blueprint_set_dependencies(blueprint=ha, actor=c.lead, depends_on=[heat])
    # when heat-undercloud would depend on the upgrades
    with pytest.raises(ValidationError, match="cycle") as error:
        services.blueprint_set_dependencies(blueprint=heat, actor=c.lead, depends_on=[upgrades])
    # then
    assert "heat-undercloud → overcloud-upgrades-per-service → composable-ha" in str(error.value)
    assert not heat.depends_on.exists()


def test_self_dependency_refused_by_service_and_database(c):
    ha = make(c, "composable-ha")
    with pytest.raises(ValidationError):
        services.blueprint_set_dependencies(blueprint=ha, actor=c.lead, depends_on=[ha])
    with pytest.raises(IntegrityError), transaction.atomic():
        Blueprint.depends_on.through.objects.create(blueprint=ha, depends_on=ha)


def test_dependencies_replace_and_audit(c):
    a, b, d = make(c, "a-bp"), make(c, "b-bp"), make(c, "d-bp")
    services.blueprint_set_dependencies(blueprint=a, actor=c.lead, depends_on=[b])
    services.blueprint_set_dependencies(blueprint=a, actor=c.lead, depends_on=[d, b])
    services.blueprint_set_dependencies(blueprint=a, actor=c.lead, depends_on=[d])
    assert list(a.depends_on.values_list("name", flat=True)) == ["d-bp"]
    rows = AuditEntry.objects.filter(object_id=a.pk, field="depends_on").order_by("id")
    assert [(r.old, r.new) for r in rows] == [
        ([], ["b-bp"]),
        (["b-bp"], ["b-bp", "d-bp"]),
        (["b-bp", "d-bp"], ["d-bp"]),
    ]


def test_work_items_are_ordered_and_assignee_edits_only_title_and_status(c):
    bp = make(c, "tripleo-repos")
    first = services.work_item_create(blueprint=bp, actor=c.lead, title="Write tool")
    second = services.work_item_create(
        blueprint=bp, actor=c.lead, title="Package", assignee=c.contributor
    )
    assert (first.order, second.order) == (0, 1)
    services.work_item_update(work_item=second, actor=c.contributor, status="INPROGRESS")
    services.work_item_update(
        work_item=second, actor=c.contributor, assignee=c.contributor, order=1
    )  # unchanged values are not a change
    assert second.status == "INPROGRESS"


def test_work_item_delete_is_kept_in_blueprint_history(c):
    bp = make(c, "tripleo-repos")
    item = WorkItemFactory(blueprint=bp, title="Old item")
    services.work_item_delete(work_item=item, actor=c.lead)
    row = AuditEntry.objects.filter(object_id=bp.pk, field="work_items").get()
    assert row.old == ["Old item"]


def test_audit_rolls_back_with_a_failed_write(c):
    bp = make(c, "composable-ha")
    before = AuditEntry.objects.count()
    with pytest.raises(ValidationError):
        services.blueprint_update(
            blueprint=bp, actor=c.lead, title="Fine", implementation_status="Nope"
        )
    assert AuditEntry.objects.count() == before
    bp.refresh_from_db()
    assert bp.title == "Composable-Ha"


def test_completed_before_started_is_a_database_constraint(c):
    with pytest.raises(IntegrityError), transaction.atomic():
        BlueprintFactory(
            squad=c.squad,
            series=c.series,
            date_started=dt.datetime(2017, 1, 2, tzinfo=dt.UTC),
            date_completed=dt.datetime(2017, 1, 1, tzinfo=dt.UTC),
        )
