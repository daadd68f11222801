"""Risk forecast: pure rules, history replay, pages, API and the replay figure."""

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from bench.forecast_replay import replay, replay_generated, replay_table, simulate_cycle
from blueprints import forecast as fc
from blueprints.models import Blueprint

AS_OF = date(2016, 12, 29)
FREEZE = date(2017, 1, 26)


def _input(**kw):
    base = dict(
        name="bp",
        as_of=AS_OF,
        implementation_status="Started",
        target_date=FREEZE,
        target_label="Ocata-3",
        freeze=FREEZE,
    )
    return fc.ForecastInput(**{**base, **kw})


def test_reasons_name_done_rate_time_left_and_needed_rate():
    # given 3 of 9 done, 4.8 done over the last 4 weeks, 4 weeks to freeze
    result = fc.forecast(_input(planned=9, done=3, done_recent=5, window_weeks=4))
    assert result.reasons[0] == (
        "3 of 9 work items done, 1.2 per week over the last 4 weeks, 4 weeks left: "
        "needs 1.5 per week"
    )
    assert result.flagged and result.level == fc.AT_RISK  # 1.25 a week against 1.5 needed
    assert result.score == round(100 / (1 + (1.25 / 1.5) ** 2))


def test_on_pace_is_on_track_and_idle_is_likely_late():
    fast = fc.forecast(_input(planned=6, done=2, done_recent=8, window_weeks=4))
    idle = fc.forecast(_input(planned=6, done=2, done_recent=0, window_weeks=4))
    assert fast.level == fc.ON_TRACK and not fast.flagged
    assert idle.level == fc.LIKELY_LATE and "none over the last 4 weeks" in idle.summary


def test_unfinished_dependency_and_blocked_items_raise_the_score_and_say_why():
    plain = fc.forecast(_input(planned=4, done=2, done_recent=4, window_weeks=4))
    waiting = fc.forecast(
        _input(
            planned=4,
            done=2,
            done_recent=4,
            window_weeks=4,
            blocked=1,
            unfinished_dependencies=1,
            dependency_names=("composable-ha",),
        )
    )
    assert waiting.score == plain.score + 15 + 10
    assert "waits for 1 unfinished blueprint (composable-ha)" in waiting.reasons
    assert "1 work item blocked" in waiting.reasons


def test_passed_target_falls_back_to_feature_freeze():
    result = fc.forecast(
        _input(target_date=date(2016, 12, 15), target_label="Ocata-2", planned=2, done=1)
    )
    assert result.deadline == FREEZE and result.deadline_label == "feature freeze"
    assert result.reasons[0] == "missed its target Ocata-2; now racing feature freeze"


def test_complete_deferred_and_late():
    assert fc.forecast(_input(implementation_status="Implemented")).level == fc.DONE
    assert fc.forecast(_input(implementation_status="Deferred")).level == fc.DEFERRED
    late = fc.forecast(_input(as_of=FREEZE + timedelta(days=3), planned=3, done=1))
    assert late.level == fc.LATE and late.score == 100 and "passed 3 days ago" in late.summary


def test_without_work_items_the_status_decides():
    slow = fc.forecast(_input(implementation_status="Slow progress"))
    review = fc.forecast(_input(implementation_status="Needs Code Review"))
    assert slow.flagged and not review.flagged
    assert "no work items" in slow.summary


def test_without_dated_history_the_rate_is_since_work_started():
    result = fc.forecast(_input(planned=4, done=2, started_on=AS_OF - timedelta(weeks=4)))
    assert result.rate == 0.5 and "since work started" in result.summary


@given(
    planned=st.integers(1, 30),
    done=st.integers(0, 30),
    recent=st.integers(0, 30),
    days=st.integers(0, 120),
    deps=st.integers(0, 4),
)
def test_score_is_bounded_and_more_done_never_raises_it(planned, done, recent, days, deps):
    done = min(done, planned)
    kw = dict(planned=planned, window_weeks=4, unfinished_dependencies=deps)
    kw["as_of"] = FREEZE - timedelta(days=days)
    a = fc.forecast(_input(done=done, done_recent=recent, **kw))
    b = fc.forecast(_input(done=done, done_recent=recent + 1, **kw))
    assert 0 <= a.score <= 100 and b.score <= a.score


def test_history_counts_replay_the_audit_rows_up_to_the_day():
    changes = [
        fc.ItemChange(1, date(2016, 11, 1), None, "TODO"),
        fc.ItemChange(2, date(2016, 11, 1), None, "TODO"),
        fc.ItemChange(3, date(2016, 11, 1), None, "TODO"),
        fc.ItemChange(1, date(2016, 12, 20), "TODO", "DONE"),
        fc.ItemChange(3, date(2016, 12, 21), "TODO", "POSTPONED"),
        fc.ItemChange(2, date(2017, 1, 5), "TODO", "DONE"),  # after the day asked about
    ]
    counts = fc.history_counts(changes, AS_OF)
    assert counts == {
        "planned": 2,
        "done": 1,
        "blocked": 0,
        "done_recent": 1,
        "window_weeks": 4,
    }


def test_replay_scores_flags_against_what_happened():
    result = replay(simulate_cycle(seed=7, blueprints=30))
    assert result.evaluated > 0 and 0 <= result.flagged_missed <= result.missed


def test_replay_figure_two_weeks_before_freeze():
    # The figure reported in the README (20 generated Ocata-like cycles, seed 2017).
    result = replay_generated()
    print(result.summary())
    assert result.recall >= 80 and result.precision >= 80
    assert result.recall > result.baseline_recall


# --- database: selectors, pages, API ------------------------------------------------------------
def test_forecast_from_dated_audit_history(demo):
    from blueprints.forecast_selectors import risk_get
    from core.models import AuditEntry

    bp = Blueprint.objects.get(name="overcloud-upgrades-per-service")
    items = list(bp.work_items.order_by("order"))
    # given: the history re-dated into the cycle: created 1 Nov, the first item done 20 Dec
    AuditEntry.objects.filter(
        content_type__model="workitem", object_id__in=[i.pk for i in items]
    ).update(at="2016-11-01T12:00:00Z")
    AuditEntry.objects.filter(
        content_type__model="workitem", object_id=items[0].pk, field="status"
    ).update(at="2016-11-01T12:00:00Z", old="TODO")
    AuditEntry.objects.filter(
        content_type__model="workitem", object_id=items[0].pk, field="status"
    ).update(action="create", old=None, new="TODO")
    AuditEntry.objects.create(
        content_type=AuditEntry.objects.filter(content_type__model="workitem").first().content_type,
        object_id=items[0].pk,
        action="update",
        field="status",
        old="TODO",
        new="DONE",
        at="2016-12-20T12:00:00Z",
    )
    risk = risk_get(blueprint=bp, as_of=AS_OF)
    # then: 1 of 4 done as of 29 Dec (items 2 and 4 were INPROGRESS from the start)
    assert risk.forecast.reasons[0].startswith("1 of 4 work items done, 0.2 per week over the last")
    assert any("composable-ha" in r for r in risk.forecast.reasons) is False  # HA is implemented


def test_dashboard_and_blueprint_page_show_the_forecast(demo, client):
    html = client.get("/cycles/ocata/?as_of=2017-01-10").content.decode()
    assert 'data-testid="forecast"' in html and "needs" in html
    bp = Blueprint.objects.get(name="overcloud-upgrades-per-service")
    page = client.get(f"/blueprints/{bp.pk}/?as_of=2017-01-10").content.decode()
    assert "Forecast" in page and "work items done" in page


def test_api_forecast_of_a_blueprint_and_of_a_cycle(demo, client):
    bp = Blueprint.objects.get(name="overcloud-upgrades-per-service")
    one = client.get(f"/api/v1/blueprints/{bp.pk}/forecast/?as_of=2017-01-10").json()
    assert one["name"] == bp.name and one["forecast"]["reasons"]
    assert one["forecast"]["deadline"] == "2017-01-26"
    page = client.get("/api/v1/cycles/ocata/forecast/?as_of=2017-01-10&flagged=true").json()
    rows = page["results"]
    assert rows and page["count"] == len(rows) and all(r["forecast"]["flagged"] for r in rows)
    scores = [r["forecast"]["score"] for r in rows]
    assert scores == sorted(scores, reverse=True)


def test_cycle_forecast_api_query_count_is_constant(demo, client, django_assert_num_queries):
    from planner.loaddata import generate_load_data

    generate_load_data(series=demo, squads=5, blueprints=200)
    with django_assert_num_queries(2):  # the series, then one query for every blueprint
        assert client.get("/api/v1/cycles/ocata/forecast/").status_code == 200


# --- reviews ----------------------------------------------------------------------------------
def test_reasons_say_how_many_reviews_merged_and_how_long_one_is_open():
    result = fc.forecast(
        _input(
            planned=6,
            done=3,
            done_recent=3,
            window_weeks=4,
            reviews_merged=3,
            reviews_open=1,
            reviews_merged_recent=2,
            oldest_open_days=12,
        )
    )
    assert "3 reviews merged, 1 open for 12 days" in result.reasons
    several = fc.review_words(_input(reviews_merged=1, reviews_open=2, oldest_open_days=30))
    assert several == "1 review merged, 2 open (the oldest for 30 days)"
    assert fc.review_words(_input(reviews_merged=2)) == "2 reviews merged, none open"


def test_merged_reviews_mean_work_goes_on_when_no_work_item_was_marked_done():
    idle = fc.forecast(_input(planned=6, done=2, done_recent=0, window_weeks=4))
    merging = fc.forecast(
        _input(
            planned=6,
            done=2,
            done_recent=0,
            window_weeks=4,
            reviews_merged=6,
            reviews_merged_recent=4,
        )
    )
    assert idle.level == fc.LIKELY_LATE and merging.score < idle.score
    assert merging.rate == 1.0  # 4 reviews over 4 weeks, one review for one item at most
    assert "in reviews merged over the last 4 weeks (no work item marked done)" in merging.summary


def test_a_review_open_for_weeks_raises_the_score():
    fresh = fc.forecast(
        _input(planned=4, done=2, done_recent=4, window_weeks=4, reviews_open=1, oldest_open_days=5)
    )
    stuck = fc.forecast(
        _input(
            planned=4, done=2, done_recent=4, window_weeks=4, reviews_open=1, oldest_open_days=30
        )
    )
    assert stuck.score == fresh.score + fc.STALE_REVIEW_PENALTY
    assert "0 reviews merged, 1 open for 30 days" in stuck.reasons


def test_without_work_items_merged_reviews_lower_the_status_score():
    plain = fc.forecast(_input(implementation_status="Started"))
    merging = fc.forecast(
        _input(implementation_status="Started", reviews_merged=3, reviews_merged_recent=2)
    )
    assert merging.score == plain.score - fc.MERGING_BONUS
    assert "no work items: judged on its status and reviews" in merging.summary


def test_reviews_as_of_a_day():
    reviews = [
        fc.ReviewDates(date(2016, 11, 20), merged=date(2016, 12, 2)),
        fc.ReviewDates(date(2016, 12, 1), merged=date(2017, 1, 20)),  # open on the day
        fc.ReviewDates(date(2016, 12, 5), abandoned=date(2016, 12, 20)),
        fc.ReviewDates(date(2017, 1, 2)),  # uploaded after the day
    ]
    assert fc.reviews_as_of(reviews, AS_OF) == {
        "reviews_merged": 1,
        "reviews_open": 1,
        "reviews_merged_recent": 1,
        "oldest_open_days": 28,
    }


def test_replay_with_and_without_reviews():
    # docs/forecast.md's table: the same generated cycles, work items up to date or lagging
    table = replay_table()
    for (histories, inputs), result in table.items():
        print(f"{histories} | {inputs} | {result.summary()}")
        assert result.recall >= 80 and result.precision >= 80
    up_to_date = table["work items up to date", "work items only"]
    assert up_to_date.summary() == replay_generated(with_reviews=False).summary()
    lagging = table["lagging", "with reviews"]
    assert lagging.evaluated == up_to_date.evaluated and lagging.missed == up_to_date.missed
    # lagging work items hide progress: more flags than when they are up to date
    assert lagging.flagged > up_to_date.flagged


def test_forecast_of_a_demo_blueprint_mentions_its_reviews(demo, client):
    from blueprints.forecast_selectors import risk_get

    bp = Blueprint.objects.get(name="overcloud-upgrades-per-service")  # load_demo's reviews
    # 10 Jan 2017: two changes merged (2 and 13 Dec), the playbook one (uploaded 9 Jan) open;
    # the stable/ocata backport is not uploaded yet
    risk = risk_get(blueprint=bp, as_of=date(2017, 1, 10))
    assert "2 reviews merged, 1 open for 1 day" in risk.forecast.reasons
    one = client.get(f"/api/v1/blueprints/{bp.pk}/forecast/?as_of=2017-01-10").json()
    assert "2 reviews merged, 1 open for 1 day" in one["forecast"]["reasons"]
    page = client.get(f"/blueprints/{bp.pk}/?as_of=2017-01-10").content.decode()
    assert "2 reviews merged, 1 open for 1 day" in page
    # before anything was uploaded, nothing is said of reviews
    early = risk_get(blueprint=bp, as_of=date(2016, 11, 15))
    assert not any("review" in r for r in early.forecast.reasons)
