"""The PDF of a volunteer service certificate (志愿服务记录证明), A4, with a QR code to verify it.

    render_certificate(certificate, verify_url) -> bytes
    FontUnavailable   the CJK font (settings.CERTIFICATE_FONT_PATH) is missing or unreadable;
                      pages answer 503, the API {"code": "pdf_unavailable"} with 503.

The ID number is always printed masked; the full one never enters the document.
"""

from __future__ import annotations

import io
import os

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from fpdf import FPDF

from linli.core import qr
from linli.core.templatetags import linli as linli_tags

FONT = "cjk"
MARGIN = 18
QR_SIZE = 36


class FontUnavailable(Exception):
    """The certificate font cannot be loaded: an operator must install it or set CERTIFICATE_FONT_PATH."""


def format_hours(hours) -> str:
    """12.50 → "12.5", 3.00 → "3": the pages' `hours` filter, so the certificate reads the same."""
    return linli_tags.hours(hours)


def _font_index(path) -> int:
    return settings.CERTIFICATE_FONT_INDEX if path.lower().endswith((".ttc", ".otc")) else 0


def _document() -> FPDF:
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
    return pdf


def _qr_png(url) -> io.BytesIO:
    return qr.png(url)


def render_certificate(certificate, verify_url) -> bytes:
    volunteer = certificate.volunteer
    pdf = _document()
    pdf.set_title(certificate.number)
    pdf.add_page()
    width = pdf.epw

    pdf.set_font(FONT, size=22)
    pdf.cell(width, 14, _("Volunteer service certificate"), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=10)
    pdf.cell(width, 6, _("No. %(number)s") % {"number": certificate.number}, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)

    pdf.set_font(FONT, size=12)
    for label, value in (
        (_("Full name"), volunteer.name),
        (_("ID number"), volunteer.masked_id_number),
        (_("Volunteer number"), volunteer.number),
        (_("Service period"), f"{certificate.date_from:%Y-%m-%d} – {certificate.date_to:%Y-%m-%d}"),
        (_("Verified hours"), _("%(hours)s hours") % {"hours": format_hours(certificate.hours)}),
    ):
        pdf.cell(40, 8, label)
        pdf.cell(width - 40, 8, str(value), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.multi_cell(width, 7, _(
        "This is to certify that %(name)s served as a volunteer with %(organization)s from %(start)s to "
        "%(end)s, %(hours)s verified hours in total. The service is listed below."
    ) % {"name": volunteer.name, "organization": certificate.organization.name,
         "start": f"{certificate.date_from:%Y-%m-%d}", "end": f"{certificate.date_to:%Y-%m-%d}",
         "hours": format_hours(certificate.hours)}, align="L", new_x="LMARGIN", new_y="NEXT")  # not justified: CJK would stretch
    pdf.ln(4)

    # Service content by period: date, activity, hours.
    pdf.set_font(FONT, size=10)
    pdf.set_fill_color(235, 238, 242)
    columns = (28, width - 28 - 22, 22)
    for text, column_width, align in zip((_("Date"), _("Activity"), _("Hours")), columns, "LLR"):
        pdf.cell(column_width, 8, text, border="B", align=align, fill=True)
    pdf.ln(8)
    for entry in certificate.entries:
        pdf.cell(columns[0], 7, entry["date"])
        title = entry["title"]
        while title and pdf.get_string_width(title) > columns[1] - 2:
            title = title[:-1]
        pdf.cell(columns[1], 7, title if title == entry["title"] else title[:-1] + "…")
        pdf.cell(columns[2], 7, format_hours(entry["hours"]), align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(8)

    if pdf.get_y() > pdf.h - MARGIN - QR_SIZE - 10:
        pdf.add_page()
    top = pdf.get_y()
    pdf.set_font(FONT, size=12)
    pdf.cell(width - QR_SIZE - 6, 8, _("Issued by: %(organization)s") % {"organization": certificate.organization.name},
             new_x="LMARGIN", new_y="NEXT")
    pdf.cell(width - QR_SIZE - 6, 8, _("Date of issue: %(date)s") % {
        "date": f"{timezone.localtime(certificate.issued_at):%Y-%m-%d}"}, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=9)
    pdf.multi_cell(width - QR_SIZE - 6, 5, _(
        "Scan the code to check that this certificate is genuine."), align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.image(_qr_png(verify_url), x=pdf.w - MARGIN - QR_SIZE, y=top, w=QR_SIZE, h=QR_SIZE)
    return bytes(pdf.output())
