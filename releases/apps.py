from django.apps import AppConfig


class ReleasesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "releases"

    def ready(self) -> None:
        # Connect the branch-cut engine's receivers (imports, rule/policy/event edits).
        from releases import receivers  # noqa: F401
