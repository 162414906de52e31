"""API: who am I, and phone + code login for the resident app.

    GET  /api/v1/me/           the user, their roles with nodes, their capabilities
    POST /api/v1/auth/code/    {"phone"}          → 202, an SMS code is on its way
    POST /api/v1/auth/login/   {"phone", "code"}  → {"token", "token_type", "user"}
    POST /api/v1/auth/logout/  revokes the bearer token of the request

Over a budget both sign-in calls answer 429 with Retry-After: codes per number and per
address (counted from the codes sent), failed logins per address ("login-ip" in
settings.RATE_LIMITS; a success gives its attempt back).
"""

from django.conf import settings
from django.contrib.auth.models import update_last_login
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_serializer,
)
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from linli.core import ratelimit
from linli.core.api import RATE_LIMITED, RETRY_AFTER, ApiErrorSerializer, error_body
from linli.core.scoping import CAPABILITIES, capabilities_of_roles

from .actions import (
    LoginCodeError,
    check_login_with_code,
    check_request_login_code,
    client_ip,
    do_create_token,
    do_revoke_token,
)
from .authentication import BearerTokenAuthentication
from .models import ApiToken, RoleAssignment, User


class AreaNodeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    level = serializers.CharField()
    level_label = serializers.CharField(source="get_level_display")


class OrganizationNodeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()
    kind_label = serializers.CharField(source="get_kind_display")


class RoleSerializer(serializers.ModelSerializer):
    role_label = serializers.CharField(source="get_role_display")
    tier_label = serializers.CharField(source="get_tier_display")
    area = AreaNodeSerializer(allow_null=True)
    organization = OrganizationNodeSerializer(allow_null=True)

    class Meta:
        model = RoleAssignment
        fields = ["id", "role", "role_label", "tier", "tier_label", "area", "organization"]


class UserSerializer(serializers.ModelSerializer):
    """A person; the full phone number only for the person themselves."""

    phone = serializers.SerializerMethodField(help_text="in full for yourself, masked for anyone else")
    # A string rather than format "email": most accounts have none, and "" is no email address.
    email = serializers.CharField(read_only=True, help_text="an email address, or empty when none is known")

    class Meta:
        model = User
        fields = ["id", "phone", "name", "email"]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField())
    def get_phone(self, user):
        viewer = self.context.get("viewer")
        return user.phone if viewer is not None and viewer.pk == user.pk else user.masked_phone


class MeSerializer(UserSerializer):
    is_staff = serializers.BooleanField(read_only=True)
    is_superuser = serializers.BooleanField(read_only=True)
    roles = serializers.SerializerMethodField()
    capabilities = serializers.SerializerMethodField()

    class Meta(UserSerializer.Meta):
        fields = [*UserSerializer.Meta.fields, "is_staff", "is_superuser", "roles", "capabilities"]

    def _assignments(self, user):
        # One query for every role and its node; reused by both fields.
        cache = self.context.setdefault("_assignments", {})
        if user.pk not in cache:
            cache[user.pk] = list(user.role_assignments.select_related("area", "organization").order_by("pk"))
        return cache[user.pk]

    @extend_schema_field(RoleSerializer(many=True))
    def get_roles(self, user):
        return RoleSerializer(self._assignments(user), many=True).data

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=sorted(CAPABILITIES))))
    def get_capabilities(self, user):
        """What the user can do somewhere (for showing features; the scope decides where)."""
        if user.is_superuser:
            return sorted(CAPABILITIES)
        return sorted(capabilities_of_roles(a.role for a in self._assignments(user)))


NOT_SIGNED_IN = OpenApiResponse(ApiErrorSerializer, description="not signed in, or the token is revoked or expired")


class MeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Who am I: the user, their roles with nodes, their capabilities",
        responses={200: MeSerializer, 401: NOT_SIGNED_IN},
    )
    def get(self, request):
        return Response(MeSerializer(request.user, context={"viewer": request.user}).data)


# -- phone + code login for the resident app -----------------------------------


def login_code_error_response(error):
    if error.code.startswith("rate_limited"):
        response = Response(error_body(error.code, error.message), status=status.HTTP_429_TOO_MANY_REQUESTS)
        if error.retry_after:
            response["Retry-After"] = str(int(error.retry_after))
        return response
    if error.code in ("account_disabled", "password_required"):
        return Response(error_body(error.code, error.message), status=status.HTTP_403_FORBIDDEN)
    return Response(error_body(error.code, error.message), status=status.HTTP_400_BAD_REQUEST)


# Named for the schema: "LoginCodeRequest" rather than "CodeRequestRequest".
@extend_schema_serializer(component_name="LoginCode")
class CodeRequestSerializer(serializers.Serializer):
    phone = serializers.CharField(max_length=32)


@extend_schema_serializer(component_name="CodeLogin")  # not the parent's name
class CodeLoginSerializer(CodeRequestSerializer):
    code = serializers.CharField(max_length=16)
    token_name = serializers.CharField(max_length=100, required=False, allow_blank=True)


# -- response shapes, for the schema (the views build the bodies themselves) --


class LoginCodeSentSerializer(serializers.Serializer):
    expires_at = serializers.DateTimeField(help_text="when the code stops working")
    expires_in = serializers.IntegerField(help_text="seconds the code stays valid")
    resend_after = serializers.IntegerField(help_text="seconds to wait before requesting another code")


class CodeLoginTokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="send as `Authorization: Bearer <token>`; shown only this once")
    token_type = serializers.ChoiceField(choices=["Bearer"])
    expires_at = serializers.DateTimeField(help_text="when the token stops working (API_TOKEN_TTL_DAYS); sign in again")
    user = MeSerializer()


class LoginCodeView(APIView):
    # No session authentication here: it would demand a CSRF token from the app.
    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(
        summary="Send a login code by SMS",
        request=CodeRequestSerializer,
        responses={
            202: LoginCodeSentSerializer,
            400: OpenApiResponse(ApiErrorSerializer, description="`invalid` body or `invalid_phone`"),
            429: OpenApiResponse(
                ApiErrorSerializer,
                description="`rate_limited_phone` or `rate_limited_ip`: too many codes requested; see Retry-After",
            ),
        },
        parameters=[
            OpenApiParameter(
                "Retry-After",
                OpenApiTypes.INT,
                OpenApiParameter.HEADER,
                response=[429],
                description="seconds until a code may be requested again",
            ),
        ],
    )
    def post(self, request):
        data = CodeRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            otc = check_request_login_code(data.validated_data["phone"], client_ip(request))
        except LoginCodeError as error:
            return login_code_error_response(error)
        return Response(
            {
                "expires_at": otc.expires_at,
                "expires_in": settings.LOGIN_CODE_TTL_SECONDS,
                "resend_after": settings.LOGIN_CODE_RESEND_SECONDS,
            },
            status=status.HTTP_202_ACCEPTED,
        )


class CodeLoginView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(
        summary="Sign in with a phone number and its SMS code; get a bearer token",
        description="A number seen for the first time becomes a resident account.",
        request=CodeLoginSerializer,
        responses={
            200: CodeLoginTokenSerializer,
            400: OpenApiResponse(
                ApiErrorSerializer,
                description="`invalid` body, `invalid_phone`, `code_invalid`, `code_expired`, `code_used` "
                "or `too_many_attempts`",
            ),
            403: OpenApiResponse(ApiErrorSerializer, description="`account_disabled` or `password_required`"),
            429: RATE_LIMITED,
        },
        parameters=[RETRY_AFTER],
    )
    def post(self, request):
        # Every attempt spends the address's budget of failed sign-ins; a success gives it back.
        address = ratelimit.ip_ident(request)
        verdict = ratelimit.hit("login-ip", address)
        if not verdict.allowed:
            raise exceptions.Throttled(wait=verdict.retry_after)
        data = CodeLoginSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            user = check_login_with_code(data.validated_data["phone"], data.validated_data["code"], client_ip(request))
        except LoginCodeError as error:
            return login_code_error_response(error)
        ratelimit.refund("login-ip", address)
        token, raw = do_create_token(user, data.validated_data.get("token_name") or "app")
        update_last_login(None, user)
        return Response(
            {"token": raw, "token_type": "Bearer", "expires_at": token.expires_at,
             "user": MeSerializer(user, context={"viewer": user}).data}
        )


class LogoutView(APIView):
    authentication_classes = [BearerTokenAuthentication]
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Revoke the bearer token of this request",
        request=None,
        responses={204: OpenApiResponse(description="the token is revoked"), 401: NOT_SIGNED_IN},
    )
    def post(self, request):
        if isinstance(request.auth, ApiToken):
            do_revoke_token(request.auth)
        return Response(status=status.HTTP_204_NO_CONTENT)


urlpatterns = [
    path("me/", MeView.as_view(), name="api-me"),
    path("auth/code/", LoginCodeView.as_view(), name="api-auth-code"),
    path("auth/login/", CodeLoginView.as_view(), name="api-auth-login"),
    path("auth/logout/", LogoutView.as_view(), name="api-auth-logout"),
]


def register(router):
    """Register this app's viewsets on the API router (none: plain views above)."""
