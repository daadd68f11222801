"""Signals of the releases app.

``schedule_changed`` is sent after commit when an import (or an edit) changed a series' weeks,
events or deliverables; ``series_ids`` lists the series concerned. The branch-cut engine listens
to recompute their cuts.
"""

from django.dispatch import Signal

schedule_changed = Signal()
