"""Feature-freeze exception rules at their edges (Ocata: FF 26 Jan 2017, RC1 2 Feb 2017)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from blueprints import services
from blueprints.models import FeatureFreezeException, FFEStatus
from blueprints.tasks import expire_ffes
from core import clock
from core.models import AuditEntry
from tests.factories import BlueprintFactory, FFEFactory, FFEPolicyFactory, cast

FREEZE = dt.date(2017, 1, 26)
RC1 = dt.date(2017, 2, 2)


@pytest.fixture
def c(db):
    return cast()


@pytest.fixture
def blueprint(c):
    return BlueprintFactory(
        squad=c.squad,
        series=c.series,
        name="overcloud-upgrades-per-service",
        implementation_status="Needs Code Review",
    )


def request(c, blueprint, *, today, merge_by=RC1, actor=None):
    return services.ffe_request(
        blueprint=blueprint,
        actor=actor or c.lead,
        rationale="Last patches in review",
        merge_by=merge_by,
        today=today,
    )


def test_ffe_refused_before_feature_freeze(c, blueprint):
    with pytest.raises(ValidationError, match="no exception is needed"):
        request(c, blueprint, today=FREEZE - dt.timedelta(days=1))


def test_ffe_accepted_on_feature_freeze_day(c, blueprint):
    ffe = request(c, blueprint, today=FREEZE)
    assert ffe.status == FFEStatus.REQUESTED
    assert ffe.requested_by == c.lead


def test_ffe_refused_for_a_complete_blueprint(c, blueprint):
    blueprint.implementation_status = "Implemented"
    blueprint.save()
    with pytest.raises(ValidationError, match="already complete"):
        request(c, blueprint, today=FREEZE)


def test_ffe_refused_after_policy_cutoff_but_accepted_on_it(c, blueprint):
    FFEPolicyFactory(project=c.project, series=c.series, request_cutoff=dt.date(2017, 1, 27))
    with pytest.raises(ValidationError, match="closed on 2017-01-27"):
        request(c, blueprint, today=dt.date(2017, 1, 28))
    assert request(c, blueprint, today=dt.date(2017, 1, 27)).pk


def test_ffe_merge_by_after_rc1_refused_and_on_rc1_accepted(c, blueprint):
    with pytest.raises(ValidationError) as error:
        request(c, blueprint, today=FREEZE, merge_by=RC1 + dt.timedelta(days=1))
    assert "merge_by" in error.value.message_dict
    assert request(c, blueprint, today=FREEZE, merge_by=RC1).merge_by == RC1


def test_ffe_merge_by_in_the_past_refused(c, blueprint):
    with pytest.raises(ValidationError):
        request(c, blueprint, today=dt.date(2017, 1, 30), merge_by=dt.date(2017, 1, 29))


def test_only_one_open_ffe_per_blueprint(c, blueprint):
    request(c, blueprint, today=FREEZE)
    with pytest.raises(ValidationError, match="already has an open FFE"):
        request(c, blueprint, today=FREEZE, actor=c.contributor)


def test_one_open_ffe_per_blueprint_is_a_database_constraint(c, blueprint):
    FFEFactory(blueprint=blueprint, requested_by=c.lead)
    with pytest.raises(IntegrityError), transaction.atomic():
        FFEFactory(blueprint=blueprint, requested_by=c.lead)


def test_merge_by_before_request_is_a_database_constraint(c, blueprint):
    with pytest.raises(IntegrityError), transaction.atomic():
        FFEFactory(
            blueprint=blueprint, requested_on=dt.date(2017, 1, 30), merge_by=dt.date(2017, 1, 29)
        )


def test_grant_refused_when_cap_reached_but_deny_still_possible(c, blueprint):
    # given a cap of one grant, already used (an expired grant still counts)
    FFEPolicyFactory(project=c.project, series=c.series, max_granted=1)
    used = BlueprintFactory(squad=c.squad, series=c.series, implementation_status="Started")
    FFEFactory(blueprint=used, status=FFEStatus.EXPIRED, decided_on=FREEZE, decided_by=c.ptl)
    ffe = request(c, blueprint, today=FREEZE)
    # when / then
    with pytest.raises(ValidationError, match="cap of 1"):
        services.ffe_decide(ffe=ffe, actor=c.ptl, granted=True, today=FREEZE)
    denied = services.ffe_decide(ffe=ffe, actor=c.ptl, granted=False, today=FREEZE)
    assert denied.status == FFEStatus.DENIED


def test_grant_under_the_cap(c, blueprint):
    FFEPolicyFactory(project=c.project, series=c.series, max_granted=1)
    ffe = request(c, blueprint, today=FREEZE)
    granted = services.ffe_decide(ffe=ffe, actor=c.ptl, granted=True, note="ok", today=FREEZE)
    assert (granted.status, granted.decided_by, granted.decided_on) == ("Granted", c.ptl, FREEZE)


def test_decided_ffe_cannot_be_decided_again(c, blueprint):
    ffe = request(c, blueprint, today=FREEZE)
    services.ffe_decide(ffe=ffe, actor=c.ptl, granted=False, today=FREEZE)
    with pytest.raises(ValidationError, match="already decided"):
        services.ffe_decide(ffe=ffe, actor=c.ptl, granted=True, today=FREEZE)


def test_grant_refused_once_merge_by_passed(c, blueprint):
    ffe = request(c, blueprint, today=FREEZE, merge_by=dt.date(2017, 1, 27))
    with pytest.raises(ValidationError, match="merge-by date has passed"):
        services.ffe_decide(ffe=ffe, actor=c.ptl, granted=True, today=dt.date(2017, 1, 28))


def test_granted_ffe_merged_on_merge_by_but_not_after(c, blueprint):
    ffe = request(c, blueprint, today=FREEZE, merge_by=dt.date(2017, 1, 30))
    services.ffe_decide(ffe=ffe, actor=c.ptl, granted=True, today=FREEZE)
    with pytest.raises(ValidationError, match="expired"), clock.replaying(dt.date(2017, 1, 31)):
        services.ffe_mark_merged(ffe=ffe, actor=c.lead)
    with clock.replaying(dt.date(2017, 1, 30)):
        merged = services.ffe_mark_merged(ffe=ffe, actor=c.lead)
    assert (merged.status, merged.closed_on) == ("Merged", dt.date(2017, 1, 30))


def test_requested_ffe_cannot_be_marked_merged(c, blueprint):
    ffe = request(c, blueprint, today=FREEZE)
    with pytest.raises(ValidationError, match="Only a granted FFE"):
        services.ffe_mark_merged(ffe=ffe, actor=c.ptl)


def test_expiry_expires_only_granted_ffes_past_merge_by_and_is_idempotent(c, blueprint):
    # given: granted due 30 Jan, granted due 31 Jan, requested due 30 Jan
    due_30 = request(c, blueprint, today=FREEZE, merge_by=dt.date(2017, 1, 30))
    services.ffe_decide(ffe=due_30, actor=c.ptl, granted=True, today=FREEZE)
    other = BlueprintFactory(squad=c.squad, series=c.series, implementation_status="Started")
    due_31 = request(c, other, today=FREEZE, merge_by=dt.date(2017, 1, 31))
    services.ffe_decide(ffe=due_31, actor=c.ptl, granted=True, today=FREEZE)
    third = BlueprintFactory(squad=c.squad, series=c.series, implementation_status="Started")
    pending = request(c, third, today=FREEZE, merge_by=dt.date(2017, 1, 30))
    # when: on merge-by day nothing expires; the day after only the granted one does
    assert services.ffe_expire_overdue(today=dt.date(2017, 1, 30)) == 0
    assert services.ffe_expire_overdue(today=dt.date(2017, 1, 31)) == 1
    audit_rows = AuditEntry.objects.count()
    assert services.ffe_expire_overdue(today=dt.date(2017, 1, 31)) == 0
    # then
    statuses = dict(FeatureFreezeException.objects.values_list("pk", "status"))
    assert statuses == {due_30.pk: "Expired", due_31.pk: "Granted", pending.pk: "Requested"}
    assert AuditEntry.objects.count() == audit_rows
    expiry = AuditEntry.objects.filter(object_id=due_30.pk, field="status").last()
    assert (expiry.old, expiry.new, expiry.actor) == ("Granted", "Expired", None)


def test_expire_task_wraps_the_service(c, blueprint):
    FFEFactory(
        blueprint=blueprint,
        status=FFEStatus.GRANTED,
        decided_on=FREEZE,
        decided_by=c.ptl,
        requested_on=FREEZE,
        merge_by=dt.date(2017, 2, 1),
    )
    # The real date is years after Ocata: the grant is overdue.
    assert expire_ffes.delay().get() == 1
    assert expire_ffes.delay().get() == 0


def test_expire_task_registered_daily_with_celery_beat(db):
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(task="blueprints.tasks.expire_ffes")
    assert task.enabled
    assert (task.crontab.hour, task.crontab.minute) == ("0", "15")
