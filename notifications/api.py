"""``GET /api/v1/webhook-deliveries/`` (staff only): the webhook delivery log, read-only."""

from rest_framework import serializers, viewsets
from rest_framework.permissions import IsAdminUser

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


class DeliveryViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = DeliverySerializer
    permission_classes = [IsAdminUser]
    filterset_fields = ["status", "event", "webhook"]
    ordering_fields = ["created_at", "id"]

    def get_queryset(self):
        return delivery_list()
