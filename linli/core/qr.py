"""QR codes drawn on the server (segno): check-in codes at a venue, pickup codes, the
certificate's check code. Always a full-size QR: `segno.make` picks a Micro QR for short
data, which phone cameras and the browsers' decoders cannot read."""

from __future__ import annotations

import io

import segno

ERROR_LEVEL = "m"  # survives a smudged screen or a creased paper


def svg(data: str, *, scale: int = 1, border: int = 4, css_class: str | None = None, sized: bool = False) -> str:
    """Inline SVG markup. Without `sized`, the SVG has no width or height: CSS sizes it."""
    return segno.make_qr(data, error=ERROR_LEVEL).svg_inline(
        scale=scale, border=border, omitsize=not sized, svgclass=css_class
    )


def png(data: str, *, scale: int = 8, border: int = 2) -> io.BytesIO:
    buffer = io.BytesIO()
    segno.make_qr(data, error=ERROR_LEVEL).save(buffer, kind="png", scale=scale, border=border)
    buffer.seek(0)
    return buffer
