from rest_framework.routers import SimpleRouter

from core.api_tokens import TokenViewSet

router = SimpleRouter()
router.register("tokens", TokenViewSet, basename="api-token")

urlpatterns = router.urls
