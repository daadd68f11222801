"""API tokens (django-rest-knox): issued for a username and password, revoked by their owner.

A token is stored as a SHA-512 digest plus its first characters (``token_key``, how its owner
names it); the token itself exists only in the answer that issues it. Each token expires after
``REST_KNOX["TOKEN_TTL"]`` (``DJANGO_API_TOKEN_TTL_DAYS``) and a user holds at most
``TOKEN_LIMIT_PER_USER`` live ones, so a leaked or forgotten token stops working on its own.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from knox.models import AuthToken
from knox.settings import knox_settings

from core.audit import audit_record


def live_tokens(*, user: AbstractBaseUser) -> QuerySet[AuthToken]:
    """The user's tokens that still authenticate, newest first."""
    return (
        AuthToken.objects.filter(user=user)
        .filter(Q(expiry__isnull=True) | Q(expiry__gt=timezone.now()))
        .order_by("-created", "digest")
    )


@transaction.atomic
def token_create(*, user: AbstractBaseUser) -> tuple[AuthToken, str]:
    """Issue a token for ``user`` (already authenticated by the caller); returns the row and
    the token, which is not stored and cannot be shown again."""
    limit = knox_settings.TOKEN_LIMIT_PER_USER
    if limit is not None and live_tokens(user=user).count() >= limit:
        raise ValidationError(
            f"You already hold {limit} live tokens, the most allowed: revoke one first "
            "(DELETE /api/v1/tokens/{token_key}/)."
        )
    instance, token = AuthToken.objects.create(user=user, expiry=knox_settings.TOKEN_TTL)
    audit_record(
        actor=user,
        obj=user,
        action="token-create",
        changes={"api_token": (None, instance.token_key)},
    )
    return instance, token


@transaction.atomic
def token_revoke(*, token: AuthToken, actor: AbstractBaseUser) -> None:
    """Revoke one of the actor's own tokens: it no longer authenticates."""
    if token.user_id != actor.pk:
        raise ValidationError("Only a token's owner revokes it.")
    audit_record(
        actor=actor,
        obj=token.user,
        action="token-revoke",
        changes={"api_token": (token.token_key, None)},
    )
    token.delete()
