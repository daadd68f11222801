from django.apps import AppConfig


class BlueprintsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "blueprints"
