"""Seed the branch-cut rules (offsets from calibrate_branch_rules on ocata → flamingo) and the
nightly recompute of every series' cuts (django-celery-beat)."""

from django.db import migrations

# (release model, type or "" for the model's default, anchor, offset days, rationale)
RULES = [
    ("cycle-with-rc", "", "rc1", 1,
     "Stable branches of cycle-with-rc deliverables are cut from RC1, at the RC1 deadline "
     "(release_models.rst). Calibrated: +1 d, 99 % of ocata→flamingo cuts within 7 days."),
    ("cycle-with-rc", "trailing", "trailing", -2,
     "Trailing-type deliverables (kolla, openstack-ansible) branch before the cycle-trailing "
     "deadline. Calibrated: -2 d; history is spread (≈39 % within 7 days)."),
    ("cycle-with-milestones", "", "rc1", 1,
     "cycle-with-milestones deliverables branch from RC1 like cycle-with-rc. Calibrated: +1 d."),
    ("cycle-with-intermediary", "", "final-rc", -8,
     "Intermediary services are branched before the final RC of the coordinated release. "
     "Calibrated: -8 d (80 %)."),
    ("cycle-with-intermediary", "library", "final-lib", 12,
     "Libraries branch from the final non-client library release (R-6). Calibrated: +12 d: the "
     "branch request merges in the following weeks (85 %)."),
    ("cycle-with-intermediary", "client-library", "final-clientlib", 6,
     "Client libraries branch from the final client library release (R-5). Calibrated: +6 d."),
    ("cycle-with-intermediary", "trailing", "final-rc", 14,
     "Trailing-type intermediary deliverables (Puppet OpenStack) branch after the coordinated "
     "final RC, well before the trailing deadline. Calibrated: +14 d (≈61 %)."),
    ("cycle-with-intermediary", "tempest-plugin", "none", 0,
     "Tempest plugins are branchless: no stable branch."),
    ("cycle-trailing", "", "final-rc", -6,
     "cycle-trailing deliverables branch around the final RC of the coordinated release, before "
     "the cycle-trailing deadline. Calibrated: -6 d (83 %)."),
    ("cycle-automatic", "", "none", 0, "Released automatically from master: no stable branch."),
    ("independent", "", "none", 0, "Independent deliverables follow no series: no branch."),
    ("untagged", "", "none", 0, "Untagged deliverables: no planned branch."),
    ("abandoned", "", "none", 0, "Abandoned deliverables: no branch."),
]

TASK_NAME = "Recompute every series' branch cuts (nightly)"


def seed(apps, schema_editor):
    BranchRule = apps.get_model("releases", "BranchRule")
    for model, type_, anchor, offset, rationale in RULES:
        BranchRule.objects.update_or_create(
            release_model=model,
            deliverable_type=type_,
            defaults={"anchor_kind": anchor, "offset_days": offset, "rationale": rationale},
        )
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="17", hour="3", day_of_week="*", day_of_month="*", month_of_year="*",
        timezone="UTC",
    )
    PeriodicTask.objects.update_or_create(
        name=TASK_NAME,
        defaults={"task": "releases.tasks.recompute_all_branch_cuts", "crontab": crontab,
                  "enabled": True},
    )


def unseed(apps, schema_editor):
    BranchRule = apps.get_model("releases", "BranchRule")
    for model, type_, *_ in RULES:
        BranchRule.objects.filter(release_model=model, deliverable_type=type_).delete()
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("releases", "0002_branch_cuts"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
