"""API tokens: obtained with a username and password, listed and revoked by their owner.

``POST /api/v1/tokens/`` ``{username, password}`` answers 201 with the token itself, shown this
once (``core.tokens``: stored hashed, expiring). Send it as ``Authorization: Token <token>``.
``GET /api/v1/tokens/`` lists the caller's live tokens, ``DELETE /api/v1/tokens/{token_key}/``
revokes one. Wrong credentials answer 401, like any request the API cannot authenticate.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from knox.models import AuthToken
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request
from rest_framework.response import Response

from core.tokens import live_tokens, token_create, token_revoke


class TokenObtainSerializer(serializers.Serializer):
    username = serializers.CharField(write_only=True)
    password = serializers.CharField(
        write_only=True, trim_whitespace=False, style={"input_type": "password"}
    )


class TokenSerializer(serializers.ModelSerializer):
    """One of the caller's tokens, as listed: never the token itself."""

    token_key = serializers.CharField(
        read_only=True, help_text="The token's first characters: its name in this list."
    )
    expiry = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="When it stops working; null: never."
    )
    current = serializers.SerializerMethodField(
        help_text="Whether this request was authenticated with this token."
    )

    class Meta:
        model = AuthToken
        fields = ["token_key", "created", "expiry", "current"]

    def get_current(self, token: AuthToken) -> bool:
        request = self.context.get("request")
        auth = getattr(request, "auth", None)
        return isinstance(auth, AuthToken) and auth.digest == token.digest


class NewTokenSerializer(TokenSerializer):
    token = serializers.CharField(
        read_only=True,
        help_text="Send as `Authorization: Token <token>`. Shown only in this answer.",
    )

    class Meta(TokenSerializer.Meta):
        fields = ["token", *TokenSerializer.Meta.fields]


class TokenPermission(permissions.BasePermission):
    """Anyone may ask for a token (the credentials are the check); the rest is the owner's."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if view.action == "create":
            return True
        return bool(request.user and request.user.is_authenticated)


@extend_schema(tags=["tokens"])
class TokenViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Your API tokens: get one with your username and password, list and revoke them."""

    serializer_class = TokenSerializer
    permission_classes = [TokenPermission]
    lookup_field = "token_key"
    lookup_value_regex = "[0-9a-f]+"
    filter_backends: list = []

    def get_queryset(self) -> QuerySet[AuthToken]:
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no user
            return AuthToken.objects.none()
        return live_tokens(user=self.request.user)

    @extend_schema(
        request=TokenObtainSerializer,
        responses={201: NewTokenSerializer},
        description="A new token for these credentials; wrong ones answer 401.",
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        credentials = TokenObtainSerializer(data=request.data)
        credentials.is_valid(raise_exception=True)
        user = authenticate(
            request=request,
            username=credentials.validated_data["username"],
            password=credentials.validated_data["password"],
        )
        if user is None:  # wrong credentials, an inactive user, or too many failures
            raise AuthenticationFailed("Unable to log in with provided credentials.")
        instance, token = token_create(user=user)
        body = NewTokenSerializer(instance, context=self.get_serializer_context()).data
        body["token"] = token
        return Response(body, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance: AuthToken) -> None:
        token_revoke(token=instance, actor=self.request.user)
