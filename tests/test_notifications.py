"""Reminders and webhooks: signed deliveries to a real HTTP server on
127.0.0.1, retries, status-change webhooks after commit only, deadline digests on the Ocata demo
and their idempotence."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django_celery_beat.models import PeriodicTask
from rest_framework.test import APIClient

from blueprints.models import FeatureFreezeException
from blueprints.services import blueprint_update, ffe_decide
from notifications import signing
from notifications.models import Delivery, DeliveryStatus, DigestSent, Webhook
from notifications.services import event_publish
from squads.models import Membership
from tests.factories import BlueprintFactory, FFEFactory, UserFactory, ocata_schedule
from tests.support.webhooks import SECRET, Receiver


@pytest.fixture(autouse=True)
def local_receivers_allowed(settings):
    """The receivers here listen on 127.0.0.1, which webhooks may reach only when allowed."""
    settings.NOTIFICATIONS_WEBHOOK_ALLOW_LOOPBACK = True


@pytest.fixture
def receiver():
    with Receiver() as r:
        yield r


def _webhook(url: str, *events: str) -> Webhook:
    return Webhook.objects.create(
        name=f"hook-{len(events)}", url=url, secret=SECRET, events=list(events)
    )


# --- delivery ---------------------------------------------------------------------------------
@pytest.mark.django_db
def test_delivery_is_signed_with_hmac_sha256_of_the_raw_body(
    receiver, django_capture_on_commit_callbacks
):
    _webhook(receiver.url, "blueprint.status")
    with django_capture_on_commit_callbacks(execute=True):
        [delivery_id] = event_publish(event="blueprint.status", source="t:1", data={"x": 1})
    [request] = receiver.requests
    assert request["verified"]
    headers = request["headers"]
    assert headers["X-Planner-Event"] == "blueprint.status"
    assert headers["X-Planner-Delivery"] == str(delivery_id)
    assert headers["X-Planner-Signature"].startswith("t=")
    assert json.loads(request["body"])["data"] == {"x": 1}
    delivery = Delivery.objects.get(pk=delivery_id)
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("delivered", 1, 200)
    # A wrong secret does not verify: the check can fail.
    assert not signing.verify(request["body"], "other", headers["X-Planner-Signature"])
    # Publishing the same cause again delivers nothing new.
    with django_capture_on_commit_callbacks(execute=True):
        assert event_publish(event="blueprint.status", source="t:1", data={"x": 1}) == []
    assert len(receiver.requests) == 1


@pytest.mark.django_db
def test_a_500_is_retried_then_delivered_and_every_attempt_is_logged(
    django_capture_on_commit_callbacks,
):
    with Receiver(codes=[500]) as server:
        _webhook(server.url, "ffe.decision")
        with django_capture_on_commit_callbacks(execute=True):
            [delivery_id] = event_publish(event="ffe.decision", source="t:2", data={})
        assert [r["verified"] for r in server.requests] == [True, True]
        assert server.requests[0]["body"] == server.requests[1]["body"]
    delivery = Delivery.objects.get(pk=delivery_id)
    assert delivery.status == DeliveryStatus.DELIVERED
    assert delivery.attempts == 2
    assert [a["response_code"] for a in delivery.attempt_log] == [500, 200]
    assert delivery.attempt_log[0]["error"] == "HTTP 500"


@pytest.mark.django_db
@pytest.mark.parametrize("code", [410, 302])
def test_a_4xx_or_a_redirect_fails_without_retry(code, django_capture_on_commit_callbacks):
    with Receiver(codes=[code]) as server:
        _webhook(server.url, "digest")
        with django_capture_on_commit_callbacks(execute=True):
            [delivery_id] = event_publish(event="digest", source="t:3", data={})
        assert len(server.requests) == 1
    delivery = Delivery.objects.get(pk=delivery_id)
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("failed", 1, code)


# --- webhooks on status changes and FFE decisions ---------------------------------------------
@pytest.mark.django_db
def test_blueprint_status_webhook_fires_after_commit_only(
    receiver, django_capture_on_commit_callbacks
):
    # given
    _webhook(receiver.url, "blueprint.status")
    ptl = UserFactory(is_superuser=True)
    blueprint = BlueprintFactory(series=ocata_schedule())
    # when the change rolls back, nothing is published
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            blueprint_update(blueprint=blueprint, actor=ptl, implementation_status="Started")
            raise RuntimeError("rolled back")
    assert receiver.requests == [] and not Delivery.objects.exists()
    blueprint.refresh_from_db()
    # when it commits, the webhook fires at commit, not before
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        blueprint_update(
            blueprint=blueprint, actor=ptl, implementation_status="Good progress", title="New"
        )
        assert receiver.requests == [] and not Delivery.objects.exists()
    assert callbacks
    # then
    [request] = receiver.requests
    body = json.loads(request["body"])
    assert request["verified"] and body["event"] == "blueprint.status"
    assert (body["data"]["old"], body["data"]["new"]) == ("Unknown", "Good progress")
    assert body["data"]["blueprint"]["name"] == blueprint.name
    assert body["data"]["actor"] == ptl.username
    # A change of another field publishes nothing.
    with django_capture_on_commit_callbacks(execute=True):
        blueprint_update(blueprint=blueprint, actor=ptl, title="Newer")
    assert len(receiver.requests) == 1


@pytest.mark.django_db
def test_ffe_decision_webhook(receiver, django_capture_on_commit_callbacks):
    _webhook(receiver.url, "ffe.decision")
    ptl = UserFactory(is_superuser=True)
    ffe = FFEFactory(blueprint=BlueprintFactory(series=ocata_schedule()))
    with django_capture_on_commit_callbacks(execute=True):
        ffe_decide(ffe=ffe, actor=ptl, granted=True, note="ok", today=date(2017, 1, 28))
    [request] = receiver.requests
    body = json.loads(request["body"])
    assert request["headers"]["X-Planner-Event"] == "ffe.decision"
    assert (body["data"]["new"], body["data"]["ffe"]["decided_by"]) == ("Granted", ptl.username)


# --- deadline digests -------------------------------------------------------------------------
@pytest.mark.django_db
def test_ocata_digest_a_day_before_feature_freeze_is_sent_once(
    receiver, django_capture_on_commit_callbacks
):
    # given the demo, its leads with an address (but one), and a digest webhook
    call_command("load_demo", stdout=open("/dev/null", "w"))
    leads = {m.squad.slug: m.user for m in Membership.objects.filter(role="lead")}
    for slug, user in leads.items():
        user.email = "" if slug == "workflows" else f"{user.username}@example.org"
        user.save()
    _webhook(receiver.url, "digest")
    mail.outbox.clear()
    # when
    with django_capture_on_commit_callbacks(execute=True):
        call_command(
            "send_deadline_digests",
            "--date",
            "2017-01-25",
            "--days",
            "3",
            stdout=open("/dev/null", "w"),
        )
    # then: one mail per lead with an address, one webhook delivery per lead
    assert len(mail.outbox) == len(leads) - 1 == 7
    assert len(receiver.requests) == len(leads)
    assert all(r["verified"] for r in receiver.requests)
    by_to = {m.to[0]: m for m in mail.outbox}
    upgrade = by_to["upgrade-lead@example.org"]
    assert upgrade.subject.startswith("[ocata] Feature freeze on Thu 26 Jan (+4 more)")
    assert "Feature freeze (o-ff)" in upgrade.body
    due = upgrade.body.split("Due at these deadlines")[1].split("At risk")[0]
    assert "Composable Service Upgrades [upgrade] Needs Code Review (target o-3)" in due
    at_risk = upgrade.body.split("At risk")[1]
    assert "Composable Service Upgrades" in at_risk and "weeks left" in at_risk
    # the forecast's flagged blueprints, not the complete ones
    content = DigestSent.objects.filter(lead=leads["upgrade"]).first().content
    assert {b["name"] for b in content["at_risk"]} >= {"overcloud-upgrades-per-service"}
    assert all(d["date"] == "2017-01-26" for d in content["deadlines"])
    assert DigestSent.objects.filter(lead=leads["workflows"], emailed=False).exists()
    # when run again: nothing is sent
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        call_command(
            "send_deadline_digests",
            "--date",
            "2017-01-25",
            "--days",
            "3",
            stdout=open("/dev/null", "w"),
        )
    assert mail.outbox == [] and len(receiver.requests) == len(leads)
    # A week later the RC1 deadline comes with the granted FFE that must merge by then.
    with django_capture_on_commit_callbacks(execute=True):
        call_command(
            "send_deadline_digests",
            "--date",
            "2017-01-31",
            "--days",
            "3",
            stdout=open("/dev/null", "w"),
        )
    containers = next(m for m in mail.outbox if m.to == ["containers-lead@example.org"])
    assert containers.subject.startswith("[ocata] RC1 target week on Thu 02 Feb")
    ffes = containers.body.split("Granted FFEs")[1]
    assert "containerize-tripleo [containers] merge by Thu 2 Feb" in ffes


def test_every_periodic_task_comes_from_the_one_beat_schedule(db, settings):
    # given the schedule in settings, when beat's DatabaseScheduler installs it at start (its
    # update_from_dict: one ModelEntry per entry; the scheduler itself closes the connection)
    from django_celery_beat.schedulers import ModelEntry

    from planner.celery import app

    for name, entry in app.conf.beat_schedule.items():
        ModelEntry.from_entry(name, app=app, **entry)
    # then each entry is one enabled row, and nothing else is scheduled twice
    rows = {t.name: t for t in PeriodicTask.objects.exclude(name="celery.backend_cleanup")}
    assert set(rows) == set(settings.CELERY_BEAT_SCHEDULE)
    assert sorted(t.task for t in rows.values()) == sorted(
        e["task"] for e in settings.CELERY_BEAT_SCHEDULE.values()
    )
    digest = rows["Send deadline digests to squad leads (daily)"]
    assert digest.enabled and digest.crontab.hour == "7"


# --- the delivery log API ---------------------------------------------------------------------
@pytest.mark.django_db
def test_delivery_log_api_needs_the_view_permission(django_assert_max_num_queries):
    hook = _webhook("http://127.0.0.1:9/unused", "digest")
    for i in range(3):
        Delivery.objects.create(webhook=hook, event="digest", source=f"s{i}", payload={"i": i})
    client = APIClient()
    assert client.get("/api/v1/webhook-deliveries/").status_code in (401, 403)
    client.force_authenticate(UserFactory())
    assert client.get("/api/v1/webhook-deliveries/").status_code == 403
    # being staff is not enough
    staff = UserFactory(is_staff=True)
    client.force_authenticate(staff)
    assert client.get("/api/v1/webhook-deliveries/").status_code == 403
    staff.user_permissions.add(Permission.objects.get(codename="view_delivery"))
    staff = type(staff).objects.get(pk=staff.pk)  # a fresh permission cache
    client.force_authenticate(staff)
    with django_assert_max_num_queries(4):
        response = client.get("/api/v1/webhook-deliveries/?status=pending")
    assert response.status_code == 200
    assert response.json()["count"] == 3
    assert response.json()["results"][0]["webhook"] == hook.name
    assert FeatureFreezeException.objects.count() == 0
