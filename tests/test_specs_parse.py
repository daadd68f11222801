"""The specs-repository reader (blueprints.specs) on the real tripleo-specs snapshot.

Every uneven case the reader has a rule for is checked on a real file of the snapshot where
one exists (named in the test), else on a small fixture under ``tests/data/specs/``.
"""

import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from blueprints.specs import (
    MAX_SPEC_BYTES,
    ParsedSpec,
    SpecError,
    SpecsTree,
    parse_spec,
    read_specs_tree,
    render_rst,
    render_spec_sections,
    sanitise_html,
)
from tests.conftest import ROOT, SPECS_TREE

TOY_TREE = ROOT / "tests" / "data" / "specs" / "toy-specs"
LAUNCHPAD_NAME = re.compile(r"^[a-z0-9][a-z0-9+.-]*$")
URL_ATTRIBUTES = {"href", "src", "srcset", "action", "formaction", "xlink:href", "poster"}

# The fifteen files of specs/ocata/ and the blueprint each names (tripleo-ocata.md's table).
OCATA_BLUEPRINTS = {
    "capture-environment-status-and-logs": "capture-environment-status-and-logs",
    "composable-ha-architecture": "composable-ha",
    "containerize-tripleo-overcloud": "containerize-tripleo",
    "gui-deployment-configuration": "deployment-configuration-improvements",
    "gui-plan-import-export": "gui-plan-import-export",
    "om-dual-backends": "om-dual-backends",
    "ssl-certmonger": "ssl-certmonger",
    "step-by-step-validation": "step-by-step-validation",
    "third-party-gating-with-tripleo-quickstart": (
        "use-tripleo-quickstart-and-tripleo-quickstart-extras-for-the-tripleo-ci-toolset"
    ),
    "tripleo-composable-upgrades": "overcloud-upgrades-per-service",
    "tripleo-opstools-performance-monitoring": "tripleo-opstools-performance-monitoring",
    "tripleo-repos": "tripleo-repos",
    "undercloud-heat": "heat-undercloud",
    "undercloud-ntp-server": "undercloud-ntp-server",
    "validations-in-workflows": "validations-in-workflows",
}
OCATA_WITHOUT_URL = {"ssl-certmonger", "undercloud-ntp-server"}


@pytest.fixture(scope="module")
def tree(specs_tree: Path) -> SpecsTree:
    return read_specs_tree(specs_tree)


def spec(tree: SpecsTree, path: str) -> ParsedSpec:
    return next(s for s in tree.specs if s.source == f"specs/{path}")


def line_of(path: str, needle: str, start: int = 1) -> int:
    """The 1-based line of the first occurrence of ``needle`` in a real spec, from ``start``."""
    lines = (SPECS_TREE / "specs" / path).read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, 1) if n >= start and needle in line)


def facts_table(facts: Path) -> list[dict[str, str]]:
    """The rows of tripleo-ocata.md's "Ocata specs → Launchpad blueprints" table."""
    text = facts.read_text(encoding="utf-8")
    table = text.split("## Ocata specs", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in table.splitlines() if line.startswith("|")]
    header = [cell.strip() for cell in rows[0].strip("|").split("|")]
    return [
        dict(zip(header, (cell.strip() for cell in row.strip("|").split("|")), strict=True))
        for row in rows[2:]
    ]


# --- the Ocata plan -------------------------------------------------------------------------


def test_all_fifteen_ocata_specs_parse_and_link_their_launchpad_blueprint(tree):
    ocata = tree.in_series("ocata")

    assert {s.slug: s.blueprint_name for s in ocata} == OCATA_BLUEPRINTS
    for parsed in ocata:
        assert parsed.title, parsed.source
        assert parsed.section("Problem Description") is not None, parsed.source
        assert parsed.work_items, parsed.source
        if parsed.slug in OCATA_WITHOUT_URL:
            assert (parsed.linked_by, parsed.blueprint, parsed.project) == ("file-name", None, "")
        else:
            assert parsed.linked_by == "url"
            assert parsed.project == "tripleo"
            assert parsed.blueprint.url.startswith("https://blueprints.launchpad.net/tripleo/")


def test_the_ocata_facts_table_names_the_blueprints_the_specs_link(tree, ocata_facts):
    # given: the public facts, whose last row moved to Pike in March 2017
    rows = facts_table(ocata_facts)
    named = {row["blueprint name"].split(" (")[0] for row in rows}
    moved = {row["blueprint name"] for row in rows if "moved to Pike" in row["notes"]}

    # then
    assert named - moved == {s.blueprint_name for s in tree.in_series("ocata")}
    assert moved <= {s.blueprint_name for s in tree.in_series("pike")}


def test_ocata_work_items_match_the_facts_table(tree, ocata_facts):
    by_name = {s.blueprint_name: s for s in tree.in_series("ocata")}
    for row in facts_table(ocata_facts):
        name = row["blueprint name"].split(" (")[0]
        if name not in by_name or name == "step-by-step-validation":
            continue  # the facts count its two top-level bullets; nested ones are flattened here
        assert len(by_name[name].work_items) == int(row["work items"]), name


# --- every cycle ----------------------------------------------------------------------------


def test_every_cycle_parses_without_an_error_and_reports_its_problems(tree):
    specs_dir = SPECS_TREE / "specs"
    series_dirs = sorted(p.name for p in specs_dir.iterdir() if p.is_dir() and p.name != "policy")
    rst_files = [p for name in series_dirs for p in (specs_dir / name).glob("*.rst")]

    assert tree.series_names == tuple(series_dirs)
    assert tree.series_names[0] == "juno" and tree.series_names[-1] == "zed"
    assert len(tree.specs) + sum(i.path.count("/") == 2 for i in tree.ignored) == len(rst_files)
    for parsed in tree.specs:
        assert parsed.title and parsed.sections, parsed.source
        assert LAUNCHPAD_NAME.match(parsed.blueprint_name), parsed.source
    lines = {
        s.source: len((SPECS_TREE / s.source).read_text(encoding="utf-8").splitlines())
        for s in tree.specs
    }
    assert tree.problems, "the real specs are uneven: some problems must be reported"
    for problem in tree.problems:
        assert 0 <= problem.line <= lines[problem.source], problem


def test_reading_one_series_gives_that_series_of_the_whole_tree(tree):
    pike = read_specs_tree(SPECS_TREE, series="pike")

    assert pike.series_names == ("pike",)
    assert pike.specs == tree.in_series("pike")


def test_templates_policies_and_placeholders_are_not_specs(tree):
    ignored = {i.path: i.reason for i in tree.ignored}

    assert "specs/template.rst" in ignored and "specs/policy-template.rst" in ignored
    assert ignored["specs/policy"] == "team policies, not features"
    assert ignored["specs/zed/placeholder.rst"].startswith("placeholder")
    assert not any(s.source.startswith("specs/policy/") for s in tree.specs)


def test_the_tree_rule_on_a_fixture_repository():
    toy = read_specs_tree(TOY_TREE)
    ignored = {i.path: i.reason for i in toy.ignored}

    assert [s.source for s in toy.specs] == [
        "specs/pike/composable-ha.rst",
        "specs/pike/composable-upgrades.rst",
    ]
    assert ignored["specs/pike/index.rst"] == ignored["specs/pike/pike-template.rst"]
    assert ignored["specs/pike/notes"] == "sub-directory"
    assert ignored["specs/template.rst"] == "template"
    assert "specs/policy" in ignored


# --- the spec's own blueprint ---------------------------------------------------------------


def test_a_spec_without_a_blueprint_url_is_linked_by_its_file_name(tree):
    certmonger = spec(tree, "ocata/ssl-certmonger.rst")

    assert certmonger.blueprint is None and certmonger.blueprint_links == ()
    assert (certmonger.linked_by, certmonger.blueprint_name) == ("file-name", "ssl-certmonger")
    [problem] = [p for p in certmonger.problems if "linked by file name" in p.message]
    assert problem.line == certmonger.title_line == line_of("ocata/ssl-certmonger.rst", "PKI")


def test_a_file_name_with_underscores_names_a_launchpad_blueprint_with_hyphens(tree):
    ingress = spec(tree, "yoga/tripleo_ceph_ingress.rst")

    assert (ingress.linked_by, ingress.blueprint_name) == ("file-name", "tripleo-ceph-ingress")


def test_the_template_placeholder_url_under_the_title_links_nothing(tree):
    # queens/tripleo-messaging.rst kept the template's https://blueprints.launchpad.net/tripleo
    messaging = spec(tree, "queens/tripleo-messaging.rst")

    assert messaging.linked_by == "file-name"
    assert messaging.blueprint_name == "tripleo-messaging"
    assert [link.name for link in messaging.blueprint_links] == ["om-dual-backends"]
    [problem] = [p for p in messaging.problems if "names no blueprint" in p.message]
    assert problem.line == line_of("queens/tripleo-messaging.rst", "blueprints.launchpad.net")


def test_two_blueprint_urls_under_the_title_the_first_is_the_specs_own(tree):
    healthchecks = spec(tree, "pike/container-healthchecks.rst")
    path = "pike/container-healthchecks.rst"

    assert healthchecks.blueprint.name == "container-healthchecks"
    assert healthchecks.blueprint.line == line_of(path, "+spec/container-healthchecks")
    assert [(r.name, r.line) for r in healthchecks.references] == [
        ("containerize-tripleo", line_of(path, "+spec/containerize-tripleo"))
    ]


def test_blueprint_references_are_kept_in_order_with_their_lines(tree):
    plan_export = spec(tree, "ocata/gui-plan-import-export.rst")
    links = plan_export.blueprint_links

    assert links[0] == plan_export.blueprint
    assert [link.name for link in plan_export.references] == [
        "enhance-plan-creation-with-plan-environment-json",
        "plan-export-workflow",
        "plan-export-command",
        "plan-export-gui",
    ]
    assert [link.line for link in links] == sorted(link.line for link in links)
    for link in links:
        assert link.url in (SPECS_TREE / plan_export.source).read_text().splitlines()[link.line - 1]


def test_the_specs_own_url_may_sit_in_a_footnote_referenced_under_the_title(tree):
    # victoria/simple-container-generation.rst: "[#f3]_" under the title, the URL at the end
    containers = spec(tree, "victoria/simple-container-generation.rst")

    assert containers.linked_by == "url"
    assert containers.blueprint_name == "simplified-containers"
    assert containers.blueprint.line > containers.sections[-1].line


def test_a_link_naming_the_file_is_the_specs_own_when_none_is_under_the_title(tree):
    # juno/oac-header.rst links its blueprint only in the Dependencies prose
    oac = spec(tree, "juno/oac-header.rst")

    assert (oac.linked_by, oac.blueprint_name) == ("url", "oac-header")


@pytest.mark.parametrize(
    ("path", "name", "complaint"),
    [
        ("ocata/tripleo-repos.rst", "tripleo-repos", "lacks '+spec/'"),
        ("juno/virtual-public-ips.rst", "tripleo-juno-virtual-public-ips", "'+specs/'"),
        ("ussuri/scaling-with-ansible-inventory.rst", "scaling-with-ansible-inventory", "lower"),
    ],
)
def test_misspelt_blueprint_urls_are_read_and_reported(tree, path, name, complaint):
    parsed = spec(tree, path)

    assert (parsed.linked_by, parsed.blueprint_name) == ("url", name)
    assert any(complaint in p.message for p in parsed.problems), parsed.problems


# --- assignees ------------------------------------------------------------------------------


def test_primary_assignee_on_the_same_line_and_contributors_as_a_list(tree):
    # "Primary assignee: shardy" / "Other contributors: marios, emacchi, matbu, chem, lbezdick,"
    upgrades = spec(tree, "ocata/tripleo-composable-upgrades.rst")

    assert [p.token for p in upgrades.assignees.primary] == ["shardy"]
    assert [p.token for p in upgrades.assignees.others] == [
        "marios",
        "emacchi",
        "matbu",
        "chem",
        "lbezdick",
    ]
    assert "Primary assignee: shardy" in upgrades.assignees.raw


def test_primary_assignee_on_the_next_line(tree):
    capture = spec(tree, "ocata/capture-environment-status-and-logs.rst")

    assert [p.token for p in capture.assignees.primary] == ["alex-schultz"]
    assert capture.assignees.others == ()


def test_primary_assignee_as_an_email_in_angle_brackets(tree):
    # ocata: "Primary assignee: <shardy@redhat.com>"; newton: "dsneddon <dsneddon@redhat.com>"
    [shardy] = spec(tree, "ocata/step-by-step-validation.rst").assignees.primary
    [dsneddon] = spec(tree, "newton/tripleo-lldp-validation.rst").assignees.primary

    assert (shardy.token, shardy.email) == ("shardy@redhat.com", "shardy@redhat.com")
    assert (dsneddon.token, dsneddon.email) == ("dsneddon", "dsneddon@redhat.com")


def test_several_primary_assignees(tree):
    # om-dual-backends: two bullets "Name <email>"; containerize: a label without a colon
    dual = spec(tree, "ocata/om-dual-backends.rst").assignees.primary
    containers = spec(tree, "ocata/containerize-tripleo-overcloud.rst").assignees
    upgrade = spec(tree, "rocky/tripleo-upgrade.rst").assignees.primary

    assert [(p.name, p.email) for p in dual] == [
        ("John Eckersberg", "jeckersb@redhat.com"),
        ("Andy Smith", "ansmith@redhat.com"),
    ]
    assert [p.token for p in containers.primary] == ["rhallisey", "imain", "flaper87", "mandre"]
    assert [p.token for p in containers.others] == ["dprince", "emilienm"]
    assert [p.token for p in upgrade] == ["matbu", "mcornea"]


def test_a_launchpad_id_the_text_names_is_the_persons_token(tree):
    [dan] = spec(tree, "juno/network_configuration.rst").assignees.primary
    [dmitry] = spec(tree, "stein/nova-less-deploy.rst").assignees.primary

    assert (dan.token, dan.name) == ("dan-prince", "Dan Prince")
    assert (dmitry.token, dmitry.name, dmitry.handles) == (
        "divius",
        "Dmitry Tantsur",
        ("divius", "dtantsur"),
    )


def test_remarks_after_a_handle_are_not_handles(tree):
    [lifeless] = spec(tree, "juno/virtual-public-ips.rst").assignees.primary  # "(hahahaha)"
    ceph = spec(tree, "pike/tripleo-ceph-ansible-integration.rst").assignees.others
    [fultonj] = spec(tree, "stein/upgrades-with-operating-system.rst").assignees.others

    assert lifeless.handles == ("lifeless",)
    assert ceph[-1].raw == "d0ugal (to review Mistral workflows/actions)"
    assert ceph[-1].handles == ("d0ugal",)
    assert (fultonj.token, fultonj.raw) == ("fultonj", "fultonj for Ceph")


def test_placeholders_are_no_one_and_prose_is_reported_not_invented(tree):
    repos = spec(tree, "ocata/tripleo-repos.rst")  # "Other contributors: <launchpad-id or None>"
    squads = spec(tree, "stein/all-in-one-upgrades-jobs.rst")  # "tripleo-ci and upgrades squads"

    assert repos.assignees.others == ()
    assert squads.assignees.primary == squads.assignees.others == ()
    assert any("tripleo-ci and upgrades squads" in p.message for p in squads.problems)


# --- work items -----------------------------------------------------------------------------


def test_work_items_are_the_bullets_and_the_prose_around_them_is_ignored(tree):
    # composable-ha: "We need to work on the following:" before a numbered list
    ha = spec(tree, "ocata/composable-ha-architecture.rst")
    # validations-in-workflows: the template's own paragraph left above the bullets
    validations = spec(tree, "ocata/validations-in-workflows.rst")

    assert [w.title for w in ha.work_items][0] == "Add location rule constraints support in puppet"
    assert not any("following" in w.title for w in ha.work_items)
    assert len(validations.work_items) == 5
    assert not any("Work items or tasks" in w.title for w in validations.work_items)
    assert validations.work_items[0].title.startswith("Add run_validations input")  # no ``


def test_link_lines_of_a_work_item_become_its_links(tree):
    # gui-plan-import-export: "* tripleo-common: …\n  blueprint: https://…"; a Note after the list
    plan_export = spec(tree, "ocata/gui-plan-import-export.rst")

    assert [w.title for w in plan_export.work_items] == [
        "tripleo-common: Enhance plan creation/update to consume plan-environment.json",
        "tripleo-common: Add plan export workflow",
        "python-tripleoclient: Add plan export command",
        "tripleo-ui: Integrate plan export into UI",
    ]
    assert plan_export.work_items[3].links == (
        "https://blueprints.launchpad.net/tripleo/+spec/plan-export-gui",
    )


def test_nested_bullets_are_flattened_under_their_parent(tree):
    step = spec(tree, "ocata/step-by-step-validation.rst")
    disk = spec(tree, "xena/whole-disk-default.rst")

    # the parent ends with "the following steps:": a heading for its three sub-steps
    assert len(step.work_items) == 4
    assert all(w.title.startswith("implement the validation tool") for w in step.work_items[1:])
    assert step.work_items[1].title.endswith(
        "steps: collect yaml files from the servers on the undercloud."
    )
    assert "RDO jobs: add periodic job for overcloud-hardened-uefi-full" in {
        w.title for w in disk.work_items
    }
    assert "RDO jobs:" not in {w.title for w in disk.work_items}


def test_sub_headings_in_work_items_prefix_their_items(tree):
    mnt = spec(tree, "juno/tripleo-juno-configurable-mnt-state.rst")

    assert mnt.work_items[0].title.startswith("tripleo-incubator: Update troubleshooting docs")
    assert mnt.work_items[-1].title.startswith("tripleo-image-elements: make use-ephemeral")


def test_literal_blocks_in_work_items_are_not_items(tree):
    network = spec(tree, "juno/network_configuration.rst")

    assert not any("ovs_bridge" in w.title or "type:" in w.title for w in network.work_items)
    assert network.work_items[-1].title.startswith("TripleO heat template changes")


def test_work_items_without_a_list_are_read_by_paragraph_and_reported(tree):
    ntp = spec(tree, "ocata/undercloud-ntp-server.rst")  # two paragraphs of prose
    puppet = spec(tree, "mitaka/refactor-puppet-manifests.rst")  # three lines, no bullets

    assert [w.title.split()[:2] for w in ntp.work_items] == [
        ["The", "TripleO"],
        ["Implement", "opening"],
    ]
    assert any("no list" in p.message for p in ntp.problems)
    assert [w.title for w in puppet.work_items] == [
        "Move overcloud controller to profile classes",
        "Move overcloud controller pacemaker to profile classes",
        "Move any other classes from the smaller manifests in t-h-t",
    ]


def test_work_items_pointing_elsewhere_list_nothing(tree):
    # "As outlined in the proposed changes."
    realtime = spec(tree, "pike/tripleo-realtime.rst")

    assert realtime.work_items == ()
    assert any("points elsewhere" in p.message for p in realtime.problems)


# --- dependencies ---------------------------------------------------------------------------


def test_dependencies_by_blueprint_url(tree):
    sriov = spec(tree, "newton/tripleo-sriov.rst")
    rsyslog = spec(tree, "rocky/tripleo-rsyslog-remote-logging.rst")

    assert [(d.kind, d.project, d.name) for d in sriov.dependencies] == [
        ("blueprint", "tripleo", "composable-services-within-roles")
    ]
    blueprints = [d for d in rsyslog.dependencies if d.kind == "blueprint"]
    assert [d.name for d in blueprints] == ["logging-stdout-rsyslog"]
    assert not any(d.text == "Blueprint dependencies:" for d in rsyslog.dependencies)


def test_dependencies_by_spec_link_take_that_specs_blueprint(tree):
    # pike: a target to specs.openstack.org/…/ocata/containerize-tripleo-overcloud.html
    healthchecks = spec(tree, "pike/container-healthchecks.rst")
    # newton: "tripleo-mistral-deployment-library [2]", [2] listed under References
    validations = spec(tree, "newton/validations.rst")

    [containers] = healthchecks.dependencies
    assert (containers.kind, containers.spec, containers.name) == (
        "spec",
        "ocata/containerize-tripleo-overcloud",
        "containerize-tripleo",
    )
    [mistral] = validations.dependencies
    assert (mistral.kind, mistral.spec) == ("spec", "mitaka/tripleo-mistral-deployment-library")


def test_dependencies_naming_another_specs_file_are_resolved_in_the_tree(tree):
    # ussuri: "Depends on nova-less-deploy work …" (stein/nova-less-deploy.rst)
    scaling = spec(tree, "ussuri/scaling-with-ansible-inventory.rst")

    assert (scaling.dependencies[0].kind, scaling.dependencies[0].name) == (
        "spec",
        "nova-less-deploy",
    )
    assert scaling.dependencies[1].kind == "text"


def test_dependencies_naming_another_specs_title_are_resolved_in_the_tree():
    # no real spec names another by its exact title: the fixture's upgrades spec does
    toy = read_specs_tree(TOY_TREE)
    upgrades = next(s for s in toy.specs if s.slug == "composable-upgrades")

    assert [(d.kind, d.name, d.spec) for d in upgrades.dependencies] == [
        ("spec", "composable-ha", "pike/composable-ha"),
        ("text", "", ""),
    ]
    assert upgrades.dependencies[1].text == "Operators will want a maintenance window."


def test_prose_dependencies_are_kept_as_text(tree):
    dual = spec(tree, "ocata/om-dual-backends.rst")

    [prose] = dual.dependencies
    assert prose.kind == "text"
    assert "oslo.messaging V5.10 or later" in prose.text


def test_none_or_an_empty_dependencies_section_is_no_dependency(tree):
    validations = spec(tree, "ocata/validations-in-workflows.rst")  # "None"
    # empty in the spec: "depends on composable HA" is only in the team's summary
    upgrades = spec(tree, "ocata/tripleo-composable-upgrades.rst")

    assert validations.dependencies == () and validations.dependencies_text == "None"
    assert upgrades.dependencies == () and upgrades.dependencies_text == ""


def test_a_dependency_that_depends_on_this_spec_is_marked_reverse(tree):
    # "The configurable /mnt/state spec at: <url> depends on this spec."
    occ = spec(tree, "juno/tripleo-juno-occ-localdatasource.rst")

    [dependency] = occ.dependencies
    assert (dependency.name, dependency.reverse) == ("tripleo-juno-configurable-mnt-state", True)


# --- Gerrit ---------------------------------------------------------------------------------


def test_change_ids_of_prototypes_carry_their_review(tree):
    upgrades = spec(tree, "ocata/tripleo-composable-upgrades.rst")
    path = "ocata/tripleo-composable-upgrades.rst"

    change_id = "I39f5426cb9da0b40bec4a7a3a4a353f69319bdf9"
    first = next(ref for ref in upgrades.gerrit if ref.change_id == change_id)
    assert first.line == line_of(path, change_id)
    assert (first.url, first.number) == ("https://review.openstack.org/#/c/393448/", 393448)


def test_change_ids_in_prose_are_found_with_their_lines(tree):
    heat_env = spec(tree, "juno/promote-heat-env.rst")
    path = "juno/promote-heat-env.rst"

    assert [(ref.change_id, ref.line) for ref in heat_env.gerrit if ref.change_id] == [
        ("I5b7c8a27a9348d850d1a6e4ab79304cf13697828", line_of(path, "I5b7c8a27")),
        ("I42a9d4b85edcc99d13f7525e964baf214cdb7cbf", line_of(path, "I42a9d4b8")),
    ]


def test_review_urls_give_their_change_numbers(tree):
    keystoneless = spec(tree, "xena/keystoneless-undercloud.rst")

    numbers = [ref.number for ref in keystoneless.gerrit if ref.url]
    assert 802234 in numbers and 794912 in numbers
    assert all(ref.line for ref in keystoneless.gerrit)


# --- sections -------------------------------------------------------------------------------


def test_top_level_sections_keep_title_body_and_line(tree):
    ha = spec(tree, "ocata/composable-ha-architecture.rst")
    lines = (SPECS_TREE / ha.source).read_text(encoding="utf-8").splitlines()
    titles = [s.title for s in ha.sections]

    assert titles[0] == "Problem Description" and titles[-1] == "References"
    assert {"Proposed Change", "Implementation", "Dependencies", "Testing"} <= set(titles)
    for section in ha.sections:
        assert lines[section.line - 1].strip() == section.title
        assert section.body.strip()
        assert not any(
            other.title == line for other in ha.sections for line in section.body.splitlines()
        )
    implementation = ha.section("Implementation")
    assert "Work Items" in implementation.body and "Assignee(s)" in implementation.body


# --- unreadable input -----------------------------------------------------------------------


def _toy_copy(tmp_path: Path) -> Path:
    root = tmp_path / "specs-repo"
    (root / "specs" / "ocata").mkdir(parents=True)
    (root / "specs" / "ocata" / "fine.rst").write_text(
        (TOY_TREE / "specs" / "pike" / "composable-ha.rst").read_text()
    )
    return root


def test_a_symbolic_link_is_refused_naming_the_file(tmp_path):
    root = _toy_copy(tmp_path)
    (tmp_path / "outside.rst").write_text("secret")
    (root / "specs" / "ocata" / "linked.rst").symlink_to(tmp_path / "outside.rst")

    with pytest.raises(SpecError, match="specs/ocata/linked.rst: a symbolic link"):
        read_specs_tree(root)


def test_a_symbolic_link_to_a_series_outside_the_tree_is_refused(tmp_path):
    root = _toy_copy(tmp_path)
    (tmp_path / "elsewhere").mkdir()
    (root / "specs" / "pike").symlink_to(tmp_path / "elsewhere")

    with pytest.raises(SpecError, match="specs/pike"):
        read_specs_tree(root)


def test_a_specs_directory_resolving_outside_the_tree_is_refused(tmp_path):
    real = _toy_copy(tmp_path) / "specs"
    root = tmp_path / "checkout"
    root.mkdir()
    (root / "specs").symlink_to(real)

    with pytest.raises(SpecError, match="outside the specs repository"):
        read_specs_tree(root)


def test_a_file_over_the_size_cap_is_refused(tmp_path):
    root = _toy_copy(tmp_path)
    (root / "specs" / "ocata" / "huge.rst").write_bytes(b"=\n" * (MAX_SPEC_BYTES // 2 + 1))

    with pytest.raises(SpecError, match="huge.rst: larger than"):
        read_specs_tree(root)


def test_a_file_that_is_not_utf8_is_refused_with_its_line(tmp_path):
    root = _toy_copy(tmp_path)
    (root / "specs" / "ocata" / "latin1.rst").write_bytes(b"=====\nTitle\n=====\n\nCaf\xe9\n")

    with pytest.raises(SpecError, match=r"latin1.rst:5: not UTF-8"):
        read_specs_tree(root)


def test_a_fifo_is_refused_without_blocking(tmp_path):
    root = _toy_copy(tmp_path)
    os.mkfifo(root / "specs" / "ocata" / "pipe.rst")

    with pytest.raises(SpecError, match="pipe.rst: not a regular file"):
        read_specs_tree(root)


def test_a_series_name_cannot_leave_the_tree(tmp_path):
    root = _toy_copy(tmp_path)

    with pytest.raises(SpecError, match="no such series"):
        read_specs_tree(root, series="../..")
    with pytest.raises(SpecError, match="no such series"):
        read_specs_tree(root, series="policy")


def test_binary_text_is_refused_but_uneven_text_is_read():
    with pytest.raises(SpecError, match="x.rst:2: binary content"):
        parse_spec("Title\n\x00\n", source="specs/ocata/x.rst")

    parsed = parse_spec("just words, no headings\n\n* a bullet", source="specs/ocata/x.rst")
    assert parsed.title == "" and parsed.linked_by == "file-name"
    assert {p.message for p in parsed.problems} >= {
        "no headings: no title and no sections",
        "no Work Items section",
    }


# --- rendering ------------------------------------------------------------------------------


class _Attributes(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes += [(name, value or "") for name, value in attrs]


def parsed_html(html: str) -> _Attributes:
    parser = _Attributes()
    parser.feed(html)
    return parser


def assert_harmless(html: str) -> None:
    parsed = parsed_html(html)
    assert "script" not in parsed.tags
    for name, value in parsed.attributes:
        assert not name.startswith("on"), (name, value)
        if name in URL_ATTRIBUTES:
            compact = "".join(value.split()).lower()
            assert not compact.startswith(("javascript:", "data:", "vbscript:")), (name, value)


def test_a_real_section_renders_as_html(tree):
    body = spec(tree, "ocata/composable-ha-architecture.rst").section("Proposed Change").body

    html = render_rst(body)

    assert html.startswith("<") and "<p>" in html
    assert "System Message" not in html and "<h1" not in html
    assert_harmless(html)


@pytest.mark.parametrize(
    ("body", "forbidden"),
    [
        (".. raw:: html\n\n   <script>alert('SECRET')</script>\n\nafter", "SECRET"),
        (".. raw:: html\n\n   <b>SECRET</b>\n\nafter", "SECRET"),
        (".. raw:: html\n   :file: {secret}\n\nafter", "SECRET"),
        (".. include:: {secret}\n\nafter", "SECRET"),
        (".. include:: {secret}\n   :literal:\n\nafter", "SECRET"),
        (".. csv-table:: t\n   :file: {secret}\n\nafter", "SECRET"),
        # the role is refused; its text stays, escaped
        (".. role:: html(raw)\n   :format: html\n\n:html:`<b>SECRET</b>`\n\nafter", "<b>"),
    ],
)
def test_raw_html_and_file_inclusion_are_disabled(tmp_path, body, forbidden):
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET\n")

    html = render_rst(body.format(secret=secret))

    assert forbidden not in html
    assert "<p>after</p>" in html  # rendered by docutils, not the plain-text fallback
    assert_harmless(html)


def test_script_tags_in_text_are_escaped():
    html = render_rst("Hello <script>alert(1)</script> <img src=x onerror=alert(1)>")

    assert "&lt;script&gt;" in html
    assert_harmless(html)


def test_javascript_links_lose_their_url():
    html = render_rst(
        "`click <javascript:alert(1)>`_ and `named`_ and `DATA <data:text/html,x>`_\n\n"
        ".. _named: JavaScript:alert(2)\n\n"
        ".. image:: javascript:alert(3)\n   :target: javascript:alert(4)\n"
    )

    assert "click" in html and "named" in html
    assert_harmless(html)


def test_the_sanitiser_drops_what_docutils_would_never_write():
    html = sanitise_html(
        '<p onclick="x()">a<script>evil()</script><a href=" java\tscript:x">b</a>'
        '<iframe src="https://x"></iframe><img src="https://example.org/i.png" onerror="y">'
        '<a href="https://example.org/">c</a></p>'
    )

    assert html == (
        '<p>a<a>b</a><img src="https://example.org/i.png"><a href="https://example.org/">c</a></p>'
    )


def test_broken_rest_still_renders():
    html = render_rst("`unclosed\n\n.. no-such-directive::\n\n|undefined| and [9]_\n\nTitle\n==\n")

    assert "unclosed" in html
    assert_harmless(html)


def test_sections_render_with_the_links_and_footnotes_other_sections_define():
    bodies = [
        "See workflow_, `Some Doc`_ and [1]_.",
        "No reference here.",
        ".. _workflow: https://a.example/x\n\n.. [1] https://b.example/y\n   continued\n\n"
        ".. _some doc:\n   https://c.example/\n\nplain",
    ]

    first, second, third = render_spec_sections(bodies)

    hrefs = re.findall(r'href="([^"]+)"', first)
    assert {"https://a.example/x", "https://c.example/", "https://b.example/y"} <= set(hrefs)
    assert "workflow_" not in first and "continued" in first  # the footnote came along
    assert "href" not in second  # nothing it does not refer to
    # ids stay distinct across the sections of one page
    ids = re.findall(r'id="([^"]+)"', first + third)
    assert len(ids) == len(set(ids)) and all(i.startswith(("spec-1-", "spec-3-")) for i in ids)
