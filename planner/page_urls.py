"""Cross-app pages (the cycle dashboard composes releases, squads and blueprints)."""

urlpatterns: list = []
