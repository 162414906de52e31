"""Helpers every app's demo loader uses: run actions at a moment in the past, and small
generated photos to upload."""

from __future__ import annotations

import io
from contextlib import contextmanager

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone


@contextmanager
def at_moment(moment):
    """Run the enclosed actions as if it were `moment`: their created_at, events, due times
    and ledger entries are then computed by the actions themselves."""
    real = timezone.now
    timezone.now = lambda: moment
    try:
        yield
    finally:
        timezone.now = real


def demo_photo(name, colour):
    """A small generated JPEG (a street scene's worth of grey, a coloured patch): (name, bytes)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (640, 480), (196, 200, 204))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 300, 640, 480), fill=(120, 124, 128))  # the road
    draw.rectangle((220, 180, 420, 360), fill=colour)  # the thing
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=60)
    return name, buffer.getvalue()


def demo_upload(photo):
    name, content = photo
    return SimpleUploadedFile(name, content, content_type="image/jpeg")
