from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.actions import do_create_token
from linli.accounts.models import User, mainland_mobile_validator, normalize_phone


class Command(BaseCommand):
    help = "Issue an API token for the user with this phone number and print it (shown only once)."

    def add_arguments(self, parser):
        parser.add_argument("phone", help="the user's mainland mobile number")
        parser.add_argument("--name", default="", help="what the token is for, e.g. “hotline import”")

    def handle(self, *args, phone, name, **options):
        normalized = normalize_phone(phone)
        try:
            mainland_mobile_validator(normalized)
        except ValidationError:
            raise CommandError(
                _("“%(phone)s” is not a mainland mobile number (11 digits starting with 1).") % {"phone": phone}
            ) from None
        user = User.objects.filter(phone=normalized).first()
        if user is None:
            raise CommandError(_("No user has the phone number %(phone)s. Create the user first.") % {"phone": normalized})
        if not user.is_active:
            raise CommandError(
                _("The user %(phone)s is inactive; activate the account before issuing a token.") % {"phone": normalized}
            )
        token, raw = do_create_token(user, name)
        # Only the token on stdout, so scripts can capture it: TOKEN=$(manage.py issue_token …);
        # when it stops working goes to stderr.
        self.stdout.write(raw)
        self.stderr.write(
            _("The token expires at %(expires)s (after %(days)s days); issue a new one before then.")
            % {"expires": timezone.localtime(token.expires_at).strftime("%Y-%m-%d %H:%M %Z"),
               "days": settings.API_TOKEN_TTL_DAYS}
        )
