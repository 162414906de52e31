from django.contrib.auth.backends import BaseBackend

from .models import User


class OneTimeCodeBackend(BaseBackend):
    """Resident login with phone + one-time code: `authenticate(request, phone=..., code=...)`.

    Returns the user (created on first login) or None, as Django expects. Why
    it failed is kept on `request.login_code_error` (a LoginCodeError with a
    stable `code` and a translated `message`) for the login page to show.
    """

    def authenticate(self, request, phone=None, code=None, **kwargs):
        if phone is None or code is None:
            return None  # a password login: not ours
        from .actions import LoginCodeError, check_login_with_code, client_ip

        try:
            return check_login_with_code(phone, code, ip=client_ip(request) if request is not None else None)
        except LoginCodeError as error:
            if request is not None:
                request.login_code_error = error
            return None

    def get_user(self, user_id):
        user = User._default_manager.filter(pk=user_id).first()
        return user if user is not None and user.is_active else None
