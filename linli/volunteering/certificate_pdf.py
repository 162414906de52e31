"""The PDF of a volunteer service certificate (志愿服务记录证明): core's certificate page with the
volunteer's rows, the 兹证明 statement and the table of service by date.

    render_certificate(certificate, verify_url) -> bytes     raises core's FontUnavailable

The ID number is always printed masked; the full one never enters the document.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from linli.core import certificate_pdf as layout
from linli.core.certificate_pdf import FONT, FontUnavailable  # noqa: F401 — the pages and API catch it here
from linli.core.templatetags import linli as linli_tags


def format_hours(hours) -> str:
    """12.50 → "12.5", 3.00 → "3": the pages' `hours` filter, so the certificate reads the same."""
    return linli_tags.hours(hours)


def render_certificate(certificate, verify_url) -> bytes:
    volunteer = certificate.volunteer
    pdf = layout.document(certificate)
    width = pdf.epw
    layout.rows(pdf, (
        (_("Full name"), volunteer.name),
        (_("ID number"), volunteer.masked_id_number),
        (_("Volunteer number"), volunteer.number),
        (_("Service period"), f"{certificate.date_from:%Y-%m-%d} – {certificate.date_to:%Y-%m-%d}"),
        (_("Verified hours"), _("%(hours)s hours") % {"hours": format_hours(certificate.hours)}),
    ))
    pdf.ln(4)
    layout.statement(pdf, _(
        "This is to certify that %(name)s served as a volunteer with %(organization)s from %(start)s to "
        "%(end)s, %(hours)s verified hours in total. The service is listed below."
    ) % {"name": volunteer.name, "organization": certificate.organization.name,
         "start": f"{certificate.date_from:%Y-%m-%d}", "end": f"{certificate.date_to:%Y-%m-%d}",
         "hours": format_hours(certificate.hours)})
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
    return layout.sign_off(pdf, certificate, verify_url)
