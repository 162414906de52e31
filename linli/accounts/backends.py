from django.contrib.auth.backends import BaseBackend


class OneTimeCodeBackend(BaseBackend):
    """Placeholder, replaced by the one-time code login."""
