"""WCAG 2.1 A and AA in a real browser: axe-core (bundled by ``axe-playwright-python``) run on
every page, as each role, at laptop and phone widths, in the states people meet (filters
applied, a preview shown, errors shown, empty lists, after a save).

One test loads the demo once and walks every role's pages at both widths, collecting every
violation, so one failure lists them all (role, width, state, rule, the elements axe points at).
The Django admin and the Swagger UI are other projects' pages and are left out.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from blueprints.models import Blueprint, FeatureFreezeException, FFEStatus
from tests.conftest import load_demo
from tests.test_browser import AS_OF, CHROMIUM, browser  # noqa: F401 (the fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WCAG_A_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
WIDTHS = {"laptop": (1280, 900), "phone": (390, 844)}


@dataclass
class Audit:
    """What axe found, by state, over one test."""

    axe: object
    found: list[str] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)

    def check(self, page, state: str) -> None:
        started = time.monotonic()
        results = self.axe.run(
            page,
            options={
                "runOnly": {"type": "tag", "values": WCAG_A_AA},
                "resultTypes": ["violations"],
            },
        )
        self.checked.append(state)
        if os.environ.get("PLANNER_AXE_TIMES"):
            print(f"{time.monotonic() - started:.2f}s axe {state}")
        # 1.4.10 Reflow: at phone width only a chart or a table scrolls, never the page
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        if overflow > 1:
            self.found.append(f"{state}: the page scrolls sideways by {overflow} px")
        for v in results.response["violations"]:
            targets = "; ".join(", ".join(map(str, n["target"])) for n in v["nodes"][:6])
            self.found.append(f"{state}: {v['id']} ({v['impact']}) ×{len(v['nodes'])}: {targets}")


@pytest.fixture
def audit() -> Audit:
    from axe_playwright_python.sync_playwright import Axe

    return Audit(axe=Axe())


@pytest.fixture
def demo(transactional_db, settings, request):
    load_demo(request)
    # The server's day: one with an FFE waiting, so the PTL sees the decision forms.
    ffe = FeatureFreezeException.objects.filter(status=FFEStatus.REQUESTED).order_by("pk").first()
    settings.PLANNER_TODAY = ffe.requested_on
    return ffe


def log_in(page, username: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("demo")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/")


def visit(url: str) -> Callable:
    return lambda page: page.goto(url)


def failed_login(page) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("nobody")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("alert").wait_for()


def common_states(ffe: FeatureFreezeException) -> list[tuple[str, Callable]]:
    blueprint = Blueprint.objects.filter(work_items__isnull=False).order_by("pk").first()
    return [
        ("cycles", visit("/")),
        ("dashboard", visit(f"/cycles/ocata/?as_of={AS_OF}")),
        (
            "dashboard filtered",
            visit(f"/cycles/ocata/?as_of={AS_OF}&squad=ci&priority=High"),
        ),
        ("dashboard empty filter", visit(f"/cycles/ocata/?as_of={AS_OF}&status=Deferred&squad=ci")),
        ("dashboard cycle over", visit("/cycles/ocata/?as_of=2017-12-01")),
        ("dashboard bad parameter", visit("/cycles/ocata/?as_of=someday")),
        ("schedule", visit("/cycles/ocata/schedule/?team=tripleo")),
        ("branch cuts", visit("/cycles/ocata/branch-cuts/?team=tripleo")),
        ("branch report", visit("/branch-report/")),
        ("squads", visit("/squads/")),
        ("squad", visit("/squads/ci/?series=ocata")),
        ("squad empty", visit("/squads/ui-cli/?series=ocata")),
        ("blueprint", visit(f"/blueprints/{blueprint.pk}/?as_of={AS_OF}")),
        ("blueprint with FFE", visit(f"/blueprints/{ffe.blueprint_id}/")),
        ("problems", visit("/problems/?as_of=2017-02-10")),
        ("replan preview", visit("/cycles/ocata/replan/?shift_days=7")),
        ("replan error", visit("/cycles/ocata/replan/?date=2017-01-01")),
        ("not found", visit("/blueprints/999999/")),
    ]


def lead_saves(page) -> None:
    bp = Blueprint.objects.filter(squad__slug="ci").order_by("pk").first()
    page.goto("/squads/ci/?series=ocata")
    row = page.locator(f"tr[data-blueprint='{bp.name}']")
    row.locator(f"#st-{bp.pk}").select_option("Good progress")
    row.get_by_role("button", name="Save").click()
    page.get_by_role("status").get_by_text("Saved").wait_for()


def lead_meets_a_conflict(page) -> None:
    bp = Blueprint.objects.filter(squad__slug="ci").order_by("pk").last()
    page.goto("/squads/ci/?series=ocata")
    # someone else changes it meanwhile
    other = "Blocked" if bp.implementation_status != "Blocked" else "Slow progress"
    Blueprint.objects.filter(pk=bp.pk).update(implementation_status=other)
    row = page.locator(f"tr[data-blueprint='{bp.name}']")
    row.locator(f"#st-{bp.pk}").select_option("Needs Code Review")
    row.get_by_role("button", name="Save").click()
    page.get_by_role("alert").wait_for()


def contributor_saves_a_work_item(page) -> None:
    page.goto("/squads/ci/?series=ocata")
    form = page.locator("form[action*='/work-items/']").first
    form.locator("xpath=ancestor::details").locator("summary").click()
    form.locator("select").select_option("DONE")
    form.get_by_role("button", name="Save").click()
    page.get_by_role("status").wait_for()


def ptl_grants(ffe: FeatureFreezeException) -> Callable:
    def grant(page) -> None:
        page.goto(f"/blueprints/{ffe.blueprint_id}/")
        page.get_by_role("button", name="Grant").click()
        page.get_by_role("status").get_by_text("granted").wait_for()

    return grant


# Pages whose content does not depend on who reads them (but the header).
SAME_FOR_EVERYONE = {
    "cycles",
    "dashboard cycle over",
    "dashboard bad parameter",
    "schedule",
    "branch cuts",
    "branch report",
    "squads",
    "problems",
    "not found",
}

ROLES = {
    "anonymous": None,
    "contributor": "contributor1",
    "squad lead": "ci-lead",
    "ptl": "ptl",
}


def states_for(role: str, ffe: FeatureFreezeException) -> list[tuple[str, Callable]]:
    states = common_states(ffe)
    if role == "anonymous":
        states += [("login", visit("/accounts/login/")), ("login failed", failed_login)]
    if role == "contributor":
        states += [("work item saved", contributor_saves_a_work_item)]
    if role == "squad lead":
        states += [("saved", lead_saves), ("conflict", lead_meets_a_conflict)]
    if role == "ptl":
        states += [("FFE granted", ptl_grants(ffe))]
    return states


def test_every_page_meets_wcag_2_1_aa(browser, live_server, demo, audit):  # noqa: F811
    # One walk over every role and width: the demo takes longer to load than a role to check.
    for role, username in ROLES.items():
        for width_name, (width, height) in WIDTHS.items():
            context = browser.new_context(
                viewport={"width": width, "height": height}, base_url=live_server.url
            )
            context.set_default_timeout(15_000)
            page = context.new_page()
            if username:
                log_in(page, username)
            for state, reach in states_for(role, demo):
                if width_name == "phone" and state == "FFE granted":
                    continue  # an FFE is decided once
                if state in SAME_FOR_EVERYONE and not (
                    role == "anonymous" or (role == "ptl" and width_name == "laptop")
                ):
                    continue  # the same page but for the header: checked signed out and in
                reach(page)
                audit.check(page, f"{role} · {width_name} · {state} ({page.url})")
            context.close()
    if os.environ.get("PLANNER_AXE_REPORT"):
        with open(os.environ["PLANNER_AXE_REPORT"], "a") as report:
            report.writelines(line + "\n" for line in audit.found)
    assert len(audit.checked) > 100
    assert audit.found == [], "axe found WCAG 2.1 A/AA violations:\n" + "\n".join(audit.found)
