"""The JSON-over-HTTP client of the syncs, against real servers on 127.0.0.1."""

import pytest

from blueprints.http_json import FetchError, JsonClient, strip_xssi_prefix, with_params
from tests.support.fake_launchpad import FakeLaunchpad


@pytest.fixture
def launchpad():
    with FakeLaunchpad(page_size=5) as server:
        yield server


@pytest.fixture
def sleeps():
    return []


def client(sleeps, **options):
    options = {"timeout": 2.0, "retries": 3, "backoff": 0.5, **options}
    return JsonClient(sleep=sleeps.append, proxies={}, **options)


def spec_url(launchpad, name="composable-ha"):
    return f"{launchpad.root}tripleo/+spec/{name}"


def test_a_page_is_fetched_and_parsed_with_json_accepted(launchpad, sleeps):
    http = client(sleeps)
    response = http.get(f"{launchpad.root}tripleo/all_specifications")
    assert response.status == 200 and not response.not_modified
    assert len(response.data["entries"]) == 5
    assert response.data["next_collection_link"].endswith("ws.start=5")
    (request,) = launchpad.requests
    assert request.headers["Accept"] == "application/json"
    assert "cycle-planner" in request.headers["User-Agent"]
    assert (http.requests, sleeps) == (1, [])


def test_params_are_appended_and_repeated_keys_kept():
    assert with_params("http://h/changes/", {"q": "a b", "o": ["X", "Y"]}) == (
        "http://h/changes/?q=a+b&o=X&o=Y"
    )
    assert with_params("http://h/x?ws.size=5", {"ws.start": 5}) == "http://h/x?ws.size=5&ws.start=5"


@pytest.mark.parametrize("status", [500, 502, 503, 504, 429])
def test_transient_failures_are_retried_with_exponential_backoff(launchpad, sleeps, status):
    launchpad.fail_next(2, status=status)
    data = client(sleeps).get_json(spec_url(launchpad))
    assert data["name"] == "composable-ha"
    assert sleeps == [0.5, 1.0]
    assert len(launchpad.requests) == 3


def test_backoff_is_capped_and_retry_after_honoured(launchpad, sleeps):
    launchpad.fail_next(3, retry_after="7")
    client(sleeps, backoff=4.0, max_backoff=10.0).get_json(spec_url(launchpad))
    # 4 vs Retry-After 7 → 7; 8 vs 7 → 8; 16 capped at 10
    assert sleeps == [7.0, 8.0, 10.0]


def test_retries_are_bounded_and_the_error_names_the_url(launchpad, sleeps):
    launchpad.fail_next(10)
    url = spec_url(launchpad)
    with pytest.raises(FetchError) as raised:
        client(sleeps, retries=2).get(url)
    assert str(raised.value).startswith(f"GET {url}: HTTP 503")
    assert "(after 3 attempts)" in str(raised.value)
    assert (raised.value.status, raised.value.attempts) == (503, 3)
    assert len(launchpad.requests) == 3 and len(sleeps) == 2


@pytest.mark.parametrize("status", [400, 403, 501])
def test_permanent_failures_are_not_retried(launchpad, sleeps, status):
    launchpad.fail_next(1, status=status)
    with pytest.raises(FetchError, match=f"HTTP {status}"):
        client(sleeps).get(spec_url(launchpad))
    assert len(launchpad.requests) == 1 and sleeps == []


def test_a_404_quotes_launchpads_explanation(launchpad, sleeps):
    with pytest.raises(FetchError) as raised:
        client(sleeps).get(spec_url(launchpad, "no-such-blueprint"))
    assert "HTTP 404 Not Found: Object: <tripleo>, name: 'no-such-blueprint'" in str(raised.value)
    assert sleeps == []


def test_a_hanging_server_times_out_with_the_url_in_the_error(launchpad, sleeps):
    launchpad.hang_next(5)
    url = spec_url(launchpad)
    with pytest.raises(FetchError) as raised:
        client(sleeps, timeout=0.2, retries=1).get(url)
    assert str(raised.value) == f"GET {url}: timed out after 0.2 s (after 2 attempts)"
    assert sleeps == [0.5]


def test_a_timeout_then_an_answer_succeeds(launchpad, sleeps):
    launchpad.hang_next(1)
    assert client(sleeps, timeout=0.2).get_json(spec_url(launchpad))["name"] == "composable-ha"
    assert sleeps == [0.5]


def test_a_refused_connection_is_retried_then_reported(sleeps):
    server = FakeLaunchpad()
    url = f"{server.root}tripleo/all_specifications"
    server.close()  # nothing listens on that port any more
    with pytest.raises(FetchError, match="connection failed") as raised:
        client(sleeps, retries=2).get(url)
    assert raised.value.url == url and len(sleeps) == 2


def test_a_truncated_body_is_an_error_and_not_retried(launchpad, sleeps):
    launchpad.malform_next(1)
    with pytest.raises(FetchError, match=r"not JSON \(application/json\)"):
        client(sleeps).get(f"{launchpad.root}tripleo/all_specifications")
    assert len(launchpad.requests) == 1


def test_an_html_answer_says_what_it_was(launchpad, sleeps):
    launchpad.fail_next(1, status=503)
    launchpad.fail_next(1, status=503)
    with pytest.raises(FetchError, match="Service Unavailable"):
        client(sleeps, retries=1).get(spec_url(launchpad))


def test_the_second_fetch_of_an_entry_is_a_304_with_the_remembered_body(launchpad, sleeps):
    http = client(sleeps)
    first = http.get(spec_url(launchpad))
    assert first.etag and first.etag == first.data["http_etag"]
    second = http.get(spec_url(launchpad))
    assert second.not_modified and second.status == 304
    assert second.data == first.data
    assert launchpad.requests[1].headers["If-None-Match"] == first.etag
    assert (http.requests, http.not_modified) == (2, 1)
    # a change on Launchpad gives a new ETag and the new body
    launchpad.spec("composable-ha")["whiteboard"] = "Merged before Ocata-2."
    third = http.get(spec_url(launchpad))
    assert third.status == 200 and third.data["whiteboard"] == "Merged before Ocata-2."
    assert third.etag != first.etag


def test_collection_pages_carry_no_etag_so_no_conditional_request(launchpad, sleeps):
    http = client(sleeps)
    url = f"{launchpad.root}tripleo/all_specifications"
    assert http.get(url).etag is None
    http.get(url)
    assert "If-None-Match" not in launchpad.requests[1].headers
    assert url not in http.etags


def test_remembered_etags_can_live_outside_the_client(launchpad, sleeps):
    remembered = {}
    client(sleeps, etags=remembered).get(spec_url(launchpad))
    assert client(sleeps, etags=remembered).get(spec_url(launchpad)).not_modified


def test_a_response_over_the_cap_is_refused(launchpad, sleeps):
    with pytest.raises(FetchError, match="over the 1000 .*cap"):
        client(sleeps, max_bytes=1000).get(f"{launchpad.root}tripleo/all_specifications")


def test_a_redirect_on_the_same_host_is_followed(launchpad, sleeps):
    launchpad.redirect("/devel/tripleo/+spec/ha", spec_url(launchpad))
    assert client(sleeps).get_json(f"{launchpad.root}tripleo/+spec/ha")["name"] == "composable-ha"


def test_a_redirect_to_another_host_is_not_followed(launchpad, sleeps):
    elsewhere = spec_url(launchpad).replace("127.0.0.1", "localhost")
    launchpad.redirect("/devel/tripleo/+spec/ha", elsewhere)
    with pytest.raises(FetchError, match="redirects to another host"):
        client(sleeps).get(f"{launchpad.root}tripleo/+spec/ha")
    assert len(launchpad.requests) == 1 and sleeps == []


def test_only_http_urls_are_fetched(sleeps):
    with pytest.raises(FetchError, match="only http and https"):
        client(sleeps).get("file:///etc/passwd")


def test_the_gerrit_prefix_is_stripped_only_when_present():
    assert strip_xssi_prefix(')]}\'\n[{"_number": 1}]') == '[{"_number": 1}]'
    assert strip_xssi_prefix(")]}'\r\n[]") == "[]"
    assert strip_xssi_prefix("[]") == "[]"


def test_bad_settings_are_refused():
    with pytest.raises(ValueError):
        JsonClient(retries=-1)
    with pytest.raises(ValueError):
        JsonClient(timeout=0)
