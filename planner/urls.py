from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.templatetags.static import static
from django.urls import include, path
from django.views.defaults import page_not_found
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView


def favicon(request: HttpRequest) -> HttpResponseRedirect:
    """Browsers ask for /favicon.ico whatever the page links; a temporary redirect, since the
    static URL carries a content hash in production."""
    return HttpResponseRedirect(static("favicon.ico"))


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """A URL no route matches: under /api/ the API's own 404 (JSON, as the schema documents),
    elsewhere Django's page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return page_not_found(request, exception)


handler404 = not_found

api_v1 = [
    path("", include("core.api_urls")),
    path("", include("planner.api_urls")),
    path("", include("releases.api_urls")),
    path("", include("squads.api_urls")),
    path("", include("blueprints.api_urls")),
    path("", include("notifications.urls")),
]

urlpatterns = [
    path("", include("planner.health")),  # GET /healthz
    path("favicon.ico", favicon, name="favicon"),
    path("admin/", admin.site.urls),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # Swagger UI from the drf-spectacular-sidecar static files, its script a separate same-origin
    # file (no inline script), so the page works offline and under `script-src 'self'`.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="swagger-ui"),
    path("", include("squads.urls")),
    path("", include("blueprints.urls")),
    path("", include("planner.page_urls")),
    path("", include("releases.urls")),
]
