"""Reading all of a project's blueprints from a local Launchpad devel API, then mapping them."""

import functools

import pytest

from blueprints import launchpad
from blueprints.http_json import FetchError, JsonClient, JsonResponse
from blueprints.launchpad_client import fetch_all_specifications, specifications_url
from tests.support.fake_launchpad import FakeLaunchpad

TRIPLEO_BLUEPRINTS = 16


@pytest.fixture
def launchpad_api():
    with FakeLaunchpad(page_size=5) as server:
        yield server


@pytest.fixture
def sleeps():
    return []


@pytest.fixture
def http(sleeps):
    return JsonClient(timeout=2.0, retries=2, backoff=0.25, sleep=sleeps.append, proxies={})


def test_every_page_is_read_to_the_end(launchpad_api, http):
    seen = []
    fetched = fetch_all_specifications(
        launchpad_api.root, "tripleo", client=http, progress=lambda *p: seen.append(p)
    )
    assert fetched.url == f"{launchpad_api.root}tripleo/all_specifications"
    assert len(fetched.pages) == 4 and len(fetched.entries) == TRIPLEO_BLUEPRINTS
    assert fetched.total_size == TRIPLEO_BLUEPRINTS and fetched.warnings == []
    starts = [r.query.get("ws.start", ["0"])[0] for r in launchpad_api.requests_to("all_spec")]
    assert starts == ["0", "5", "10", "15"]
    # progress: known total from the first page, one step per blueprint, ending at the total
    assert seen[0] == (0, TRIPLEO_BLUEPRINTS) and seen[-1] == (16, 16)
    assert [done for done, _ in seen] == list(range(17))


def test_the_page_size_is_asked_for(launchpad_api, http):
    fetched = fetch_all_specifications(launchpad_api.root, "tripleo", client=http, page_size=8)
    assert len(fetched.pages) == 2
    assert launchpad_api.requests_to("all_spec")[0].query["ws.size"] == ["8"]
    with pytest.raises(ValueError, match="between 1 and 300"):
        fetch_all_specifications(launchpad_api.root, "tripleo", client=http, page_size=500)


def test_the_total_may_come_as_a_total_size_link(http):
    with FakeLaunchpad(page_size=5, total_size_as_link=True) as server:
        fetched = fetch_all_specifications(server.root, "tripleo", client=http)
        sizes = [r for r in server.requests if r.query.get("ws.show") == ["total_size"]]
    assert fetched.total_size == TRIPLEO_BLUEPRINTS and len(sizes) == 1
    assert "total_size_link" in fetched.pages[0] and "total_size" in fetched.pages[-1]


def test_dependencies_and_milestones_are_fetched(launchpad_api, http):
    fetched = fetch_all_specifications(launchpad_api.root, "tripleo", client=http)
    upgrades = f"{launchpad_api.root}tripleo/+spec/overcloud-upgrades-per-service/dependencies"
    assert [d["name"] for d in fetched.dependencies[upgrades]] == ["composable-ha"]
    assert len(fetched.dependencies) == TRIPLEO_BLUEPRINTS
    assert len(launchpad_api.requests_to("/dependencies")) == TRIPLEO_BLUEPRINTS
    assert sorted(m["name"] for m in fetched.milestones.values()) == [
        "ocata-1",
        "ocata-2",
        "ocata-3",
    ]
    assert len(launchpad_api.requests_to("+milestone")) == 3  # each milestone once
    # pages + dependency collections + milestones
    assert fetched.requests == 4 + TRIPLEO_BLUEPRINTS + 3


def test_only_wanted_entries_have_their_dependencies_fetched(launchpad_api, http):
    wanted = functools.partial(launchpad.in_scope, project="tripleo", series="ocata")
    fetched = fetch_all_specifications(launchpad_api.root, "openstack", client=http, wanted=wanted)
    assert len(fetched.entries) == TRIPLEO_BLUEPRINTS + 1  # a project group lists nova's too
    assert not launchpad_api.requests_to("/nova/")
    assert len(fetched.dependencies) == TRIPLEO_BLUEPRINTS


def test_fetched_blueprints_map_with_dependencies_series_and_warnings(launchpad_api, http):
    launchpad_api.retarget("tripleo-realtime", "pike-1")  # moved to Pike in March 2017
    launchpad_api.retarget("undercloud-ntp-server", "ocata-rc2")  # a milestone past RC1
    wanted = functools.partial(launchpad.in_scope, project="tripleo", series="ocata")
    fetched = fetch_all_specifications(launchpad_api.root, "openstack", client=http, wanted=wanted)
    parsed = launchpad.parse_specifications(
        fetched.pages,
        project="tripleo",
        series="ocata",
        milestones=fetched.milestones,
        dependencies=fetched.dependencies,
    )
    by_name = {b.name: b for b in parsed.blueprints}
    assert len(by_name) == TRIPLEO_BLUEPRINTS - 1 and parsed.complete
    assert parsed.other_target == ["nova/resource-providers-scheduler-db-filters"]
    assert parsed.other_series == ["tripleo-realtime (pike-1)"]
    assert by_name["overcloud-upgrades-per-service"].depends_on == ("composable-ha",)
    assert by_name["composable-ha"].depends_on == ()
    assert by_name["composable-ha"].spec_url.endswith("/ocata/composable-ha-architecture.html")
    assert by_name["undercloud-ntp-server"].milestone_kind is None
    assert [(w.name, w.field) for w in parsed.warnings] == [
        ("undercloud-ntp-server", "milestone_link")
    ]
    assert parsed.errors == []


def test_a_503_then_success_is_retried_and_complete(launchpad_api, http, sleeps):
    launchpad_api.fail_next(2, path="ws.start=10")
    fetched = fetch_all_specifications(launchpad_api.root, "tripleo", client=http)
    assert len(fetched.entries) == TRIPLEO_BLUEPRINTS
    assert sleeps == [0.25, 0.5]
    assert len(launchpad_api.requests_to("all_spec")) == 4 + 2


def test_a_page_that_times_out_fails_the_fetch_naming_the_url(launchpad_api, sleeps):
    http = JsonClient(timeout=0.2, retries=1, backoff=0.25, sleep=sleeps.append, proxies={})
    launchpad_api.hang_next(2, path="ws.start=5")
    seen = []
    with pytest.raises(FetchError) as raised:
        fetch_all_specifications(
            launchpad_api.root, "tripleo", client=http, progress=lambda *p: seen.append(p)
        )
    assert raised.value.url.endswith("all_specifications?ws.size=5&memo=5&ws.start=5")
    assert "timed out after 0.2 s (after 2 attempts)" in str(raised.value)
    assert seen[-1] == (5, 16)  # it got as far as the first page, and returned nothing


def test_a_malformed_page_fails_the_fetch(launchpad_api, http):
    launchpad_api.malform_next(1, path="ws.start=15")
    with pytest.raises(FetchError, match="ws.start=15: not JSON"):
        fetch_all_specifications(launchpad_api.root, "tripleo", client=http)


def test_a_failing_dependency_collection_fails_the_fetch(launchpad_api, http):
    launchpad_api.fail_next(5, status=500, path="composable-ha/dependencies")
    with pytest.raises(FetchError, match="composable-ha/dependencies: HTTP 500"):
        fetch_all_specifications(launchpad_api.root, "tripleo", client=http)


def test_an_unknown_project_is_launchpads_404(launchpad_api, http):
    with pytest.raises(FetchError, match="HTTP 404 Not Found: Object: <the service root>"):
        fetch_all_specifications(launchpad_api.root, "no-such-project", client=http)


def test_a_second_read_gets_304s_for_the_milestones(launchpad_api, http):
    first = fetch_all_specifications(launchpad_api.root, "tripleo", client=http)
    second = fetch_all_specifications(launchpad_api.root, "tripleo", client=http)
    assert (first.not_modified, second.not_modified) == (0, 3)  # collection pages have no ETag
    assert second.milestones == first.milestones and second.pages == first.pages


def test_the_1_0_api_is_refused_before_anything_is_read():
    with pytest.raises(ValueError, match="1.0 API, which serves no blueprint fields"):
        specifications_url("https://api.launchpad.net/1.0/", "tripleo")
    with pytest.raises(ValueError, match="not a Launchpad project name"):
        specifications_url(launchpad.API_ROOT, "../etc")
    assert specifications_url("http://127.0.0.1:1/devel", "tripleo") == (
        "http://127.0.0.1:1/devel/tripleo/all_specifications"
    )


class CannedLaunchpad:
    """Answers from a dict, for shapes a well-behaved server never sends."""

    def __init__(self, answers):
        self.answers = answers

    def get(self, url, *, params=None, xssi=False):
        return JsonResponse(url, 200, self.answers[url], None, 1)


ROOT = "http://127.0.0.1:9/devel/"
FIRST = f"{ROOT}tripleo/all_specifications"


def test_a_link_away_from_the_api_root_is_not_followed():
    page = {"start": 0, "total_size": 2, "entries": [], "next_collection_link": "http://evil/x"}
    with pytest.raises(FetchError, match="leads away from the Launchpad API root"):
        fetch_all_specifications(ROOT, "tripleo", client=CannedLaunchpad({FIRST: page}))


def test_a_next_link_that_loops_is_stopped():
    page = {"start": 0, "total_size": 2, "entries": [], "next_collection_link": FIRST}
    with pytest.raises(FetchError, match="comes back to a page already read"):
        fetch_all_specifications(ROOT, "tripleo", client=CannedLaunchpad({FIRST: page}))


def test_an_answer_that_is_no_collection_page_fails_the_fetch():
    with pytest.raises(FetchError, match="not a Launchpad collection page"):
        fetch_all_specifications(ROOT, "tripleo", client=CannedLaunchpad({FIRST: {"x": 1}}))


def test_a_page_without_a_total_fails_the_fetch():
    with pytest.raises(FetchError, match="neither total_size nor total_size_link"):
        fetch_all_specifications(ROOT, "tripleo", client=CannedLaunchpad({FIRST: {"entries": []}}))


def test_a_total_that_does_not_match_is_a_warning():
    page = {"start": 0, "total_size": 3, "entries": [{"name": "a"}]}
    fetched = fetch_all_specifications(ROOT, "tripleo", client=CannedLaunchpad({FIRST: page}))
    assert "total_size said 3 blueprints but the pages held 1" in fetched.warnings[0]
