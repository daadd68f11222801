from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

api_v1 = [
    path("", include("planner.api_urls")),
    path("", include("releases.api_urls")),
    path("", include("squads.api_urls")),
    path("", include("blueprints.api_urls")),
    path("", include("notifications.urls")),
]

urlpatterns = [
    path("", include("planner.health")),  # GET /healthz
    path("admin/", admin.site.urls),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("", include("squads.urls")),
    path("", include("blueprints.urls")),
    path("", include("planner.page_urls")),
    path("", include("releases.urls")),
]
