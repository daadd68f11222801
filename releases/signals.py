"""Signals of the releases app.

``schedule_changed`` is sent after commit when an import (or an edit) changed a series' weeks,
events or deliverables; ``series_ids`` lists the series concerned. The branch-cut engine listens
to recompute their cuts.

``series_touched`` is sent inside the writing transaction by ``services.series_touch``, whenever
a series' schedule changed (an import, a re-plan and its undo); ``series_ids`` lists them.
Receivers that keep data derived from the schedule mark it stale in the same transaction.
"""

from django.dispatch import Signal

schedule_changed = Signal()
series_touched = Signal()
