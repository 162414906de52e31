"""Service certificates (志愿服务证明). The write contract is the package's text."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core import certificates
from linli.core.outbox import emit

from .. import queries
from ..models import (
    ServiceCertificate,
)
from .common import VolunteeringError

# -- certificates ---------------------------------------------------------------------------

CERTIFICATE_KIND = "volunteering.service"
CERTIFICATE_PREFIX = "ZYZM"


def check_issue_certificate(actor, volunteer, *, organization, date_from, date_to) -> ServiceCertificate:
    """A certificate of the volunteer's verified hours with `organization` over [date_from, date_to].

    The volunteer may issue one for themself (as the national system lets volunteers print their
    record): it restates only hours a leader approved. Otherwise the actor must manage an
    organization the volunteer served with; anyone else gets 404."""
    if volunteer.user_id != actor.pk and not (
            queries.volunteers_for_manager(actor).filter(pk=volunteer.pk).exists()
            and organization is not None and queries.can_manage_organization(actor, organization)):
        raise Http404
    # Fresh from the database: an organization's tree path moves when a sibling is inserted before it.
    organization = organization and queries.served_organizations(volunteer).filter(pk=organization.pk).first()
    if organization is None:
        raise VolunteeringError("not_served", _("Choose an organization the volunteer served with."),
                                field="organization")
    if date_from is None or date_to is None:
        raise VolunteeringError("invalid", _("Enter the period."), field="date_from")
    if date_to < date_from:
        raise VolunteeringError("invalid", _("The end of the period must not be before its start."),
                                field="date_to")
    if date_to > timezone.localdate():
        raise VolunteeringError("invalid", _("The period cannot end in the future."), field="date_to")
    attendances = list(queries.approved_service(volunteer, organization, date_from, date_to))
    if not sum((a.hours for a in attendances), Decimal(0)) > 0:
        raise VolunteeringError("nothing_to_certify", _("There are no verified hours in this period."))
    return do_issue_certificate(actor, volunteer, organization, date_from, date_to, attendances)


def _entries(attendances):
    return [{"date": timezone.localtime(a.enrolment.session.activity.starts_at).date().isoformat(),
             "title": a.enrolment.session.activity.title, "hours": str(a.hours)} for a in attendances]


def do_issue_certificate(actor, volunteer, organization, date_from, date_to, attendances) -> ServiceCertificate:
    with transaction.atomic():
        certificate = certificates.do_issue(
            ServiceCertificate(volunteer=volunteer, organization=organization, date_from=date_from, date_to=date_to,
                               hours=sum((a.hours for a in attendances), Decimal(0)), entries=_entries(attendances)),
            kind=CERTIFICATE_KIND, issued_by=actor, holder=volunteer.user, holder_name=volunteer.name,
            issuer_name=organization.name)
        emit("volunteering.certificate_issued", {"certificate": certificate.pk})
    return certificate


def can_manage_certificate(actor, certificate) -> bool:
    """Who may revoke a service certificate: a manager of its issuing organization."""
    service = ServiceCertificate.objects.filter(pk=certificate.pk).select_related("organization").first()
    return service is not None and queries.can_manage_organization(actor, service.organization)


def check_revoke_certificate(actor, certificate, reason) -> ServiceCertificate:
    return certificates.check_revoke(actor, certificate, reason)
