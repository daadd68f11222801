"""Writes to blueprints, work items and FFEs (one module each); import them from here.

Each service checks the actor's role (``squads.permissions``), validates (``full_clean``),
saves and writes its audit rows in one transaction; what other code must react to is sent as a
domain event after commit (``blueprints.signals``). ``actor=None`` is a trusted system process
(an import, the demo loader, the FFE expiry task).
"""

from blueprints.services.blueprints import (
    BLUEPRINT_FIELDS,
    blueprint_create,
    blueprint_set_dependencies,
    blueprint_update,
)
from blueprints.services.ffes import (
    ffe_decide,
    ffe_expire_overdue,
    ffe_mark_merged,
    ffe_policy_delete,
    ffe_policy_set,
    ffe_request,
)
from blueprints.services.specs import blueprint_spec_set
from blueprints.services.work_items import work_item_create, work_item_delete, work_item_update

__all__ = [
    "BLUEPRINT_FIELDS",
    "blueprint_create",
    "blueprint_set_dependencies",
    "blueprint_spec_set",
    "blueprint_update",
    "ffe_decide",
    "ffe_expire_overdue",
    "ffe_mark_merged",
    "ffe_policy_delete",
    "ffe_policy_set",
    "ffe_request",
    "work_item_create",
    "work_item_delete",
    "work_item_update",
]
