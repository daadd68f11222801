"""What every planner viewset shares: role checks on writes and a stable ordering.

Views hold no business logic: serializers validate shape, services do the work and check
roles; ``RolePermission`` asks the same permission predicates again before an object is
written, so a refused write never reaches validation. A service's Django ``ValidationError`` or
``PermissionDenied`` becomes DRF's answer in one place, ``core.exceptions.exception_handler``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.db.models import Model
from django_filters import rest_framework as filters
from rest_framework import permissions
from rest_framework.exceptions import ValidationError
from rest_framework.fields import SkipField, empty
from rest_framework.request import Request

from core.filters import StrictOrderingFilter

ObjectPredicate = Callable[[Any, Any], bool]


class RolePermission(permissions.BasePermission):
    """Reads are public; writes need a login, and writes on an object need the view's
    predicate for that action (``object_permissions``), the same one the service checks."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        return bool(request.user and request.user.is_authenticated)

    def has_object_permission(self, request: Request, view: Any, obj: Model) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        predicate = view.object_permissions.get(view.action)
        return bool(predicate and predicate(request.user, obj))


class PlannerViewSetMixin:
    """Role-checked writes, django-filter FilterSets and a strict, stable ``?ordering=``.

    Creating asks permission before the body is validated, as writes on an object do
    (``has_object_permission`` runs before the serializer): otherwise the answers to a user who
    may not create anything ("no user named x" against "not allowed") would tell which
    accounts exist. ``create_parents`` names the fields of the parent the new row belongs to
    (public objects: a blueprint, a squad, a project); only they are validated first, then
    ``create_permission(user, data, **parents)`` (a staticmethod) decides, and only then the
    rest is validated.
    """

    permission_classes = [RolePermission]
    filter_backends = [filters.DjangoFilterBackend, StrictOrderingFilter]
    object_permissions: dict[str, ObjectPredicate] = {}
    create_parents: tuple[str, ...] = ()
    create_permission: Callable[..., bool] | None = None

    def check_permissions(self, request: Request) -> None:
        super().check_permissions(request)  # type: ignore[misc]
        if getattr(self, "action", None) == "create":
            self.check_create_permission(request)

    def check_create_permission(self, request: Request) -> None:
        predicate = self.create_permission  # a staticmethod on the viewset
        if predicate is None or not isinstance(request.data, Mapping):
            return  # the serializer reports a body that is not an object
        fields = self.get_serializer().fields  # type: ignore[attr-defined]
        parents: dict[str, Any] = {}
        errors: dict[str, Any] = {}
        for name in self.create_parents:
            try:
                parents[name] = fields[name].run_validation(request.data.get(name, empty))
            except SkipField:
                parents[name] = None
            except ValidationError as exc:
                errors[name] = exc.detail
        if errors:
            raise ValidationError(errors)
        if not predicate(request.user, request.data, **parents):
            self.permission_denied(request, message="You may not create this.")  # type: ignore[attr-defined]
