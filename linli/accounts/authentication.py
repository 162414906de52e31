"""Bearer tokens for the API: `Authorization: Bearer <token>` (or `Token <token>`).

A request costs one indexed lookup by SHA-256 digest (token and user in one
query), never a password hash; `last_used_at` is written at most once a minute.
"""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed

from .models import ApiToken

KEYWORDS = (b"bearer", b"token")
LAST_USED_RESOLUTION = timedelta(minutes=1)


class BearerTokenAuthentication(BaseAuthentication):
    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in KEYWORDS:
            return None  # not ours: let session authentication try
        if len(parts) != 2:
            raise AuthenticationFailed(
                _("Malformed Authorization header: expected “Bearer <token>”."), "invalid_header"
            )
        try:
            raw = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise AuthenticationFailed(_("Invalid token."), "invalid_token") from None
        token = ApiToken.objects.select_related("user").filter(digest=ApiToken.digest_of(raw)).first()
        if token is None:
            raise AuthenticationFailed(_("Invalid token."), "invalid_token")
        if token.revoked_at is not None:
            raise AuthenticationFailed(_("This token has been revoked."), "token_revoked")
        if token.is_expired:
            raise AuthenticationFailed(_("This token has expired. Sign in again or ask for a new one."), "token_expired")
        if not token.user.is_active:
            raise AuthenticationFailed(_("This account is disabled."), "user_inactive")
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
        return token.user, token

    def authenticate_header(self, request):
        # Makes DRF answer 401 (not 403) when credentials are missing or wrong.
        return 'Bearer realm="api"'
