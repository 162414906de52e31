"""The public check page a certificate's QR code opens (no sign-in)."""

from django.shortcuts import render

from . import certificates
from .models import Certificate
from .privacy import mask_name

TOKEN_MAX = Certificate._meta.get_field("token").max_length


def check_certificate(request, token):
    """Genuine or revoked, with the number, the paper's title, the masked name and the date of
    issue; nothing else. An unknown token is a 404 that says so."""
    certificate = Certificate.objects.filter(token=token[:TOKEN_MAX]).first() if len(token) <= TOKEN_MAX else None
    context = {}
    if certificate is not None:
        context = {"certificate": certificate, "title": certificates.title_of(certificate),
                   "masked_name": mask_name(certificate.holder_name)}
    response = render(request, "core/certificate_check.html", context, status=200 if certificate else 404)
    response["X-Robots-Tag"] = "noindex"
    return response
