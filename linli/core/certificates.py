"""Certificates: numbering, the public check page, revoking (证书: 编号、验真、撤销).

A domain registers each kind it issues once, then issues instances of its `core.models.Certificate`
subclass through `do_issue`; the PDF is drawn with `core.certificate_pdf`.

    register_kind(kind, *, prefix, title, can_manage)
        prefix      "ZYZM": numbers run ZYZM-2026-000001, ZYZM-2026-000002 … per calendar year
        title       what the paper is, as the check page names it ("志愿服务记录证明")
        can_manage  (actor, certificate) -> bool: who may revoke (anyone else gets 404)
    do_issue(certificate, *, issued_by, holder, holder_name, issuer_name) -> the saved certificate
    check_revoke(actor, certificate, reason) -> certificate     outbox "certificates.revoked"
    check_url(request, certificate) -> the absolute address its QR code opens
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Callable

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .errors import ActionError
from .models import Certificate, CertificateStatus
from .outbox import emit

# Concurrent issues race for the next number; each round at least one wins, the others draw again.
NUMBER_ATTEMPTS = 20
REASON_MAX = Certificate._meta.get_field("revoke_reason").max_length


class CertificateError(ActionError):
    pass


@dataclass(frozen=True)
class CertificateKind:
    kind: str
    prefix: str
    title: Callable[[], str] | str
    can_manage: Callable


_KINDS: dict[str, CertificateKind] = {}


def register_kind(kind: str, *, prefix: str, title, can_manage) -> CertificateKind:
    """Called from the domain app's ready(); a second registration of a kind replaces the first."""
    taken = {k.prefix: k.kind for k in _KINDS.values()}
    if taken.get(prefix, kind) != kind:
        raise ValueError(f"certificate prefix {prefix} is already used by {taken[prefix]}")
    _KINDS[kind] = CertificateKind(kind, prefix, title, can_manage)
    return _KINDS[kind]


def kind_of(certificate) -> CertificateKind | None:
    return _KINDS.get(certificate.kind)


def title_of(certificate) -> str:
    kind = kind_of(certificate)
    return str(kind.title) if kind else _("Certificate")


def do_issue(certificate: Certificate, *, kind: str, issued_by, holder, holder_name: str, issuer_name: str):
    """Number and save `certificate` (an unsaved instance of a Certificate subclass, its own fields
    filled). The number is the next of the kind's prefix in the local year; the token is random."""
    registered = _KINDS[kind]
    now = timezone.now()
    prefix = f"{registered.prefix}-{timezone.localtime(now).year}-"
    certificate.kind, certificate.issued_by, certificate.issued_at = kind, issued_by, now
    certificate.holder, certificate.holder_name, certificate.issuer_name = holder, holder_name[:50], issuer_name[:120]
    for _attempt in range(NUMBER_ATTEMPTS):
        try:
            with transaction.atomic():
                last = Certificate.objects.filter(number__startswith=prefix).order_by("-number").values_list(
                    "number", flat=True).first()
                sequence = int(last[len(prefix):]) + 1 if last else 1
                certificate.number = f"{prefix}{sequence:06d}"
                certificate.token = secrets.token_urlsafe(32)
                certificate.save(force_insert=True)
                return certificate
        except IntegrityError:
            certificate.pk = certificate.id = None  # a concurrent issue took the number: draw the next one
    raise CertificateError("busy", _("Please try again."))


def check_revoke(actor, certificate, reason) -> Certificate:
    """Revoke with a reason (kept for the issuing organization; the public page says only
    "revoked"). Someone the kind does not let manage it gets 404."""
    kind = kind_of(certificate)
    if kind is None or not kind.can_manage(actor, certificate):
        raise Http404
    reason = (reason or "").strip()
    if not reason:
        raise CertificateError("reason_required", _("Give the reason for revoking."), field="reason")
    if len(reason) > REASON_MAX:
        raise CertificateError("invalid", _("Keep the reason under %(max)d characters.") % {"max": REASON_MAX},
                               field="reason")
    with transaction.atomic():
        locked = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if locked.status == CertificateStatus.REVOKED:
            raise CertificateError("already_revoked", _("This certificate is already revoked."))
        now = timezone.now()
        Certificate.objects.filter(pk=locked.pk).update(
            status=CertificateStatus.REVOKED, revoked_at=now, revoked_by=actor, revoke_reason=reason)
        emit("certificates.revoked", {"certificate": locked.pk, "kind": locked.kind})
    certificate.status, certificate.revoked_at = CertificateStatus.REVOKED, now
    certificate.revoked_by, certificate.revoke_reason = actor, reason
    return certificate


def check_url(request, certificate) -> str:
    path = reverse("certificate_check", args=[certificate.token])
    return f"{settings.SITE_URL}{path}" if settings.SITE_URL else request.build_absolute_uri(path)
