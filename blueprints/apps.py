from django.apps import AppConfig


class BlueprintsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "blueprints"

    def ready(self) -> None:
        from blueprints import receivers  # noqa: F401  (connects the signal receivers)
