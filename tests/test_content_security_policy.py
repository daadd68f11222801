"""Every page says ``Content-Security-Policy: default-src 'self'`` (the pages need no script and
load nothing from elsewhere); only the API docs add what Swagger UI's CSP-friendly view needs,
and no page loads a script from another origin."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tests.conftest import ROOT
from tests.factories import BlueprintFactory, SquadFactory, UserFactory, ocata_schedule

pytestmark = pytest.mark.django_db

STRICT = (
    "default-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self';"
    " object-src 'none'"
)


@pytest.fixture
def pages(db) -> list[str]:
    series = ocata_schedule()
    blueprint = BlueprintFactory(series=series, squad=SquadFactory(slug="ci"))
    return [
        "/",
        "/cycles/",
        "/cycles/ocata/",
        "/cycles/ocata/schedule/",
        "/cycles/ocata/replan/",
        "/cycles/ocata/branch-cuts/",
        "/cycles/ocata/schedule.ics",
        "/branch-report/",
        "/problems/",
        "/squads/",
        "/squads/ci/",
        f"/blueprints/{blueprint.pk}/",
        "/accounts/login/",
        "/admin/login/",
        "/healthz",
        "/api/v1/cycles/",
        "/api/schema/",
        "/no-such-page/",
        "/cycles/ocata/?as_of=garbage",
    ]


def test_every_page_and_answer_carries_the_strict_policy(pages):
    client = Client(raise_request_exception=False)
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    for url in pages + ["/admin/", "/admin/notifications/webhook/add/"]:
        response = client.get(url)
        assert response.status_code < 500, url
        assert response["Content-Security-Policy"] == STRICT, url


def test_the_api_docs_allow_exactly_the_swagger_ui_split_view_needs():
    policy = Client().get("/api/docs/")["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    # its own stylesheet block and data: icons, nothing from another origin, no inline script
    assert directives["default-src"] == "'self'"
    assert directives["style-src"] == "'self' 'unsafe-inline'"
    assert directives["img-src"] == "'self' data:"
    assert "script-src" not in directives  # falls back to 'self': no inline, no CDN
    assert "http" not in policy


def test_no_template_loads_a_script_or_style_from_elsewhere_or_inline():
    for template in (ROOT / "templates").rglob("*.html"):
        text = template.read_text()
        # a script is a file of this site's own static files, never inline
        for script in re.findall(r"<script\b[^>]*>(.*?)</script>", text, re.I | re.S):
            assert script.strip() == "", f"{template.name}: an inline script"
        scripts = re.findall(r"<script\b[^>]*>", text, re.I)
        assert all('src="{% static ' in s for s in scripts), f"{template.name}: a script"
        assert not re.search(r"\sstyle=", text, re.I), f"{template.name}: an inline style"
        assert not re.search(r"""(src|href)=["']https?://""", text, re.I), (
            f"{template.name}: loads from another origin"
        )
