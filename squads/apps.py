from django.apps import AppConfig


class SquadsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "squads"
