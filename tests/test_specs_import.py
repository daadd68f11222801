"""The specs import (blueprints.specs_import): the real tripleo-specs snapshot becomes
blueprints, a second run changes nothing, and the blueprint page shows the spec safely."""

from __future__ import annotations

import io
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from blueprints import services
from blueprints.models import Blueprint, BlueprintDependency, BlueprintSpec, WorkItem
from blueprints.specs import SpecError, read_specs_tree
from blueprints.specs_import import (
    SpecsImportError,
    specs_import,
    specs_tree_import,
    work_item_titles,
)
from blueprints.tasks import import_specs
from core.models import AuditEntry
from releases.models import Series
from squads.models import Project
from tests.conftest import ROOT
from tests.factories import ProjectFactory, SeriesFactory, UserFactory, ocata_schedule
from tests.test_specs_parse import OCATA_BLUEPRINTS, OCATA_WITHOUT_URL

pytestmark = pytest.mark.django_db

HOSTILE_TREE = ROOT / "tests" / "data" / "specs" / "hostile-specs"
PUBLISHED = "https://specs.openstack.org/openstack/tripleo-specs/specs/"
# openstack/releases' order of the series (austin = 1), for the series the specs cover.
SERIES_ORDER = (
    "austin bexar cactus diablo essex folsom grizzly havana icehouse juno kilo liberty mitaka "
    "newton ocata pike queens rocky stein train ussuri victoria wallaby xena yoga zed"
).split()
# The specs whose blueprint lives on another Launchpad project (skipped, reported).
OTHER_PROJECTS = {
    "specs/juno/tripleo-juno-tuskar-rest-api.rst": "tuskar",
    "specs/juno/tripleo-juno-tuskar-template-storage.rst": "tuskar",
    "specs/newton/os-net-config-teaming.rst": "os-net-config",
}
User = get_user_model()


@pytest.fixture(scope="module")
def real_tree(specs_tree):
    return read_specs_tree(specs_tree)


@pytest.fixture(scope="module")
def ocata_tree(specs_tree):
    return read_specs_tree(specs_tree, series="ocata")


@pytest.fixture
def project(db):
    ocata_schedule()
    return Project.objects.filter(name="tripleo").first() or ProjectFactory(
        name="tripleo", launchpad="tripleo"
    )


def every_series(names) -> None:
    """The series rows the specs need (the real import may have made them already)."""
    stored = set(Series.objects.values_list("name", flat=True))
    for name in names:
        if name not in stored:
            SeriesFactory(name=name, position=SERIES_ORDER.index(name) + 1)


def write_spec(root: Path, path: str, text: str) -> Path:
    target = root / "specs" / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return root


def toy_spec(
    *,
    title: str = "Toy feature",
    items: tuple[str, ...] = ("First", "Second"),
    name: str = "toy-feature",
    depends: str = "None.",
) -> str:
    bullets = "\n".join(f"* {item}" for item in items)
    return (
        f"{'=' * len(title)}\n{title}\n{'=' * len(title)}\n\n"
        f"https://blueprints.launchpad.net/tripleo/+spec/{name}\n\n"
        "Problem Description\n===================\n\nToys break.\n\n"
        "Implementation\n==============\n\nAssignee(s)\n-----------\n\n"
        "Primary assignee:\n  toy-owner\n\n"
        f"Work Items\n----------\n\n{bullets}\n\n"
        f"Dependencies\n============\n\n{depends}\n"
    )


# --- the Ocata plan -------------------------------------------------------------------------


def test_all_fifteen_ocata_specs_import_and_link_their_blueprints(project, ocata_tree):
    report = specs_tree_import(tree=ocata_tree, project=project)

    counts = report.series["ocata"]
    assert (counts.specs, counts.linked_by_url, counts.linked_by_file_name) == (15, 13, 2)
    assert (counts.created, counts.skipped) == (15, 0)
    documents = {d.blueprint.name: d for d in BlueprintSpec.objects.select_related("blueprint")}
    assert set(documents) == set(OCATA_BLUEPRINTS.values())
    for slug, name in OCATA_BLUEPRINTS.items():
        document = documents[name]
        blueprint = document.blueprint
        parsed = next(s for s in ocata_tree.specs if s.slug == slug)
        assert document.source == f"specs/ocata/{slug}.rst"
        assert document.linked_by == ("file-name" if slug in OCATA_WITHOUT_URL else "url")
        assert blueprint.series.name == "ocata" and blueprint.project == project
        assert blueprint.title == parsed.title
        assert blueprint.definition_status == "Approved"
        assert blueprint.spec_url == f"{PUBLISHED}ocata/{slug}.html"
        expected_link = "" if slug in OCATA_WITHOUT_URL else f"/tripleo/+spec/{name}"
        assert blueprint.web_link.endswith(expected_link)
        titles = list(blueprint.work_items.order_by("order").values_list("title", flat=True))
        assert titles == work_item_titles(parsed) and titles
        assert {s["title"] for s in document.sections} >= {"Problem Description"}
    # the two specs named by their file name are reported as such, with the line
    linked_by_name = [p for p in report.problems if "linked by file name" in p.message]
    assert sorted(p.source for p in linked_by_name) == [
        f"specs/ocata/{slug}.rst" for slug in sorted(OCATA_WITHOUT_URL)
    ]
    assert all(p.line > 0 for p in linked_by_name)


def test_a_second_import_changes_nothing(project, ocata_tree):
    specs_tree_import(tree=ocata_tree, project=project)
    audit_rows = AuditEntry.objects.count()

    totals: list[int] = []

    def progress(items, total):
        totals.append(total)
        return items

    again = specs_tree_import(tree=ocata_tree, project=project, progress=progress)

    assert totals == [15]
    assert not again.changed
    assert again.series["ocata"].unchanged == 15
    assert (again.series["ocata"].created, again.series["ocata"].updated) == (0, 0)
    assert AuditEntry.objects.count() == audit_rows


def test_the_command_imports_ocata_and_a_second_run_reports_no_change(project, specs_tree):
    out = io.StringIO()
    call_command(
        "import_specs", str(specs_tree), "--project", "tripleo", "--series", "ocata", stdout=out
    )
    first = out.getvalue()
    assert "ocata" in first and "(changed;" in first
    assert "specs/ocata/ssl-certmonger.rst:" in first  # problems listed with file and line
    assert BlueprintSpec.objects.count() == 15

    out = io.StringIO()
    call_command(
        "import_specs", str(specs_tree), "--project", "tripleo", "--series", "ocata", stdout=out
    )
    assert "(no changes;" in out.getvalue()


def test_the_command_refuses_an_unknown_project_or_series_and_writes_nothing(project, specs_tree):
    with pytest.raises(CommandError, match="unknown project 'nope'"):
        call_command("import_specs", str(specs_tree), "--project", "nope", stdout=io.StringIO())
    with pytest.raises(CommandError, match="specs/antelope: no such series directory"):
        call_command(
            "import_specs",
            str(specs_tree),
            "--project",
            "tripleo",
            "--series",
            "antelope",
            stdout=io.StringIO(),
        )
    assert not Blueprint.objects.exists()


def test_the_celery_task_imports_and_is_idempotent(project, specs_tree):
    first = import_specs.delay(str(specs_tree), "tripleo", "ocata").get()
    second = import_specs.delay(str(specs_tree), "tripleo", "ocata").get()

    assert first["changed"] and first["series"]["ocata"]["created"] == 15
    assert not second["changed"] and second["series"]["ocata"]["unchanged"] == 15
    assert import_specs.delay(str(specs_tree), "no-such-project").get() is None


# --- every cycle ----------------------------------------------------------------------------


def test_every_cycles_specs_import_without_an_error(project, real_tree):
    every_series(real_tree.series_names)

    report = specs_tree_import(tree=real_tree, project=project)

    assert list(report.series) == list(real_tree.series_names)
    total = report.total()
    assert total.specs == len(real_tree.specs)
    assert total.created + total.skipped == total.specs
    assert total.linked_by_url + total.linked_by_file_name == total.specs
    skipped = {p.source for p in report.problems if p.message.endswith(": skipped")}
    assert skipped == set(OTHER_PROJECTS)
    for source, other in OTHER_PROJECTS.items():
        assert any(p.source == source and repr(other) in p.message for p in report.problems)
    assert BlueprintSpec.objects.count() == total.specs - total.skipped
    # dependencies naming another spec of the tree are linked (Pike's healthchecks need
    # Ocata's containers), across cycles
    assert BlueprintDependency.objects.filter(
        blueprint__name="container-healthchecks", depends_on__name="containerize-tripleo"
    ).exists()
    assert report.dependencies_added == BlueprintDependency.objects.count() > 0
    # every problem names its file (and a line, where the file has one)
    assert all(p.source.startswith("specs/") for p in report.problems)

    again = specs_tree_import(tree=real_tree, project=project)
    assert not again.changed and again.total().unchanged == total.specs - total.skipped


def test_a_dependency_the_planner_does_not_have_is_kept_as_text_and_reported(project, real_tree):
    every_series(real_tree.series_names)
    report = specs_tree_import(tree=real_tree, project=project)

    sriov = BlueprintSpec.objects.get(source="specs/newton/tripleo-sriov.rst")
    entry = next(d for d in sriov.dependencies if d["name"] == "composable-services-within-roles")
    assert entry["kind"] == "blueprint" and not entry["linked"]
    assert any(
        p.source == sriov.source
        and p.line == entry["line"]
        and "composable-services-within-roles" in p.message
        for p in report.problems
    )


# --- people ---------------------------------------------------------------------------------


def test_people_match_accounts_ignoring_case_and_unknown_ones_are_reported(project, ocata_tree):
    # given: accounts for two of the upgrades spec's people, spelled differently
    shardy = UserFactory(username="SHardy")
    UserFactory(username="marios")
    users = User.objects.count()

    report = specs_tree_import(tree=ocata_tree, project=project)

    upgrades = Blueprint.objects.get(name="overcloud-upgrades-per-service")
    assert upgrades.assignee == shardy
    assert list(upgrades.spec.contributors.values_list("username", flat=True)) == ["marios"]
    people = {p["token"]: p["username"] for p in upgrades.spec.people}
    assert people["shardy"] == "SHardy" and people["emacchi"] is None
    assert User.objects.count() == users  # nobody invented
    note = next(
        p
        for p in report.problems
        if p.source == "specs/ocata/tripleo-composable-upgrades.rst" and "no account" in p.message
    )
    assert "emacchi" in note.message and "shardy" not in note.message
    parsed = next(s for s in ocata_tree.specs if s.slug == "tripleo-composable-upgrades")
    assert note.line == parsed.assignees.line > 0
    # an unknown primary assignee leaves the blueprint unassigned, reported
    ha = Blueprint.objects.get(name="composable-ha")
    assert ha.assignee is None
    assert any(
        p.source == "specs/ocata/composable-ha-architecture.rst"
        and "primary assignee michele" in p.message
        for p in report.problems
    )


def test_a_person_matched_by_email(project, tmp_path):
    lead = UserFactory(username="jeck", email="JEckersb@redhat.com")
    write_spec(
        tmp_path,
        "ocata/toy-feature.rst",
        toy_spec().replace("toy-owner", "John Eckersberg <jeckersb@redhat.com>"),
    )
    specs_import(path=tmp_path, project=project)
    assert Blueprint.objects.get(name="toy-feature").assignee == lead


# --- work items and edits since -------------------------------------------------------------


def test_work_item_statuses_survive_a_re_import(project, ocata_tree):
    specs_tree_import(tree=ocata_tree, project=project)
    items = list(WorkItem.objects.filter(blueprint__name="composable-ha").order_by("order"))
    services.work_item_update(work_item=items[0], actor=None, status="DONE")
    services.work_item_update(work_item=items[1], actor=None, status="INPROGRESS")

    again = specs_tree_import(tree=ocata_tree, project=project)

    assert not again.changed
    statuses = list(
        WorkItem.objects.filter(blueprint__name="composable-ha")
        .order_by("order")
        .values_list("status", flat=True)
    )
    assert statuses[:2] == ["DONE", "INPROGRESS"] and set(statuses[2:]) == {"TODO"}


def test_a_changed_spec_adds_its_new_items_and_drops_only_untouched_old_ones(project, tmp_path):
    write_spec(tmp_path, "ocata/toy-feature.rst", toy_spec(items=("First", "Second", "Third")))
    specs_import(path=tmp_path, project=project)
    blueprint = Blueprint.objects.get(name="toy-feature")
    first = blueprint.work_items.get(title="First")
    services.work_item_update(work_item=first, actor=None, status="DONE")

    # when: the spec drops First and Second and adds Fourth
    write_spec(tmp_path, "ocata/toy-feature.rst", toy_spec(items=("third", "Fourth")))
    report = specs_import(path=tmp_path, project=project)

    # then: Second (untouched) is gone, First (done) is kept and reported, third matched Third
    titles = dict(blueprint.work_items.values_list("title", "status"))
    assert titles == {"First": "DONE", "Third": "TODO", "Fourth": "TODO"}
    assert (report.work_items_created, report.work_items_deleted) == (1, 1)
    assert any(
        "'First' is no longer in the spec; kept (DONE)" in p.message for p in report.problems
    )


def test_an_edit_since_the_import_is_not_undone_until_the_spec_changes(project, tmp_path):
    write_spec(tmp_path, "ocata/toy-feature.rst", toy_spec())
    specs_import(path=tmp_path, project=project)
    blueprint = Blueprint.objects.get(name="toy-feature")
    # given: Launchpad (or the PTL) retitles it
    services.blueprint_update(blueprint=blueprint, actor=None, title="Launchpad's title")

    # when: the same spec again: nothing changes
    assert not specs_import(path=tmp_path, project=project).changed
    assert Blueprint.objects.get(pk=blueprint.pk).title == "Launchpad's title"

    # when: the spec's title changes: the spec's new title is written
    write_spec(tmp_path, "ocata/toy-feature.rst", toy_spec(title="Toy feature, revised"))
    assert specs_import(path=tmp_path, project=project).series["ocata"].updated == 1
    assert Blueprint.objects.get(pk=blueprint.pk).title == "Toy feature, revised"


def test_an_existing_blueprint_keeps_its_key_and_planner_fields(project, ocata_tree):
    # given: the blueprint came from Launchpad first, with a squad and a status
    series = Series.objects.get(name="ocata")
    existing = services.blueprint_create(
        actor=None,
        project=project,
        series=series,
        name="composable-ha",
        title="Composable HA",
        implementation_status="Implemented",
        priority="Essential",
    )

    specs_tree_import(tree=ocata_tree, project=project)

    blueprint = Blueprint.objects.get(project=project, name="composable-ha")
    assert blueprint.pk == existing.pk
    assert blueprint.title == "Composable HA architecture"  # the spec's title, first link
    assert (blueprint.implementation_status, blueprint.priority) == ("Implemented", "Essential")
    assert blueprint.spec.linked_by == "url"


# --- dependencies ---------------------------------------------------------------------------


def edges() -> set[tuple[str, str]]:
    return set(BlueprintDependency.objects.values_list("blueprint__name", "depends_on__name"))


def test_dependencies_the_spec_names_are_linked_and_unlinked_with_it(project, tmp_path):
    needs_b = "* https://blueprints.launchpad.net/tripleo/+spec/toy-b\n* Some library release."
    write_spec(tmp_path, "ocata/toy-a.rst", toy_spec(name="toy-a", depends=needs_b))
    write_spec(tmp_path, "ocata/toy-b.rst", toy_spec(name="toy-b", title="Toy B"))
    write_spec(tmp_path, "ocata/toy-c.rst", toy_spec(name="toy-c", title="Toy C"))
    specs_import(path=tmp_path, project=project)
    assert edges() == {("toy-a", "toy-b")}
    text = [d for d in BlueprintSpec.objects.get(blueprint__name="toy-a").dependencies]
    assert [(d["kind"], d["linked"]) for d in text] == [("blueprint", True), ("text", False)]

    # given: someone links a → c by hand; when: the spec no longer names b
    a, c = Blueprint.objects.get(name="toy-a"), Blueprint.objects.get(name="toy-c")
    services.blueprint_set_dependencies(
        blueprint=a, actor=None, depends_on=[*a.depends_on.all(), c]
    )
    write_spec(tmp_path, "ocata/toy-a.rst", toy_spec(name="toy-a"))
    report = specs_import(path=tmp_path, project=project)

    # then: the import's own link is gone, the hand-made one stays
    assert edges() == {("toy-a", "toy-c")}
    assert (report.dependencies_added, report.dependencies_removed) == (0, 1)
    assert not specs_import(path=tmp_path, project=project).changed


def test_a_dependency_that_would_make_a_cycle_is_reported_not_linked(project, tmp_path):
    write_spec(tmp_path, "ocata/toy-a.rst", toy_spec(name="toy-a"))
    write_spec(tmp_path, "ocata/toy-b.rst", toy_spec(name="toy-b", title="Toy B"))
    specs_import(path=tmp_path, project=project)
    a, b = Blueprint.objects.get(name="toy-a"), Blueprint.objects.get(name="toy-b")
    services.blueprint_set_dependencies(blueprint=b, actor=None, depends_on=[a])

    needs_b = "* https://blueprints.launchpad.net/tripleo/+spec/toy-b"
    write_spec(tmp_path, "ocata/toy-a.rst", toy_spec(name="toy-a", depends=needs_b))
    report = specs_import(path=tmp_path, project=project)

    assert edges() == {("toy-b", "toy-a")}
    note = next(p for p in report.problems if "toy-a → toy-b not linked" in p.message)
    assert note.source == "specs/ocata/toy-a.rst" and "cycle" in note.message
    assert not BlueprintSpec.objects.get(blueprint=a).dependencies[0]["linked"]


# --- what stops an import -------------------------------------------------------------------


def test_an_unreadable_file_or_unknown_series_writes_nothing(project, tmp_path):
    write_spec(tmp_path, "ocata/toy-feature.rst", toy_spec())
    (tmp_path / "specs" / "ocata" / "broken.rst").write_bytes(b"Title\n=====\n\n\xff\xfe\n")
    with pytest.raises(SpecError, match=r"specs/ocata/broken.rst:4: not UTF-8"):
        specs_import(path=tmp_path, project=project)

    (tmp_path / "specs" / "ocata" / "broken.rst").unlink()
    write_spec(tmp_path, "nosuchseries/other.rst", toy_spec().replace("toy-feature", "other"))
    with pytest.raises(SpecsImportError) as error:
        specs_import(path=tmp_path, project=project)
    assert "specs/nosuchseries:0: series 'nosuchseries' is not in the planner" in str(error.value)
    assert not Blueprint.objects.exists() and not BlueprintSpec.objects.exists()


def test_two_specs_of_one_series_linking_one_blueprint_are_refused(project, tmp_path):
    write_spec(tmp_path, "ocata/toy-feature.rst", toy_spec())
    write_spec(tmp_path, "ocata/toy-again.rst", toy_spec(title="Toy again"))
    refused = r"toy-feature.rst:5: links blueprint .toy-feature., as specs/ocata/toy-again.rst"
    with pytest.raises(SpecsImportError, match=refused):
        specs_import(path=tmp_path, project=project)
    assert not Blueprint.objects.exists()


# --- the blueprint page ---------------------------------------------------------------------


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def tags_of(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(html)
    return parser.tags


def test_a_blueprint_page_shows_its_specs_sections(project, ocata_tree, client):
    specs_tree_import(tree=ocata_tree, project=project)
    blueprint = Blueprint.objects.get(name="overcloud-upgrades-per-service")

    html = client.get(f"/blueprints/{blueprint.pk}/").content.decode()

    assert 'data-testid="spec"' in html
    assert "specs/ocata/tripleo-composable-upgrades.rst" in html
    for section in blueprint.spec.sections:
        assert f"<summary>{section['title']}</summary>" in html
    assert "Problem Description" in html and "Proposed Change" in html
    # a link defined under References renders where a section refers to it
    hrefs = {attrs.get("href") for tag, attrs in tags_of(html) if tag == "a"}
    assert "http://docs.openstack.org/developer/tripleo-docs/post_deployment/upgrade.html" in hrefs
    assert "workflow_" not in html
    assert "shardy" in html and "(no account)" in html


def test_hostile_rst_is_neutralised_on_the_blueprint_page(project, client):
    report = specs_import(path=HOSTILE_TREE, project=project)
    assert report.series["ocata"].created == 1
    blueprint = Blueprint.objects.get(name="hostile-spec")

    html = client.get(f"/blueprints/{blueprint.pk}/").content.decode()

    own_script = {"src": f"{settings.STATIC_URL}js/planner.js", "defer": None}
    assert not [
        t
        for t, a in tags_of(html)
        if t in {"script", "iframe", "object", "embed"} and not (t == "script" and a == own_script)
    ]
    spec = html[html.index('data-testid="spec"') : html.index('aria-labelledby="deps-h"')]
    tags = tags_of(spec)
    assert not [t for t, _a in tags if t in {"svg", "math", "form", "input", "style", "link"}]
    assert not [(t, a) for t, a in tags for name in a if name.startswith("on")]
    for _tag, attrs in tags:
        for name in ("href", "src"):
            value = "".join((attrs.get(name) or "").split()).lower()
            assert not value.startswith(("javascript:", "vbscript:", "data:")), (name, value)
    assert "root:" not in html  # /etc/passwd was not included
    hostname = Path("/etc/hostname")
    if hostname.exists() and hostname.read_text().strip():
        assert f"<td>{hostname.read_text().strip()}</td>" not in html
    # the text is shown, escaped
    assert '&lt;script&gt;alert("a code block, shown as text")&lt;/script&gt;' in html
    assert "<h1>Hostile &lt;script&gt;spec&lt;/script&gt; one</h1>" in html
    assert "Escape &lt;b&gt;this&lt;/b&gt; item" in html


def test_the_blueprint_page_query_count_does_not_grow_with_a_spec(
    project, ocata_tree, client, django_assert_max_num_queries
):
    series = Series.objects.get(name="ocata")
    blueprint = services.blueprint_create(
        actor=None, project=project, series=series, name="composable-ha", title="Composable HA"
    )
    with CaptureQueriesContext(connection) as before:
        assert client.get(f"/blueprints/{blueprint.pk}/").status_code == 200

    specs_tree_import(tree=ocata_tree, project=project)

    with django_assert_max_num_queries(len(before)):
        page = client.get(f"/blueprints/{blueprint.pk}/")
    assert 'data-testid="spec"' in page.content.decode()


# --- the demo -------------------------------------------------------------------------------


@pytest.fixture
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def load_demo(*args: str) -> str:
    out = io.StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


def test_the_demo_takes_its_ocata_blueprints_from_the_specs(fast_password_hashing, specs_tree):
    out = load_demo("--specs", str(specs_tree))

    assert f"Blueprints: the 15 Ocata specs of {specs_tree}." in out
    assert BlueprintSpec.objects.count() == 15
    # the specs' titles and work items; the hand-written squads, statuses, FFEs and the
    # upgrades → composable HA dependency (the spec's Dependencies section is empty)
    heat = Blueprint.objects.get(name="heat-undercloud")
    assert heat.title == "composable-undercloud" and heat.squad.slug == "integration"
    assert heat.spec.source == "specs/ocata/undercloud-heat.rst"
    assert Blueprint.objects.get(name="composable-ha").implementation_status == "Implemented"
    upgrades = Blueprint.objects.get(name="overcloud-upgrades-per-service")
    assert list(upgrades.depends_on.values_list("name", flat=True)) == ["composable-ha"]
    assert upgrades.ffes.get().status == "Merged"
    assert not hasattr(Blueprint.objects.get(name="tripleo-realtime"), "spec")  # a Pike spec
    statuses = list(upgrades.work_items.order_by("order").values_list("status", flat=True))
    assert statuses == ["DONE", "INPROGRESS", "TODO", "INPROGRESS"]
    # a second run creates nothing, and the specs import agrees: no change
    assert "specs 0" in load_demo("--specs", str(specs_tree))
    project = Project.objects.get(name="tripleo")
    assert not specs_import(path=specs_tree, project=project, series="ocata").changed


def test_the_demo_falls_back_to_the_hand_written_facts_without_a_checkout(
    fast_password_hashing, settings, tmp_path
):
    settings.PLANNER_SPECS_DATA = str(tmp_path / "missing")

    out = load_demo()

    assert f"Blueprints: the hand-written facts (no tripleo-specs checkout at {tmp_path}" in out
    assert Blueprint.objects.count() == 16 and not BlueprintSpec.objects.exists()
    assert Blueprint.objects.get(name="heat-undercloud").title.startswith("Deploy the undercloud")
    with pytest.raises(CommandError, match="not a tripleo-specs checkout"):
        load_demo("--specs", str(tmp_path))


def test_the_demo_uses_the_configured_checkout(fast_password_hashing, settings, specs_tree):
    settings.PLANNER_SPECS_DATA = str(specs_tree)
    assert "Blueprints: the 15 Ocata specs" in load_demo()
    assert Group.objects.filter(name="tripleo-ptl").exists()
