"""The TripleO Ocata plan as demo data, written from public facts.

Sources: the TripleO squads policy (tripleo-specs ``specs/policy/squads.rst``), the Ocata
specs (tripleo-specs ``specs/ocata/``) and the team's "Barcelona Summit summary"
(openstack-dev, 31 Oct 2016). Statuses and work-item states are plausible, not historical.
Accounts are role accounts (``ptl``, ``ci-lead``, …), not real people.
"""

from releases.kinds import EventKind as K

PROJECT = {
    "name": "tripleo",
    "title": "TripleO",
    "launchpad": "tripleo",
    "ptl_group": "tripleo-ptl",
}

# slug, name, area, lead account
SQUADS = [
    (
        "ci",
        "ci",
        "Continuous-integration tooling and system (every squad keeps its own tests green)",
        "ci-lead",
    ),
    ("ui-cli", "ui/cli", "TripleO UI and CLI (goal: parity between CLI and UI)", "ui-cli-lead"),
    ("upgrade", "upgrade", "TripleO upgrades", "upgrade-lead"),
    ("validations", "validations", "Validations tooling", "validations-lead"),
    ("workflows", "workflows", "TripleO workflows (Mistral)", "workflows-lead"),
    ("containers", "containers", "TripleO deployed in containers", "containers-lead"),
    ("networking", "networking", "Networking (TLS / IPv6 work)", "networking-lead"),
    ("integration", "integration", "Configuration management of services", "integration-lead"),
]
SQUAD_MISSION = (
    "Squad of the TripleO squads policy (Ocata trial): anyone may join or leave; the lead is "
    "the squad's representative to the PTL at the weekly cross-squad meeting."
)

# account → squads it is a plain member of (a person may be in several squads)
CONTRIBUTORS = {"contributor1": ["ci", "upgrade"], "contributor2": ["containers"]}

# squad slug → (account, topic); the "Area Experts" policy was still being discussed.
AREA_EXPERTS = [("ci", "ci-lead", "tripleo-quickstart"), ("upgrade", "upgrade-lead", "")]

# squad slug → goals for Ocata, (title, status)
GOALS = {
    "containers": [
        ("Bring the containers CI job back alive and green", "achieved"),
        (
            "Iterate on composability to expand the deployment with controller services",
            "in-progress",
        ),
    ],
    "upgrade": [
        ("Baby steps on composable service upgrades (bash + Heat for now)", "in-progress"),
    ],
    "ci": [
        ("Allow anyone to run what TripleO CI tests", "in-progress"),
        ("Move OVB jobs to third-party CI on RDO cloud with tripleo-quickstart", "in-progress"),
        ("Extend multinode jobs beyond 2 nodes", "proposed"),
        ("Improve Tempest result visibility", "achieved"),
    ],
    "ui-cli": [
        ("Parity between CLI and UI", "in-progress"),
        ("Stabilise deployment and upgrade workflows", "in-progress"),
    ],
}

# Work-item states: D DONE, I INPROGRESS, T TODO, B BLOCKED, P POSTPONED.
# name: (title, squad, priority, implementation status, milestone kind, goal index or None,
#        whiteboard, [(work item, state, assignee or None)])
BLUEPRINTS = {
    "overcloud-upgrades-per-service": (
        "Composable Service Upgrades",
        "upgrade",
        "High",
        "Needs Code Review",
        K.MILESTONE_3,
        0,
        "Depends on composable HA (Barcelona summary).",
        [
            ("upgrade_tasks in the service templates", "D", "upgrade-lead"),
            ("Ansible driver for the upgrade steps", "I", "contributor1"),
            ("Document the per-service upgrade workflow", "T", None),
            ("Upgrade CI job", "I", "contributor1"),
        ],
    ),
    "composable-ha": (
        "Composable HA architecture",
        "integration",
        "Essential",
        "Implemented",
        K.MILESTONE_2,
        None,
        "Headline feature of Ocata.",
        [
            ("Pacemaker service profiles in puppet-tripleo", "D", "integration-lead"),
            (
                "Composable pacemaker-managed services in the heat templates",
                "D",
                "integration-lead",
            ),
            ("Upgrade path from the Newton HA architecture", "D", None),
            ("Multinode CI job with composable HA", "D", "ci-lead"),
        ],
    ),
    "heat-undercloud": (
        "Deploy the undercloud with Heat (composable undercloud)",
        "integration",
        "High",
        "Good progress",
        K.MILESTONE_3,
        None,
        "Headline feature (experimental in Ocata).",
        [
            ("Heat-based undercloud deployment in tripleoclient", "D", "integration-lead"),
            ("Composable undercloud services", "D", None),
            ("CI job deploying the undercloud with Heat", "I", "ci-lead"),
        ],
    ),
    "containerize-tripleo": (
        "Deploying TripleO in Containers",
        "containers",
        "High",
        "Slow progress",
        K.MILESTONE_3,
        1,
        "Depends on composable roles.",
        [
            ("Kolla images for the overcloud services", "D", "containers-lead"),
            ("docker service templates for compute", "D", "contributor2"),
            ("Containerised controller services", "I", "containers-lead"),
            ("Containers CI job green", "I", "contributor2"),
            ("Upgrade from baremetal to containers", "T", None),
            ("Container image build in CI", "B", None),
        ],
    ),
    "ssl-certmonger": (
        "PKI management of the overcloud using Certmonger (TLS everywhere)",
        "networking",
        "High",
        "Good progress",
        K.MILESTONE_3,
        None,
        "No Launchpad link in the spec.",
        [
            ("Certmonger on the overcloud nodes", "D", "networking-lead"),
            ("FreeIPA as the certificate authority", "D", "networking-lead"),
            ("Certificates for HAProxy public endpoints", "D", None),
            ("Certificates for internal endpoints", "D", None),
            ("TLS for the database and messaging", "D", None),
            ("TLS for the remaining services", "I", "networking-lead"),
            ("TLS-everywhere documentation", "T", None),
        ],
    ),
    "use-tripleo-quickstart-and-tripleo-quickstart-extras-for-the-tripleo-ci-toolset": (
        "Make tripleo-quickstart the third-party CI toolset",
        "ci",
        "High",
        "Good progress",
        K.MILESTONE_3,
        1,
        "",
        [
            ("Quickstart-based OVB jobs on RDO cloud", "D", "ci-lead"),
            ("Reproducer script for every CI job", "D", "contributor1"),
            ("Switch upstream multinode jobs to quickstart", "I", "ci-lead"),
        ],
    ),
    "validations-in-workflows": (
        "Validations in TripleO Workflows",
        "validations",
        "Medium",
        "Implemented",
        K.MILESTONE_2,
        None,
        "",
        [
            ("Mistral workflow to run validations", "D", "validations-lead"),
            ("Validation groups (pre-introspection, pre-deployment, post-deployment)", "D", None),
            ("Run validations from tripleoclient", "D", "validations-lead"),
            ("Show validation results in the UI", "D", None),
            ("Documentation", "D", None),
        ],
    ),
    "step-by-step-validation": (
        "Step by step validation",
        "validations",
        "Medium",
        "Started",
        K.MILESTONE_3,
        None,
        "",
        [
            ("Validate each deployment step as it completes", "D", "validations-lead"),
            ("Stop the deployment on a failed step", "T", None),
        ],
    ),
    "deployment-configuration-improvements": (
        "GUI deployment configuration improvements",
        "ui-cli",
        "Medium",
        "Good progress",
        K.MILESTONE_3,
        0,
        "",
        [
            ("Environment selection grouped by capability", "D", "ui-cli-lead"),
            ("Parameter editing per environment", "D", "ui-cli-lead"),
            ("Role-specific parameters", "D", None),
            ("Nested parameter validation", "D", None),
            ("Show parameter descriptions", "D", None),
            ("Default values from the plan", "D", None),
            ("Role count editing", "D", "ui-cli-lead"),
            ("Flavor assignment per role", "D", None),
            ("Network configuration summary", "I", "ui-cli-lead"),
            ("Deployment plan diff before deploy", "I", None),
            ("Undo of unsaved configuration", "T", None),
            ("Configuration help links", "T", None),
        ],
    ),
    "gui-plan-import-export": (
        "GUI: import/export deployment plan",
        "ui-cli",
        "Medium",
        "Implemented",
        K.MILESTONE_2,
        0,
        "",
        [
            ("Export plan workflow", "D", "ui-cli-lead"),
            ("Export plan from the GUI", "D", "ui-cli-lead"),
            ("Import plan from a tarball", "D", None),
            ("CLI parity for plan export", "D", None),
        ],
    ),
    "capture-environment-status-and-logs": (
        "Tool to capture environment status and logs",
        "ci",
        "Medium",
        "Needs Code Review",
        K.MILESTONE_3,
        3,
        "",
        [
            ("Collect logs from all nodes", "D", "ci-lead"),
            ("Capture service status", "D", None),
            ("Upload to a shared location", "D", "contributor1"),
            ("tripleoclient command", "I", "ci-lead"),
            ("Documentation", "T", None),
        ],
    ),
    "om-dual-backends": (
        "Alternative oslo.messaging backends",
        "integration",
        "Medium",
        "Good progress",
        K.MILESTONE_3,
        None,
        "Needs oslo.messaging >= 5.10.",
        [
            ("qdrouterd puppet module", "D", "integration-lead"),
            ("Separate RPC and notification transports in the templates", "D", None),
            ("Composable messaging services", "D", None),
            ("Dispatch-router on the controllers", "I", "integration-lead"),
            ("CI job with the AMQP 1.0 backend", "I", None),
            ("Documentation", "T", None),
        ],
    ),
    "tripleo-opstools-performance-monitoring": (
        "Performance monitoring deployment",
        "integration",
        "Low",
        "Implemented",
        K.MILESTONE_2,
        None,
        "",
        [
            ("collectd client service", "D", "integration-lead"),
            ("Environment for the opstools server", "D", None),
        ],
    ),
    "tripleo-repos": (
        "TripleO repo management tool",
        "ci",
        "Medium",
        "Implemented",
        K.MILESTONE_3,
        0,
        "",
        [
            ("tripleo-repos command", "D", "ci-lead"),
            ("Current and current-tripleo repositories", "D", None),
            ("Ceph repositories", "D", None),
            ("Use in quickstart", "D", "contributor1"),
            ("Use in the documentation", "D", None),
            ("Package for RDO", "P", None),
        ],
    ),
    "undercloud-ntp-server": (
        "Undercloud NTP server",
        "networking",
        "Low",
        "Implemented",
        K.MILESTONE_1,
        None,
        "",
        [
            ("NTP server on the undercloud", "D", "networking-lead"),
            ("Overcloud nodes use the undercloud as NTP server", "D", None),
        ],
    ),
    "tripleo-realtime": (
        "Real-time compute nodes",
        "integration",
        "Low",
        "Deferred",
        K.MILESTONE_3,
        None,
        "Moved to Pike in March 2017.",
        [],
    ),
}

DEPENDENCIES = [("overcloud-upgrades-per-service", "composable-ha")]

# The team wanted to be "more conservative at the end of the cycle".
FFE_POLICY = {
    "request_cutoff": "2017-01-30",
    "max_granted": 3,
    "notes": "RC1 is one week after feature freeze: keep FFEs to a minimum.",
}

# blueprint, requested by, requested on, merge by, risk, rationale, outcome
FFES = [
    (
        "overcloud-upgrades-per-service",
        "upgrade-lead",
        "2017-01-27",
        "2017-02-02",
        "medium",
        "Composable upgrades are needed to upgrade from Newton; the last patches are in review.",
        ("Merged", "2017-02-01"),
    ),
    (
        "containerize-tripleo",
        "containers-lead",
        "2017-01-27",
        "2017-02-02",
        "high",
        "Containerised compute is close; controller services would follow.",
        ("Granted", None),
    ),
    (
        "heat-undercloud",
        "contributor1",
        "2017-01-30",
        "2017-02-02",
        "low",
        "Experimental path only, off by default.",
        ("Requested", None),
    ),
    (
        "tripleo-realtime",
        "integration-lead",
        "2017-01-27",
        "2017-02-02",
        "medium",
        "Kernel arguments for real-time compute roles.",
        ("Denied", "Not ready; retarget to Pike."),
    ),
]
