"""The planner's settings with the bench-only baseline URL (``bench.baseline_urls``)."""

from planner.settings import *  # noqa: F403

ROOT_URLCONF = "bench.baseline_urls"
