"""Bench-only URLs: the planner's, plus the floor the milestones endpoint's requests per
second are measured against.

``/bench/baseline/`` is a bare Django view returning a constant JSON body of the same size as
the milestones response being compared (the bytes are read from ``BENCH_BASELINE_FILE`` on
the first request, which the benchmark's warm-up makes), through the same middleware, server and
settings. Loaded only by ``bench.settings_bench``.
"""

import os
from pathlib import Path

from django.http import HttpRequest, HttpResponse
from django.urls import path

from planner.urls import urlpatterns as planner_urlpatterns

_BODY: list[bytes] = []


def baseline(request: HttpRequest) -> HttpResponse:
    if not _BODY:
        _BODY.append(Path(os.environ["BENCH_BASELINE_FILE"]).read_bytes())
    return HttpResponse(_BODY[0], content_type="application/json")


urlpatterns = [path("bench/baseline/", baseline), *planner_urlpatterns]
