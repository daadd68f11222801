from django.http import HttpRequest

from releases.selectors import current_series


def navigation(request: HttpRequest) -> dict:
    """The navigation bar shows the cycle in progress (or the next/last one)."""
    return {"nav_current_series": current_series()}
