# AuditEntry and PendingTask now belong to ``core`` (core.0001 takes over their state; the
# tables are kept as they are).

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("planner", "0002_pendingtask"),
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="AuditEntry"),
                migrations.DeleteModel(name="PendingTask"),
            ],
            database_operations=[],
        ),
    ]
