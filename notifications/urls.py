from django.urls import path

from notifications.api import DeliveryViewSet

urlpatterns = [
    path(
        "webhook-deliveries/",
        DeliveryViewSet.as_view({"get": "list"}),
        name="api-webhook-delivery-list",
    ),
    path(
        "webhook-deliveries/<int:pk>/",
        DeliveryViewSet.as_view({"get": "retrieve"}),
        name="api-webhook-delivery-detail",
    ),
]
