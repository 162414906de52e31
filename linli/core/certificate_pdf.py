"""A certificate's PDF, A4 with a CJK font and the QR code to its check page (core.certificates).

    document(certificate) -> FPDF         a page with the heading (title, number)
    sign_off(pdf, certificate, url)       issuer, date of issue and the QR code, at the foot
    render_plain(certificate, url, rows, statement) -> bytes
                                          label/value rows and a statement: completion and award
                                          certificates; a domain with more to print composes its own
                                          between document() and sign_off()
    FontUnavailable                       the CJK font (settings.CERTIFICATE_FONT_PATH) is missing or
                                          unreadable: pages answer 503, the API {"code": "pdf_unavailable"}
"""

from __future__ import annotations

import os

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from fpdf import FPDF

from . import qr
from .certificates import title_of

FONT = "cjk"
MARGIN = 18
QR_SIZE = 36


class FontUnavailable(Exception):
    """The certificate font cannot be loaded: an operator must install it or set CERTIFICATE_FONT_PATH."""


def _font_index(path) -> int:
    return settings.CERTIFICATE_FONT_INDEX if path.lower().endswith((".ttc", ".otc")) else 0


def document(certificate) -> FPDF:
    path = str(settings.CERTIFICATE_FONT_PATH or "")
    if not path or not os.path.isfile(path):
        raise FontUnavailable(path)
    pdf = FPDF(format="A4")
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(True, margin=MARGIN)
    try:
        pdf.add_font(FONT, fname=path, collection_font_number=_font_index(path))
    except Exception as error:  # any parse failure of an operator-supplied file: not our 500
        raise FontUnavailable(path) from error
    pdf.set_title(certificate.number)
    pdf.add_page()
    pdf.set_font(FONT, size=22)
    pdf.cell(pdf.epw, 14, title_of(certificate), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=10)
    pdf.cell(pdf.epw, 6, _("No. %(number)s") % {"number": certificate.number}, align="C", new_x="LMARGIN",
             new_y="NEXT")
    pdf.ln(6)
    return pdf


def rows(pdf, pairs, label_width=40):
    pdf.set_font(FONT, size=12)
    for label, value in pairs:
        pdf.cell(label_width, 8, str(label))
        pdf.cell(pdf.epw - label_width, 8, str(value), new_x="LMARGIN", new_y="NEXT")


def statement(pdf, text):
    pdf.set_font(FONT, size=12)
    # Flush left, not justified: fpdf2 would stretch the spaces of a CJK line.
    pdf.multi_cell(pdf.epw, 7, text, align="L", new_x="LMARGIN", new_y="NEXT")


def sign_off(pdf, certificate, verify_url) -> bytes:
    width = pdf.epw
    if pdf.get_y() > pdf.h - MARGIN - QR_SIZE - 10:
        pdf.add_page()
    top = pdf.get_y()
    pdf.set_font(FONT, size=12)
    pdf.cell(width - QR_SIZE - 6, 8, _("Issued by: %(organization)s") % {"organization": certificate.issuer_name},
             new_x="LMARGIN", new_y="NEXT")
    pdf.cell(width - QR_SIZE - 6, 8, _("Date of issue: %(date)s") % {
        "date": f"{timezone.localtime(certificate.issued_at):%Y-%m-%d}"}, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=9)
    pdf.multi_cell(width - QR_SIZE - 6, 5, _(
        "Scan the code to check that this certificate is genuine."), align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.image(qr.png(verify_url), x=pdf.w - MARGIN - QR_SIZE, y=top, w=QR_SIZE, h=QR_SIZE)
    return bytes(pdf.output())


def render_plain(certificate, verify_url, pairs, text) -> bytes:
    pdf = document(certificate)
    rows(pdf, pairs)
    pdf.ln(4)
    statement(pdf, text)
    pdf.ln(8)
    return sign_off(pdf, certificate, verify_url)
