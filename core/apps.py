from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Plumbing every app uses; it imports no other app of the project."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "core"
    verbose_name = "plumbing"
