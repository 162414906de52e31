from rest_framework.authentication import BaseAuthentication


class BearerTokenAuthentication(BaseAuthentication):
    """Placeholder, replaced by the hashed bearer token."""

    def authenticate(self, request):
        return None
