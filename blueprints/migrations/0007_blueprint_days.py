"""The burn-up deltas of every history row (written from now on by the history's writer), and
the tables of each blueprint's forecast on a day (filled on the first read of a day)."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


DONE = "Implemented"


def fill_deltas(apps, schema_editor):
    """Each row against the previous row of its blueprint in the same series (day, then id):
    the look-back the burn-up did on every view, once."""
    history = apps.get_model("blueprints", "BlueprintHistory")
    changed, previous_key, previous = [], None, None
    rows = history.objects.order_by("blueprint_id", "series_id", "day", "id").only(
        "pk", "blueprint_id", "series_id", "implementation_status"
    )
    for row in rows.iterator(chunk_size=2000):
        key = (row.blueprint_id, row.series_id)
        before = previous if key == previous_key else None
        done, was_done = row.implementation_status == DONE, before == DONE
        row.opens_scope = key != previous_key
        row.done_change = 1 if done and not was_done else -1 if was_done and not done else 0
        changed.append(row)
        previous_key, previous = key, row.implementation_status
        if len(changed) >= 2000:
            history.objects.bulk_update(changed, ["opens_scope", "done_change"])
            changed = []
    if changed:
        history.objects.bulk_update(changed, ["opens_scope", "done_change"])


class Migration(migrations.Migration):

    dependencies = [
        ('blueprints', '0006_blueprint_history'),
        ('releases', '0005_event_occurrences'),
        ('squads', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='blueprinthistory',
            name='done_change',
            field=models.SmallIntegerField(default=0, help_text='+1 when Implemented after a row of this series that was not (or first), -1 when no longer Implemented, else 0.'),
        ),
        migrations.AddField(
            model_name='blueprinthistory',
            name='opens_scope',
            field=models.BooleanField(default=False, help_text="The blueprint's first row in this series: it joins the scope."),
        ),
        migrations.CreateModel(
            name='BlueprintDay',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField()),
                ('name', models.CharField(blank=True, max_length=200)),
                ('priority', models.CharField(blank=True, max_length=20)),
                ('definition_status', models.CharField(blank=True, max_length=20)),
                ('implementation_status', models.CharField(blank=True, max_length=30)),
                ('target_date', models.DateField(blank=True, null=True)),
                ('level', models.CharField(blank=True, max_length=20)),
                ('score', models.PositiveSmallIntegerField(default=0)),
                ('flagged', models.BooleanField(default=False)),
                ('has_freeze_problems', models.BooleanField(default=False)),
                ('overdue', models.BooleanField(default=False)),
                ('blocked', models.BooleanField(default=False)),
                ('waiting', models.BooleanField(default=False)),
                ('unassigned', models.BooleanField(default=False)),
                ('high_not_started', models.BooleanField(default=False)),
                ('priority_rank', models.PositiveSmallIntegerField(default=99)),
                ('dirty', models.BigIntegerField(default=0)),
                ('assignee', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('blueprint', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='blueprints.blueprint')),
                ('project', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='squads.project')),
                ('series', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='releases.series')),
                ('squad', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='squads.squad')),
                ('target_milestone', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='releases.event')),
            ],
            options={
                'ordering': ['series_id', 'day', 'name', 'blueprint_id'],
                'indexes': [models.Index(fields=['series', 'day', 'project'], name='blueprint_day_series'), models.Index(fields=['series', 'day', 'project', 'priority_rank', 'target_date', 'name'], name='blueprint_day_attention'), models.Index(condition=models.Q(('dirty', 0), _negated=True), fields=['day'], name='blueprint_day_dirty')],
                'constraints': [models.UniqueConstraint(fields=('blueprint', 'day'), name='blueprint_day_unique')],
            },
        ),
        migrations.CreateModel(
            name='ForecastDay',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField()),
                ('computed_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('series', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='releases.series')),
            ],
            options={
                'ordering': ['series_id', 'day'],
                'constraints': [models.UniqueConstraint(fields=('series', 'day'), name='forecast_day_unique')],
            },
        ),
        migrations.RunPython(fill_deltas, migrations.RunPython.noop),
    ]
