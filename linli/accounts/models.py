import hashlib
import secrets

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from linli.core.privacy import mask_phone  # noqa: F401 — lists import it from here too
from .choices import AREA_ROLES, ORG_ROLES, Role, StaffTier

mainland_mobile_validator = RegexValidator(
    r"^1[3-9]\d{9}$", _("Enter a valid mainland China mobile number (11 digits starting with 1).")
)


def normalize_phone(value):
    """Accept +86 / 0086 prefixes, spaces and dashes; return the bare 11 digits."""
    digits = "".join(ch for ch in str(value or "") if ch.isdigit() or ch == "+")
    for prefix in ("+86", "0086"):
        if digits.startswith(prefix):
            digits = digits[len(prefix):]
    if digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, username):
        # Password logins accept "+86 139-0000-0001" like the code login does.
        return self.get(phone=normalize_phone(username))

    def _create(self, phone, password, **extra):
        phone = normalize_phone(phone)
        mainland_mobile_validator(phone)
        user = self.model(phone=phone, **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_user(self, phone, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(phone, password, **extra)

    def create_superuser(self, phone, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self._create(phone, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person. The mainland mobile number is the login identifier."""

    phone = models.CharField(_("mobile number"), max_length=11, unique=True, validators=[mainland_mobile_validator])
    name = models.CharField(_("name"), max_length=50, blank=True)
    email = models.EmailField(_("email"), blank=True)
    is_staff = models.BooleanField(_("admin site access"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "phone"
    REQUIRED_FIELDS = ["name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.name or self.masked_phone

    def save(self, *args, **kwargs):
        # A new password (set_password, from any page, the admin or a command) ends the person's
        # other ways in: Django already drops their other sessions (the session hash follows the
        # password); their API tokens are revoked here.
        password_changed = self._password is not None and self.pk is not None
        super().save(*args, **kwargs)
        if password_changed:
            from .actions import do_revoke_tokens_of

            do_revoke_tokens_of(self)

    @property
    def masked_phone(self):
        return mask_phone(self.phone)

    def get_full_name(self):
        return self.name

    def get_short_name(self):
        return self.name


_ALREADY_HOLDS = _("This person already holds this role here.")


class RoleAssignment(models.Model):
    """A role held on a node of the place tree or of the organization tree.

    The role reaches the node's whole subtree (see linli.core.scoping).
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments", verbose_name=_("user"))
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    tier = models.CharField(_("tier"), max_length=8, choices=StaffTier.choices, blank=True)
    area = models.ForeignKey(
        "places.Area", null=True, blank=True, on_delete=models.CASCADE, related_name="role_assignments",
        verbose_name=_("area"),
    )
    organization = models.ForeignKey(
        "orgs.Organization", null=True, blank=True, on_delete=models.CASCADE, related_name="role_assignments",
        verbose_name=_("organization"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(area__isnull=False, organization__isnull=False), name="role_one_node_at_most"
            ),
            # One row per (user, role, node). Three partial constraints because a
            # plain one over nullable columns never fires (NULL != NULL in SQL).
            models.UniqueConstraint(
                fields=["user", "role", "area"],
                condition=models.Q(area__isnull=False),
                name="role_unique_per_area",
                violation_error_message=_ALREADY_HOLDS,
            ),
            models.UniqueConstraint(
                fields=["user", "role", "organization"],
                condition=models.Q(organization__isnull=False),
                name="role_unique_per_organization",
                violation_error_message=_ALREADY_HOLDS,
            ),
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=models.Q(area__isnull=True, organization__isnull=True),
                name="role_unique_without_node",
                violation_error_message=_ALREADY_HOLDS,
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()} · {self.area or self.organization or '—'}"

    def get_additional_data(self):
        # Kept in the audit log with each grant and revocation: whose role it was, once the row is gone.
        return {"user_id": self.user_id, "user": str(self.user), "role": self.role,
                "area_id": self.area_id, "organization_id": self.organization_id}

    def clean(self):
        if self.area_id and self.organization_id:
            raise ValidationError(_("A role is held on an area or on an organization, not on both."))
        if self.role in AREA_ROLES and self.organization_id:
            raise ValidationError({"organization": _("This role is held on an area, not an organization.")})
        if self.role in ORG_ROLES and not self.organization_id:
            raise ValidationError({"organization": _("This role is held on an organization.")})
        if self.role not in ORG_ROLES and self.role != Role.RESIDENT and not self.area_id:
            raise ValidationError({"area": _("This role is held on an area.")})
        if self.role == Role.COMMUNITY_STAFF and not self.tier:
            raise ValidationError({"tier": _("Community staff have a tier.")})
        if self.role != Role.COMMUNITY_STAFF and self.tier:
            raise ValidationError({"tier": _("Only community staff have a tier.")})


class OneTimeCode(models.Model):
    """A login code sent by SMS. Only a keyed hash of it is stored.

    The rows double as the rate-limit ledger (codes per phone / per IP in the
    last hour), so limits hold across any number of app processes.
    """

    phone = models.CharField(_("mobile number"), max_length=11)
    code_hash = models.CharField(max_length=64)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    failed_attempts = models.PositiveSmallIntegerField(_("failed attempts"), default=0)

    class Meta:
        verbose_name = _("one-time code")
        verbose_name_plural = _("one-time codes")
        indexes = [
            models.Index(fields=["phone", "created_at"], name="otc_phone_created"),
            models.Index(fields=["ip", "created_at"], name="otc_ip_created"),
        ]

    def __str__(self):
        return f"{mask_phone(self.phone)} · {timezone.localtime(self.created_at):%Y-%m-%d %H:%M}"

    @staticmethod
    def hash(phone, code):
        # Keyed with SECRET_KEY: a plain hash of a 6-digit code is reversed by
        # trying all million codes, so a leaked table would leak live codes.
        return salted_hmac("linli.accounts.OneTimeCode", f"{phone}:{code}", algorithm="sha256").hexdigest()


class ApiToken(models.Model):
    """A bearer token for scripts and integrations.

    Stored as a SHA-256 digest: checking a request is one indexed lookup,
    never a slow password hash, and a leaked table reveals no usable token.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user"))
    name = models.CharField(_("name"), max_length=100, blank=True)
    digest = models.CharField(_("digest"), max_length=64, unique=True)
    prefix = models.CharField(_("prefix"), max_length=8)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    # Set at issue from settings.API_TOKEN_TTL_DAYS; after it the token answers 401 token_expired.
    expires_at = models.DateTimeField(_("expires at"))

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self):
        return f"{self.prefix}… ({self.user})"

    @property
    def is_active(self):
        return self.revoked_at is None and not self.is_expired

    @property
    def is_expired(self):
        return self.expires_at <= timezone.now()

    @staticmethod
    def digest_of(raw):
        return hashlib.sha256(raw.encode()).hexdigest()

    @staticmethod
    def generate():
        return "ll_" + secrets.token_urlsafe(32)
