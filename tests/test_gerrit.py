"""Gerrit reviews behind blueprints: footers and topics, parsing, paging, against a local Gerrit."""

import datetime as dt
import urllib.request

import pytest

from blueprints import gerrit
from blueprints.gerrit import BlueprintLink, ReviewStatus
from blueprints.http_json import FetchError, JsonClient, JsonResponse
from tests.support.fake_gerrit import FakeGerrit, compile_query, load_changes

TRIPLEO_REPOSITORIES = [
    "openstack/tripleo-heat-templates",
    "openstack/puppet-tripleo",
    "openstack/python-tripleoclient",
    "openstack/tripleo-common",
    "openstack/tripleo-quickstart",
]
QUICKSTART = "use-tripleo-quickstart-and-tripleo-quickstart-extras-for-the-tripleo-ci-toolset"


@pytest.fixture
def review_server():
    with FakeGerrit() as server:
        yield server


@pytest.fixture
def sleeps():
    return []


@pytest.fixture
def http(sleeps):
    return JsonClient(timeout=2.0, retries=2, backoff=0.25, sleep=sleeps.append, proxies={})


def links(message, topic=None):
    return [(b.name, b.partial, b.source) for b in gerrit.blueprint_links(message, topic)]


# --- footers and topics ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("footer", "partial"),
    [
        ("Implements: blueprint composable-ha", False),
        ("implements: bp composable-ha", False),
        ("IMPLEMENTS: BLUEPRINT Composable-HA", False),
        ("Implements blueprint composable-ha", False),
        ("Implements: bp:composable-ha", False),
        ("Implements: bp/composable-ha", False),
        ("Partial-Implements: blueprint composable-ha", True),
        ("Partially-Implements: blueprint composable-ha", True),
        ("Partially Implements: blueprint composable-ha", True),
        ("partially-implements: bp composable-ha.", True),
        ("  Partial-implements: blueprint composable-ha", True),
    ],
)
def test_every_footer_spelling_links_the_blueprint(footer, partial):
    message = f"Make HA composable\n\nSome text.\n\n{footer}\nChange-Id: I0123\n"
    assert links(message) == [("composable-ha", partial, "footer")]


def test_a_change_naming_two_blueprints():
    message = (
        "Upgrade path\n\nimplements: bp composable-ha\n"
        "Partial-Implements: blueprint overcloud-upgrades-per-service\n"
    )
    assert links(message) == [
        ("composable-ha", False, "footer"),
        ("overcloud-upgrades-per-service", True, "footer"),
    ]


def test_several_names_after_one_footer_key():
    assert [n for n, *_ in links("Implements: blueprint a-one, b-two and bp c-three")] == [
        "a-one",
        "b-two",
        "c-three",
    ]
    # "-and-" inside a name is part of it
    assert links(f"Implements: blueprint {QUICKSTART}") == [(QUICKSTART, False, "footer")]


def test_a_change_naming_no_blueprint():
    prose = "Fix the default\n\nUnlike the blueprint heat-undercloud, no new service.\n"
    assert links(prose) == []
    assert links("Implements: the new parameter default\nCloses-Bug: #1\n") == []
    assert links("") == [] and links(None) == []


def test_a_bp_topic_links_the_blueprint_and_other_topics_do_not():
    assert links("No footer", "bp/heat-undercloud") == [("heat-undercloud", False, "topic")]
    assert links("No footer", "blueprint/heat-undercloud") == [("heat-undercloud", False, "topic")]
    assert links("No footer", "BP/Heat-Undercloud") == [("heat-undercloud", False, "topic")]
    assert links("No footer", "bug/1650000") == []
    assert links("No footer", "heat-undercloud") == []


def test_a_footer_and_a_topic_naming_the_same_blueprint_count_once():
    message = "Upgrade\n\nPartial-Implements: blueprint overcloud-upgrades-per-service\n"
    assert links(message, "bp/overcloud-upgrades-per-service") == [
        ("overcloud-upgrades-per-service", True, "footer")
    ]
    both = "Implements: blueprint x-y\nPartial-Implements: blueprint x-y\n"
    assert links(both) == [("x-y", False, "footer")]  # whole once, whole


# --- timestamps, URLs, queries --------------------------------------------------------------
def test_gerrit_timestamps_are_utc_with_nanoseconds():
    assert gerrit.parse_timestamp("2017-01-10 12:34:56.123456789") == dt.datetime(
        2017, 1, 10, 12, 34, 56, 123456, tzinfo=dt.UTC
    )
    assert gerrit.parse_timestamp("2017-01-10 12:34:56").tzinfo == dt.UTC
    for bad in ("2017-01-10T12:34:56Z", "yesterday", None, 17):
        with pytest.raises(ValueError, match="not a Gerrit timestamp"):
            gerrit.parse_timestamp(bad)


def test_review_url():
    assert gerrit.review_url("https://review.opendev.org/", "openstack/nova", 412345) == (
        "https://review.opendev.org/c/openstack/nova/+/412345"
    )


def test_the_query_for_a_project_and_series_branch():
    query = gerrit.build_query(
        ["openstack/tripleo-heat-templates", "openstack/puppet-tripleo"],
        branches=["master", "stable/ocata"],
        after=dt.date(2016, 10, 31),
        before=dt.date(2017, 3, 9),
    )
    assert query == (
        '(project:"openstack/tripleo-heat-templates" OR project:"openstack/puppet-tripleo") '
        '(branch:master OR branch:"stable/ocata") after:2016-10-31 before:2017-03-09 '
        '(message:blueprint OR message:bp OR topic:"^(bp|blueprint)/.*")'
    )
    assert gerrit.build_query(["openstack/nova"], linked_only=False) == 'project:"openstack/nova"'
    with pytest.raises(ValueError, match="at least one repository"):
        gerrit.build_query([])
    with pytest.raises(ValueError, match="not a Gerrit repository name"):
        gerrit.build_query(['nova" OR owner:"x'])


def test_the_changes_url_asks_for_the_commit_message_and_pages():
    url = gerrit.changes_url("https://review.opendev.org", "project:x", start=200, limit=100)
    assert url == (
        "https://review.opendev.org/changes/?q=project%3Ax&o=CURRENT_REVISION"
        "&o=CURRENT_COMMIT&o=DETAILED_ACCOUNTS&n=100&S=200"
    )


def test_the_fake_evaluates_the_query_the_sync_sends():
    changes = load_changes()
    query = gerrit.build_query(TRIPLEO_REPOSITORIES, branches=["stable/ocata"])
    assert [c["_number"] for c in changes if compile_query(query)(c)] == [433870]
    merged = compile_query('project:"openstack/nova" OR -status:merged')
    assert {c["status"] for c in changes if merged(c)} == {"NEW", "ABANDONED", "MERGED"}
    assert not [c for c in changes if compile_query("is:open after:2017-02-01")(c)]


# --- parsing one answer ---------------------------------------------------------------------
def test_a_change_becomes_a_review():
    (change,) = [c for c in load_changes() if c["_number"] == 410573]
    review, problems = gerrit.parse_change(change, gerrit_url="https://review.opendev.org")
    assert problems == []
    assert (review.number, review.project, review.branch, review.status) == (
        410573,
        "openstack/tripleo-heat-templates",
        "master",
        ReviewStatus.MERGED,
    )
    assert review.subject == "Upgrade path from the Newton HA architecture"
    assert review.updated == dt.datetime(2016, 12, 13, 21, 47, 12, tzinfo=dt.UTC)
    assert review.url == "https://review.opendev.org/c/openstack/tripleo-heat-templates/+/410573"
    assert review.change_id.startswith("I") and len(review.change_id) == 41
    assert (str(review.owner), review.owner.username, review.owner.account_id) == (
        "Integration Lead",
        "integration-lead",
        1000103,
    )
    assert review.blueprint_names == ("composable-ha", "overcloud-upgrades-per-service")
    assert not review.is_open


def test_problems_are_per_change():
    changes = load_changes()[:3]
    changes[0]["status"] = "DRAFT"
    changes[1]["updated"] = "2017-01-20T11:05:38Z"
    del changes[2]["owner"]
    page = gerrit.parse_changes(changes + ["junk"], gerrit_url="http://g")
    assert page.reviews == [] and page.count == 4
    assert [(p.number, p.field) for p in page.problems] == [
        (407861, "status"),
        (419442, "updated"),
        (400112, "owner"),
        (None, "change"),
    ]
    assert "unknown status 'DRAFT' (Gerrit's are NEW, MERGED, ABANDONED)" in str(page.problems[0])


def test_a_change_without_its_commit_is_linked_by_topic_with_a_warning():
    (change,) = [c for c in load_changes() if c["_number"] == 421038]
    del change["revisions"]
    review, (warning,) = gerrit.parse_change(change, gerrit_url="http://g")
    assert review.blueprints == (BlueprintLink("heat-undercloud", False, "topic"),)
    assert (warning.field, warning.severity) == ("revisions", "warning")


def test_more_changes_is_read_from_the_last_change():
    changes = load_changes()[:2]
    assert not gerrit.parse_changes(changes, gerrit_url="http://g").more
    changes[-1]["_more_changes"] = True
    assert gerrit.parse_changes(changes, gerrit_url="http://g").more
    assert gerrit.parse_changes("nope", gerrit_url="http://g").problems[0].field == "changes"


def test_the_xssi_prefix_is_stripped_from_a_body():
    assert gerrit.parse_body(')]}\'\n[{"_number": 1}]') == [{"_number": 1}]


# --- against the local Gerrit ---------------------------------------------------------------
def test_the_fake_answers_with_gerrits_prefix_and_headers(review_server, http):
    with urllib.request.urlopen(f"{review_server.url}/changes/?q=status:merged&n=1") as answer:
        body = answer.read().decode()
        assert answer.headers["Content-Type"] == "application/json; charset=utf-8"
    assert body.startswith(")]}'\n[")
    (change,) = gerrit.parse_body(body)
    assert change["_more_changes"] is True
    assert change["owner"] == {"_account_id": change["owner"]["_account_id"]}  # not detailed
    assert "revisions" not in change  # no CURRENT_REVISION asked
    # the client strips the prefix when asked
    assert http.get_json(f"{review_server.url}/changes/?q=is:open", xssi=True)


def test_all_reviews_of_a_project_are_read_page_by_page(review_server, http):
    query = gerrit.build_query(TRIPLEO_REPOSITORIES)
    seen = []
    fetched = gerrit.fetch_reviews(
        review_server.url, query, client=http, page_size=3, progress=lambda *p: seen.append(p)
    )
    numbers = [r.number for r in fetched.reviews]
    assert len(numbers) == 10 and 399877 not in numbers  # nova's is another project
    assert fetched.pages == 4 and fetched.problems == []
    skips = [r.query["S"] for r in review_server.requests]
    assert skips == [["0"], ["3"], ["6"], ["9"]]
    assert all(r.query["o"] == list(gerrit.QUERY_OPTIONS) for r in review_server.requests)
    assert seen == [(3, None), (6, None), (9, None), (10, None)]
    updated = [r.updated for r in fetched.reviews]
    assert updated == sorted(updated, reverse=True)  # most recently updated first
    by_number = {r.number: r for r in fetched.reviews}
    assert by_number[421038].blueprints == (BlueprintLink("heat-undercloud", False, "topic"),)
    assert by_number[416227].blueprints == ()  # names none
    assert by_number[411206].blueprint_names == (QUICKSTART,)
    assert by_number[423355].status == "ABANDONED"
    assert by_number[419442].is_open


def test_the_server_query_limit_is_paged_through(http):
    with FakeGerrit(query_limit=4) as server:
        fetched = gerrit.fetch_reviews(
            server.url, gerrit.build_query(TRIPLEO_REPOSITORIES), client=http, page_size=100
        )
    assert len(fetched.reviews) == 10 and fetched.pages == 3


def test_a_series_branch_narrows_the_reviews(review_server, http):
    query = gerrit.build_query(TRIPLEO_REPOSITORIES, branches=["stable/ocata"])
    fetched = gerrit.fetch_reviews(review_server.url, query, client=http)
    assert [(r.number, r.branch) for r in fetched.reviews] == [(433870, "stable/ocata")]


def test_a_503_then_success_is_retried(review_server, http, sleeps):
    review_server.fail_next(1, path="S=3")
    fetched = gerrit.fetch_reviews(
        review_server.url, gerrit.build_query(TRIPLEO_REPOSITORIES), client=http, page_size=3
    )
    assert len(fetched.reviews) == 10 and sleeps == [0.25]


def test_a_timeout_fails_the_fetch_naming_the_url(review_server, sleeps):
    http = JsonClient(timeout=0.2, retries=0, sleep=sleeps.append, proxies={})
    review_server.hang_next(1, path="S=3")
    with pytest.raises(FetchError) as raised:
        gerrit.fetch_reviews(
            review_server.url, gerrit.build_query(TRIPLEO_REPOSITORIES), client=http, page_size=3
        )
    assert raised.value.url.startswith(f"{review_server.url}/changes/?q=")
    assert raised.value.url.endswith("&n=3&S=3")
    assert "timed out after 0.2 s" in str(raised.value)


def test_a_malformed_page_fails_the_fetch(review_server, http):
    review_server.malform_next(1, path="S=6")
    with pytest.raises(FetchError, match="S=6: not JSON"):
        gerrit.fetch_reviews(
            review_server.url, gerrit.build_query(TRIPLEO_REPOSITORIES), client=http, page_size=3
        )


def test_a_query_gerrit_cannot_parse_is_its_400(review_server, http):
    with pytest.raises(FetchError, match="HTTP 400 Bad Request: Unsupported operator"):
        gerrit.fetch_reviews(review_server.url, "reviewedby:nobody", client=http)


class CannedGerrit:
    def __init__(self, pages):
        self.pages = pages

    def get(self, url, *, params=None, xssi=False):
        assert xssi, "Gerrit answers are always read without their )]}' line"
        return JsonResponse(url, 200, self.pages.pop(0), None, 1)


def test_a_change_seen_twice_across_pages_is_kept_once():
    first, second = load_changes()[:2], load_changes()[1:3]
    first[-1]["_more_changes"] = True
    fetched = gerrit.fetch_reviews("http://g", "q", client=CannedGerrit([first, second]))
    assert [r.number for r in fetched.reviews] == [407861, 419442, 400112]


def test_an_empty_page_after_a_promise_ends_the_read():
    changes = load_changes()[:1]
    changes[-1]["_more_changes"] = True  # then the matching changes shrank
    fetched = gerrit.fetch_reviews("http://g", "q", client=CannedGerrit([changes, []]))
    assert [r.number for r in fetched.reviews] == [407861] and fetched.pages == 2


def test_an_answer_that_is_not_a_list_is_an_error():
    with pytest.raises(FetchError, match="not a list of changes"):
        gerrit.fetch_reviews("http://g", "q", client=CannedGerrit([{"message": "hi"}]))
