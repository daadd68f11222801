"""Request hygiene before any view: bad parameters answer 400 naming the parameter.

- A NUL character in a query or form parameter (name or value) is refused at once: no field
  of the planner can hold one, and PostgreSQL refuses it in a query ("A string literal cannot
  contain NUL"), which would otherwise surface as a 500 wherever a view reads the raw value.
- ``BadQueryParameter`` raised by a page view (``?as_of=garbage``) becomes a 400 page with the
  message; the API answers it through ``core.exceptions.exception_handler`` instead.
- Every response carries the Content-Security-Policy of ``settings.CONTENT_SECURITY_POLICY``
  (``default-src 'self'``; the pages need no script), or the one a path prefix of
  ``CONTENT_SECURITY_POLICY_PATHS`` sets.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

from core.as_of import BadQueryParameter

API_PREFIX = "/api/"


def bad_parameter_response(request: HttpRequest, error: BadQueryParameter) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        return JsonResponse({error.name: [error.message]}, status=400)
    body = render_to_string("bad_parameter.html", {"error": error}, request=request)
    return HttpResponse(body, status=400)


def _nul_parameter(request: HttpRequest) -> str | None:
    sources = [request.GET]
    content_type = request.META.get("CONTENT_TYPE", "")
    if request.method == "POST" and content_type.startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        sources.append(request.POST)
    for params in sources:
        for name, values in params.lists():
            if "\x00" in name or any("\x00" in v for v in values):
                return name.replace("\x00", "\\0")
    return None


def content_security_policy(path: str) -> str:
    for prefix, policy in getattr(settings, "CONTENT_SECURITY_POLICY_PATHS", {}).items():
        if path.startswith(prefix):
            return policy
    return settings.CONTENT_SECURITY_POLICY


class RequestHygieneMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        name = _nul_parameter(request)
        if name is not None:
            response = bad_parameter_response(
                request, BadQueryParameter(name, "contains a NUL character.")
            )
        else:
            response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = content_security_policy(request.path)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, BadQueryParameter):
            return bad_parameter_response(request, exception)
        return None
