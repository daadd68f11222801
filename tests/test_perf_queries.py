"""Issue 8: pages and APIs cost the same number of queries whatever the data size; the
milestones API answers conditional requests without rendering and caches per data version.

Query counts only: timings are benchmarks (bench/), never test assertions.
"""

from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from planner.loaddata import generate_load_data
from releases import conditional
from releases.models import Event
from releases.services import series_touch

pytestmark = pytest.mark.django_db

AS_OF = "2017-01-10"


@pytest.fixture
def ocata(demo):
    conditional.cache_clear()
    return demo


def _queries(client, url: str) -> int:
    client.get(url)  # warm: content types, the series version
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "page",
    [
        "/cycles/ocata/?as_of={as_of}&project={project}",
        "/squads/{project}-squad-0/?series=ocata",
        "/api/v1/blueprints/?project={project}&series=ocata",
        "/api/v1/blueprints/?project={project}&series=ocata&limit=5&offset=5",
    ],
    ids=["dashboard", "squad page", "blueprint list API", "blueprint list API, second page"],
)
def test_page_costs_the_same_queries_at_10_and_400_blueprints(ocata, client, page):
    # given: two generated projects in 10 squads, of 10 and of 400 blueprints
    small = generate_load_data(series=ocata, project_name="small", squads=10, blueprints=10)
    large = generate_load_data(series=ocata, project_name="large", squads=10, blueprints=400)
    # when / then: each page runs exactly as many queries for both
    counts = [
        _queries(client, page.format(as_of=AS_OF, project=data.project.name))
        for data in (small, large)
    ]
    assert counts[0] == counts[1]


def test_blueprint_list_counts_work_items_per_blueprint(ocata):
    from blueprints import selectors
    from blueprints.models import WorkItemStatus

    # given: 30 blueprints of 4 work items each, in random statuses
    generate_load_data(series=ocata, project_name="counted", squads=3, blueprints=30)
    # when
    rows = list(selectors.blueprint_list().filter(project__name="counted"))
    # then: the subquery counts match the rows (progress is computed from them)
    assert len(rows) == 30
    for bp in rows:
        items = bp.work_items.all()
        assert bp.work_items_total == items.count() == 4
        assert bp.work_items_done == items.filter(status=WorkItemStatus.DONE).count()
        assert bp.work_items_postponed == items.filter(status=WorkItemStatus.POSTPONED).count()


def test_conditional_milestones_request_is_answered_304_without_rendering(ocata, client):
    # given: a client holding the current ETag
    url = "/api/v1/cycles/ocata/milestones/"
    etag = client.get(url)["ETag"]
    # when: it asks again with If-None-Match
    with (
        mock.patch("releases.api.MilestoneSerializer") as serializer,
        CaptureQueriesContext(connection) as ctx,
    ):
        response = client.get(url, HTTP_IF_NONE_MATCH=etag)
    # then: 304, nothing serialised, at most the version lookup
    assert response.status_code == 304
    assert not response.content
    serializer.assert_not_called()
    assert len(ctx.captured_queries) <= 1


def test_milestones_are_cached_until_the_series_changes(ocata, client):
    url = "/api/v1/cycles/ocata/milestones/"
    first = client.get(url)
    # a repeat is served from the cache: no query for the events
    with CaptureQueriesContext(connection) as ctx:
        again = client.get(url)
    assert again.json() == first.json()
    assert not any("releases_event" in q["sql"] for q in ctx.captured_queries)

    # when: a write adds an event and moves the series' version
    week = ocata.weeks.order_by("start").first()
    Event.objects.create(
        series=ocata,
        key="o-bench",
        kind="other",
        title="Benchmark day",
        date=week.start,
        rule="thursday",
        week=week,
    )
    series_touch(series_ids=[ocata.pk])
    # then: the next read is fresh and carries a new ETag
    after = client.get(url)
    assert "o-bench" in [row["key"] for row in after.json()]
    assert after["ETag"] != first["ETag"]


def test_a_failing_cache_is_a_miss_not_an_error(ocata, client):
    # given: the API cache backend raises on every call (e.g. a cache server that is down)
    broken = mock.Mock(side_effect=ConnectionError("cache down"))
    with mock.patch.object(conditional, "_cache", broken):
        response = client.get("/api/v1/cycles/ocata/milestones/")
    # then: the rows come from the database
    assert response.status_code == 200
    assert any(row["kind"] == "feature-freeze" for row in response.json())
