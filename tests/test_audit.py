"""The audit trail: one row per changed field, written with the change, readable as JSON."""

import datetime as dt

import pytest
from django.contrib.admin.sites import site
from django.test import RequestFactory

from core.audit import audit_record, jsonable
from core.models import AuditEntry
from tests.factories import BlueprintFactory, UserFactory, cast, event


def test_jsonable_values():
    assert jsonable(dt.date(2017, 1, 26)) == "2017-01-26"
    assert jsonable({"a": (1, dt.date(2017, 2, 2))}) == {"a": [1, "2017-02-02"]}


@pytest.mark.django_db
def test_audit_record_one_row_per_field_with_readable_values():
    c = cast()
    bp = BlueprintFactory(squad=c.squad, series=c.series, name="composable-ha")
    rows = audit_record(
        actor=c.lead,
        obj=bp,
        action="update",
        changes={
            "target_milestone": (None, event(c.series, "milestone-2")),
            "assignee": (None, c.contributor),
        },
    )
    assert len(rows) == 2
    by_field = {r.field: r for r in AuditEntry.objects.all()}
    assert by_field["target_milestone"].new == "o-2 2016-12-15"
    assert by_field["assignee"].new == "contributor"
    assert by_field["assignee"].content_object == bp
    assert str(by_field["assignee"]).endswith("update composable-ha assignee")


@pytest.mark.django_db
def test_anonymous_actor_is_recorded_as_system():
    from django.contrib.auth.models import AnonymousUser

    c = cast()
    [row] = audit_record(actor=AnonymousUser(), obj=c.squad, action="update")
    assert row.actor is None and row.field == ""


@pytest.mark.django_db
def test_admin_edits_are_audited():
    c = cast()
    admin_user = UserFactory(username="admin", is_superuser=True, is_staff=True)
    bp = BlueprintFactory(squad=c.squad, series=c.series, priority="Low")
    model_admin = site._registry[type(bp)]
    request = RequestFactory().post("/")
    request.user = admin_user
    form_class = model_admin.get_form(request, bp)
    data = {f: v for f, v in form_class(instance=bp).initial.items() if v is not None}
    data.update(priority="High", depends_on=[])
    form = form_class(data=data, instance=bp)
    assert form.is_valid(), form.errors
    model_admin.save_model(request, form.save(commit=False), form, change=True)
    row = AuditEntry.objects.get(field="priority")
    assert (row.old, row.new, row.actor) == ("Low", "High", admin_user)


@pytest.mark.django_db
def test_release_admin_edits_of_branch_rules_are_audited_like_the_others(client):
    from releases.models import BranchRule

    admin_user = UserFactory(username="admin", is_superuser=True, is_staff=True)
    client.force_login(admin_user)
    rule = BranchRule.objects.get(release_model="cycle-with-rc", deliverable_type="")
    url = f"/admin/releases/branchrule/{rule.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(offset_days=rule.offset_days + 2)
    response = client.post(url, data)
    assert response.status_code == 302, response.content
    row = AuditEntry.objects.get(object_id=rule.pk, field="offset_days")
    assert (row.new - row.old, row.actor) == (2, admin_user)


@pytest.mark.django_db
def test_audit_admin_is_read_only():
    request = RequestFactory().get("/")
    request.user = UserFactory(username="admin", is_superuser=True, is_staff=True)
    model_admin = site._registry[AuditEntry]
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
    assert not model_admin.has_add_permission(request)
