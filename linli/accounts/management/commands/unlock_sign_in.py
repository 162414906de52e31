"""The recovery path when guessing has spent a person's sign-in budget: `manage.py unlock_sign_in
13800000011` makes the number's budget whole again (the guessers' own addresses stay held back)."""

from django.core.management.base import BaseCommand, CommandError

from linli.accounts.models import mainland_mobile_validator, normalize_phone
from linli.core import ratelimit


class Command(BaseCommand):
    help = "Make a mobile number's failed sign-in budget whole again."

    def add_arguments(self, parser):
        parser.add_argument("phone")

    def handle(self, *args, phone, **options):
        phone = normalize_phone(phone)
        try:
            mainland_mobile_validator(phone)
        except Exception as error:
            raise CommandError(f"Not a mainland mobile number: {phone}") from error
        ratelimit.reset("login-phone", f"phone:{phone}")
        self.stdout.write(f"Sign-in budget of {phone[:3]}****{phone[-4:]} is whole again.")
