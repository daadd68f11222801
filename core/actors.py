"""Who performs a write: a user (possibly anonymous, refused by the permission checks), or
``None`` for a trusted system process (a management command, a Celery task, the demo loader)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

Actor = AbstractBaseUser | AnonymousUser | None
