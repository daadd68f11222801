"""``GET /api/v1/webhook-deliveries/``: the webhook delivery log, read-only, for holders of the
``notifications.view_delivery`` permission (the admin's own rule for the same rows)."""

from typing import Any

from rest_framework import permissions, serializers, viewsets
from rest_framework.request import Request

from notifications.models import Delivery
from notifications.selectors import delivery_list


class DeliverySerializer(serializers.ModelSerializer):
    webhook = serializers.CharField(source="webhook.name")

    class Meta:
        model = Delivery
        fields = [
            "id",
            "webhook",
            "event",
            "source",
            "payload",
            "status",
            "attempts",
            "attempt_log",
            "last_error",
            "response_code",
            "created_at",
            "last_attempt_at",
            "delivered_at",
        ]


class CanViewDeliveries(permissions.BasePermission):
    """Being staff is not enough: the log shows payloads and where webhooks point."""

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return bool(
            user
            and user.is_authenticated
            and user.is_active
            and user.has_perm("notifications.view_delivery")
        )


class DeliveryViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = DeliverySerializer
    permission_classes = [CanViewDeliveries]
    filterset_fields = ["status", "event", "webhook"]
    ordering_fields = ["created_at", "id"]

    def get_queryset(self):
        return delivery_list()
