# The audit trail and the task outbox move from ``planner`` to ``core``: the tables stay where
# ``planner``'s migrations created them (``db_table``), only Django's model state moves.

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("planner", "0002_pendingtask"),
    ]

    state_operations = [
        migrations.CreateModel(
            name="AuditEntry",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("object_id", models.PositiveBigIntegerField()),
                ("object_repr", models.CharField(blank=True, max_length=200)),
                ("action", models.CharField(choices=[("create", "Create"), ("update", "Update"), ("delete", "Delete"), ("transition", "status transition")], max_length=20)),
                ("field", models.CharField(blank=True, max_length=60)),
                ("old", models.JSONField(blank=True, null=True)),
                ("new", models.JSONField(blank=True, null=True)),
                ("at", models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                ("actor", models.ForeignKey(blank=True, help_text="Empty when a system process (import, scheduled task) made the change.", null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="audit_entries", to=settings.AUTH_USER_MODEL)),
                ("content_type", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to="contenttypes.contenttype")),
            ],
            options={
                "verbose_name": "audit entry",
                "verbose_name_plural": "audit entries",
                "ordering": ["at", "id"],
                "db_table": "planner_auditentry",
                "indexes": [models.Index(fields=["content_type", "object_id", "at"], name="planner_aud_content_5dab40_idx"), models.Index(fields=["field", "at"], name="planner_aud_field_644749_idx")],
            },
        ),
        migrations.CreateModel(
            name="PendingTask",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("task_name", models.CharField(max_length=200)),
                ("args", models.JSONField(blank=True, default=list)),
                ("kwargs", models.JSONField(blank=True, default=dict)),
                ("task_id", models.CharField(max_length=64, unique=True)),
                ("created_at", models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                ("attempts", models.PositiveIntegerField(default=0)),
                ("last_error", models.TextField(blank=True)),
            ],
            options={
                "verbose_name": "pending task",
                "verbose_name_plural": "pending tasks",
                "ordering": ["created_at", "id"],
                "db_table": "planner_pendingtask",
            },
        ),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=state_operations, database_operations=[]),
    ]
