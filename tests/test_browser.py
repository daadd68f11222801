"""The pages in a real browser: Debian's Chromium driven by Playwright against a live server.

Screenshots of the main pages are taken on every run; with PLANNER_SCREENSHOTS=1 they replace
the ones in docs/screenshots/ (shown in the README), otherwise they go to a temporary folder so
a test run leaves the work tree as it was.
"""

import os
import shutil
from datetime import date
from pathlib import Path

import pytest

from blueprints import selectors
from blueprints.models import Blueprint, FeatureFreezeException, FFEStatus
from tests.conftest import load_demo

CHROMIUM = "/usr/bin/chromium"
DOC_SCREENSHOTS = Path(__file__).resolve().parents[1] / "docs" / "screenshots"
AS_OF = "2017-01-10"  # Ocata week R-6, before feature freeze

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists() or shutil.which("chromium") is None:
        from tests.conftest import need

        need("Chromium", False, f"{CHROMIUM} is missing (apt-get install chromium)")
    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
    # between page actions are plain synchronous code.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def demo(transactional_db, request):
    load_demo(request)


@pytest.fixture
def page(browser, live_server, demo):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server.url)
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def log_in(page, username: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("demo")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/")
    assert page.get_by_text(f"Signed in as {username}").is_visible()


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory) -> Path:
    if os.environ.get("PLANNER_SCREENSHOTS") == "1":
        return DOC_SCREENSHOTS
    return tmp_path_factory.mktemp("screenshots")


def shoot(page, folder: Path, name: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000, f"{name} screenshot looks empty"


def test_ptl_sees_the_timeline_and_the_next_deadline(page, screenshots):
    log_in(page, "ptl")
    page.goto(f"/cycles/ocata/?as_of={AS_OF}")
    assert page.get_by_role("heading", name="Ocata cycle · TripleO").is_visible()
    timeline = page.get_by_test_id("timeline")
    assert timeline.is_visible()
    assert timeline.locator("g.today").count() == 1
    assert timeline.locator("g.week.current").count() == 1
    next_deadline = page.get_by_test_id("next-deadline")
    assert "Final release for non-client libraries" in next_deadline.inner_text()
    assert "in 9 days" in next_deadline.inner_text()
    assert page.get_by_test_id("branch-cuts").is_visible()
    shoot(page, screenshots, "dashboard")


def test_squad_lead_changes_a_status_and_the_dashboard_reflects_it(page, screenshots, settings):
    # The write lands on the server's day: the demo's clock set to the day looked at.
    settings.PLANNER_TODAY = date.fromisoformat(AS_OF)
    bp = (
        Blueprint.objects.filter(squad__slug="ci")
        .exclude(implementation_status="Implemented")
        .first()
    )
    log_in(page, "ci-lead")
    page.goto(f"/cycles/ocata/?as_of={AS_OF}&squad=ci")
    done_before = page.locator("tr[data-squad='ci'] td").first.inner_text()
    page.goto("/squads/ci/?series=ocata")
    row = page.locator(f"tr[data-blueprint='{bp.name}']")
    row.get_by_label(f"Status of {bp.title}").select_option("Implemented")
    row.get_by_role("button", name="Save").click()
    assert page.get_by_role("status").get_by_text(f"Saved {bp.title}.").is_visible()
    shoot(page, screenshots, "squad")
    page.goto(f"/cycles/ocata/?as_of={AS_OF}&squad=ci")
    done_after = page.locator("tr[data-squad='ci'] td").first.inner_text()
    assert done_before != done_after
    bp.refresh_from_db()
    assert bp.implementation_status == "Implemented"


def test_lead_of_another_squad_cannot_edit(page):
    bp = Blueprint.objects.get(name="tripleo-repos")
    log_in(page, "upgrade-lead")
    page.goto("/squads/ci/?series=ocata")
    row = page.locator(f"tr[data-blueprint='{bp.name}']")
    assert row.get_by_role("button", name="Save").count() == 0
    assert page.get_by_text("Only this squad's lead or the PTL edits").is_visible()


def test_ptl_grants_an_ffe(page, screenshots, settings):
    ffe = FeatureFreezeException.objects.filter(status=FFEStatus.REQUESTED).first()
    settings.PLANNER_TODAY = ffe.requested_on  # the demo's server clock: a day in the cycle
    log_in(page, "ptl")
    page.goto(f"/blueprints/{ffe.blueprint_id}/?as_of={ffe.requested_on}")
    assert page.get_by_test_id("dependency-graph").is_visible()
    shoot(page, screenshots, "blueprint")
    page.get_by_role("button", name="Grant").click()
    assert page.get_by_role("status").get_by_text("granted").is_visible()
    ffe.refresh_from_db()
    assert ffe.status == FFEStatus.GRANTED


def test_ptl_walks_from_the_dashboard_of_a_day_to_a_blueprint_and_back(page):
    log_in(page, "ptl")
    page.goto(f"/cycles/ocata/?as_of={AS_OF}")
    link = page.get_by_test_id("forecast").get_by_role("link").first
    title = link.inner_text()
    link.click()
    page.wait_for_url(f"**/blueprints/*/?as_of={AS_OF}")
    assert page.get_by_role("heading", name=title).is_visible()
    assert "10 January 2017" in page.get_by_test_id("as-of-note").inner_text()
    bp = Blueprint.objects.get(title=title)
    shown = page.get_by_test_id("bp-status").inner_text()
    row = selectors.history_on(day=date.fromisoformat(AS_OF)).get(blueprint=bp)
    assert shown == row.implementation_status
    page.get_by_test_id("back-to-dashboard").click()
    page.wait_for_url(f"**/cycles/ocata/?as_of={AS_OF}")
    assert page.locator("#as_of").input_value() == AS_OF
    assert "in 9 days" in page.get_by_test_id("next-deadline").inner_text()


def test_an_ffe_is_requested_and_granted_in_the_demo(browser, live_server, demo, settings):
    day = date(2017, 1, 27)  # the day after Ocata's feature freeze, before the cut-off
    settings.PLANNER_TODAY = day
    bp = (
        Blueprint.objects.filter(ffes__isnull=True, series__name="ocata")
        .exclude(implementation_status__in=["Implemented", "Deferred"])
        .order_by("name")
        .first()
    )
    context = browser.new_context(base_url=live_server.url)
    context.set_default_timeout(15_000)
    page = context.new_page()
    log_in(page, "contributor1")
    page.goto(f"/blueprints/{bp.pk}/")
    page.get_by_text("Request an exception").click()
    page.get_by_label("Why it must land after feature freeze").fill("The last patch is in review.")
    page.get_by_label("Merge by").fill("2017-02-01")
    page.get_by_role("button", name="Request FFE").click()
    assert page.get_by_role("status").is_visible()
    ffe = FeatureFreezeException.objects.get(blueprint=bp)
    assert (ffe.status, ffe.requested_on) == (FFEStatus.REQUESTED, day)
    context.close()
    context = browser.new_context(base_url=live_server.url)
    context.set_default_timeout(15_000)
    page = context.new_page()
    log_in(page, "ptl")
    page.goto(f"/blueprints/{bp.pk}/")
    page.get_by_role("button", name="Grant").click()
    assert page.get_by_role("status").get_by_text("granted").is_visible()
    ffe.refresh_from_db()
    assert (ffe.status, ffe.decided_on) == (FFEStatus.GRANTED, day)
    page.goto("/cycles/ocata/")  # the demo's today: 27 January
    assert bp.title in page.get_by_test_id("ffes").inner_text()
    page.goto("/cycles/ocata/?as_of=2017-01-26")  # the day before: not requested yet
    assert bp.title not in page.get_by_test_id("ffes").inner_text()
    context.close()


def test_pages_read_on_a_phone_without_horizontal_scroll(browser, live_server, demo):
    context = browser.new_context(viewport={"width": 390, "height": 844}, base_url=live_server.url)
    page = context.new_page()
    page.goto(f"/cycles/ocata/?as_of={AS_OF}")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    context.close()
    assert overflow <= 1


def test_the_pages_break_no_rule_of_their_content_security_policy(page, tmp_path):
    # given: the browser reports every policy violation on the console
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    blueprint = Blueprint.objects.order_by("pk").first()
    log_in(page, "ptl")
    for url in (
        f"/cycles/ocata/?as_of={AS_OF}",
        "/cycles/ocata/schedule/",
        "/cycles/ocata/replan/?shift_days=7",
        "/squads/ci/",
        f"/blueprints/{blueprint.pk}/",
        "/admin/",
        "/admin/blueprints/blueprint/",
        f"/admin/blueprints/blueprint/{blueprint.pk}/change/",
    ):
        response = page.goto(url)
        assert response.headers["content-security-policy"].startswith("default-src 'self'")
    # then: nothing was blocked, and the squads' progress meters still draw
    assert violations == []
    page.goto(f"/cycles/ocata/?as_of={AS_OF}")
    meters = page.locator("svg.meter rect")
    assert max(meters.nth(i).bounding_box()["width"] for i in range(meters.count())) > 0
    shoot(page, tmp_path, "dashboard-under-csp")


def test_api_docs_render_offline_under_a_strict_content_security_policy(browser, live_server):
    """Swagger UI comes from the sidecar's static files and its script is a file of its own:
    with every other host unreachable and ``default-src 'self'`` on each page, the operations
    still render."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server.url)
    context.set_default_timeout(15_000)
    elsewhere: list[str] = []
    refused: list[str] = []

    def same_origin_only(route) -> None:
        if not route.request.url.startswith(live_server.url):
            elsewhere.append(route.request.url)
            route.abort()
            return
        response = route.fetch()
        headers = {**response.headers, "content-security-policy": "default-src 'self'"}
        route.fulfill(response=response, headers=headers)

    context.route("**/*", same_origin_only)
    page = context.new_page()
    page.on(
        "console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else 0
    )
    page.goto("/api/docs/")
    page.locator(".opblock-tag").first.wait_for()
    tags = page.locator(".opblock-tag").all_inner_texts()
    assert any("blueprints" in t for t in tags) and any("tokens" in t for t in tags), tags
    page.locator("[data-path='/api/v1/cycles/{name}/milestones/']").first.wait_for()
    shots = Path(os.environ.get("PLANNER_SHOTS_DIR", "/tmp/planner-shots"))
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / "api-docs.png"))
    assert not elsewhere, f"the docs page reached for other hosts: {elsewhere}"
    scripts = [m for m in refused if "script" in m]
    assert not scripts, f"scripts refused by the policy: {scripts}"
    context.close()


def tab_to(page, selector: str, limit: int = 200) -> None:
    """Press Tab until the element matching ``selector`` has the focus."""
    for _ in range(limit):
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{selector} never got the focus in {limit} tabs")


def keyboard_log_in(page, username: str) -> None:
    page.goto("/accounts/login/")
    tab_to(page, "#id_username")
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type("demo")
    page.keyboard.press("Enter")
    page.get_by_text(f"Signed in as {username}").wait_for()


def focused_text(page) -> str:
    return page.evaluate("document.activeElement.innerText || ''")


def test_keyboard_only_a_lead_edits_and_the_ptl_grants_an_ffe(page, settings):
    from blueprints.models import ImplementationStatus, WorkItem, WorkItemStatus

    ffe = FeatureFreezeException.objects.filter(status=FFEStatus.REQUESTED).first()
    settings.PLANNER_TODAY = ffe.requested_on
    bp = (
        Blueprint.objects.filter(squad__slug="ci")
        .exclude(implementation_status__in=["Implemented", "Informational"])
        .first()
    )
    statuses = list(ImplementationStatus.values)
    expected_status = statuses[statuses.index(bp.implementation_status) + 1]
    item = WorkItem.objects.filter(blueprint=bp).order_by("pk").first()
    item_statuses = list(WorkItemStatus.values)
    step = "ArrowDown" if item.status != item_statuses[-1] else "ArrowUp"
    expected_item = item_statuses[
        item_statuses.index(item.status) + (1 if step == "ArrowDown" else -1)
    ]

    # given: the squad lead, signed in with the keyboard
    keyboard_log_in(page, "ci-lead")
    page.goto("/squads/ci/?series=ocata")
    # when: the status moves one option down and the row is saved, all by keys
    tab_to(page, f"#st-{bp.pk}")
    page.keyboard.press("ArrowDown")
    tab_to(page, f"#bp-{bp.pk} form[action$='/edit/'] button")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    # then: the outcome has the focus, beside the row
    page.locator("[role=status]:focus").wait_for()
    assert f"Saved {bp.title}" in focused_text(page)
    assert page.locator(f"#bp-{bp.pk} [role=status]").count() == 1
    bp.refresh_from_db()
    assert bp.implementation_status == expected_status

    # when: the work items open with Enter on their summary, one changes and is saved
    tab_to(page, f"#bp-{bp.pk} details summary")
    page.keyboard.press("Enter")
    tab_to(page, f"#wi-{item.pk}")
    page.keyboard.press(step)
    tab_to(page, f"form[action='/work-items/{item.pk}/edit/'] button")
    page.keyboard.press("Space")
    page.wait_for_load_state()
    # then: the list stays open at the edited item, with the outcome focused beside it
    page.locator("[role=status]:focus").wait_for()
    assert page.locator(f"#bp-{bp.pk} details").get_attribute("open") is not None
    assert "Saved" in focused_text(page)
    item.refresh_from_db()
    assert item.status == expected_item

    # when: the PTL grants the FFE from its blueprint's page, by keys
    page.context.clear_cookies()
    keyboard_log_in(page, "ptl")
    page.goto(f"/blueprints/{ffe.blueprint_id}/")
    tab_to(page, f"#ffe-{ffe.pk} button[value=grant]")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    page.locator("[role=status]:focus").wait_for()
    assert "granted" in focused_text(page)
    ffe.refresh_from_db()
    assert ffe.status == FFEStatus.GRANTED


CHART_TEXT = """svg => [...svg.querySelectorAll('text')].map(t => {
    const r = t.getBoundingClientRect();
    const size = parseFloat(getComputedStyle(t).fontSize) * svg.getScreenCTM().a;
    return {text: t.textContent, size,
            left: r.left, right: r.right, top: r.top, bottom: r.bottom,
            marker: !!t.closest('g.marker'), xtick: !!t.closest('g.xtick')};
})"""


def overlapping(boxes: list[dict]) -> list[tuple[str, str]]:
    return [
        (a["text"], b["text"])
        for i, a in enumerate(boxes)
        for b in boxes[i + 1 :]
        if a["left"] < b["right"]
        and b["left"] < a["right"]
        and a["top"] < b["bottom"]
        and b["top"] < a["bottom"]
    ]


@pytest.mark.parametrize("width", [1280, 390])
def test_charts_keep_12px_labels_that_never_overlap(browser, live_server, demo, width):
    context = browser.new_context(
        viewport={"width": width, "height": 900}, base_url=live_server.url
    )
    page = context.new_page()
    page.goto(f"/cycles/ocata/?as_of={AS_OF}")
    timeline = page.evaluate(CHART_TEXT, page.get_by_test_id("timeline").element_handle())
    burn_up = page.evaluate(CHART_TEXT, page.get_by_test_id("burn-up").element_handle())
    region = page.locator(".chart-scroll").first
    scrolls = region.evaluate("el => el.scrollWidth > el.clientWidth")
    page_overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    events = page.locator("#timeline-events li").all_inner_texts()
    context.close()
    # the labels keep their size: the chart scrolls instead of shrinking
    assert min(t["size"] for t in timeline + burn_up) >= 12
    assert scrolls == (width < 1200) and page_overflow <= 1
    # milestone labels (FF and M3 share a week) never overlap one another
    markers = [t for t in timeline if t["marker"]]
    assert {"FF", "M3"} <= {t["text"] for t in markers}
    assert overlapping(markers) == []
    # the burn-up's x axis is dated, and every milestone is listed with its date in text
    assert len([t for t in burn_up if t["xtick"] and t["text"].startswith("1 ")]) >= 3
    assert len(events) == len(markers) and all(" 201" in e for e in events)
