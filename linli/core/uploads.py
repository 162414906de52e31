"""Resumable uploads (the tus 1.0.0 protocol, with its creation, expiration, checksum and
termination extensions): a phone sends a 3-minute video in pieces, and after a cut on a weak
network asks how much arrived (HEAD) and sends the rest (PATCH). The browser side is the pinned
tus-js-client (static_vendor/tus), wired by static/js/resumable_upload.js.

    register_purpose(purpose, *, max_bytes)   what may be uploaded, and how big (an owner's ready())
    POST   /api/uploads/                      Upload-Length, Upload-Metadata "purpose …,filename …,filetype …"
                                              → 201 Location /api/uploads/<id>/
    HEAD   /api/uploads/<id>/                 Upload-Offset, Upload-Length (the owner only: else 404)
    PATCH  /api/uploads/<id>/                 application/offset+octet-stream at Upload-Offset; an
                                              Upload-Checksum "sha1 <base64>" is checked (460 when wrong)
    DELETE /api/uploads/<id>/                 abandon it
    finished(upload_id, user, purpose) -> Upload | None    a complete upload of the user's
    as_file(upload) -> File                   its bytes for core.media.check_video and storage
    do_discard(upload), do_remove_stale(now=None) -> count (unfinished for EXPIRE_AFTER)

The bytes live in settings.UPLOADS_DIR on the server's own disk (appending needs a local file),
never in MEDIA_ROOT: an owner copies a finished, checked file to its storage and discards the upload.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import uuid
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from .models import Upload

VERSION = "1.0.0"
EXTENSIONS = "creation,expiration,checksum,termination"
CHECKSUMS = {"sha1": hashlib.sha1, "sha256": hashlib.sha256, "md5": hashlib.md5}
EXPIRE_AFTER = timedelta(hours=24)
OPEN_PER_PERSON = 5  # unfinished uploads one person may hold at once
READ_SIZE = 64 * 1024


@dataclass(frozen=True)
class Purpose:
    purpose: str
    max_bytes: int


_PURPOSES: dict[str, Purpose] = {}


def register_purpose(purpose: str, *, max_bytes: int) -> Purpose:
    _PURPOSES[purpose] = Purpose(purpose, max_bytes)
    return _PURPOSES[purpose]


def purpose(name) -> Purpose | None:
    return _PURPOSES.get(name)


def max_bytes() -> int:
    return max((p.max_bytes for p in _PURPOSES.values()), default=0)


def path_of(upload) -> Path:
    return Path(settings.UPLOADS_DIR) / upload.pk.hex


def parse_metadata(header: str) -> dict[str, str] | None:
    """"key base64,key base64" → {key: text}; None when malformed (not base64, not UTF-8)."""
    metadata = {}
    for pair in filter(None, (part.strip() for part in (header or "").split(","))):
        key, _space, value = pair.partition(" ")
        try:
            metadata[key] = base64.b64decode(value, validate=True).decode("utf-8") if value else ""
        except (binascii.Error, UnicodeDecodeError):
            return None
    return metadata


def expires_at(upload):
    return (upload.updated_at or timezone.now()) + EXPIRE_AFTER


def open_uploads(user):
    return Upload.objects.filter(owner=user, completed_at__isnull=True,
                                 updated_at__gt=timezone.now() - EXPIRE_AFTER)


def do_create(user, purpose_name, length, filename="", content_type="") -> Upload:
    upload = Upload.objects.create(owner=user, purpose=purpose_name, length=length, filename=filename[:200],
                                   content_type=content_type[:100], completed_at=timezone.now() if length == 0 else None)
    path = path_of(upload)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch()
    return upload


class ChecksumMismatch(Exception):
    pass


def do_append(upload, stream, content_length, checksum=None) -> Upload:
    """Write what arrives of this piece at the upload's offset, under the row's lock (one piece at
    a time). A connection cut mid-piece keeps the bytes that arrived: the client asks (HEAD) and
    goes on from there. With a checksum, a piece that does not match is dropped whole."""
    with transaction.atomic():
        locked = Upload.objects.select_for_update().get(pk=upload.pk)
        room = locked.length - locked.offset
        wanted = min(content_length, room) if content_length is not None else room
        digest = CHECKSUMS[checksum[0]]() if checksum else None
        received = 0
        with open(path_of(locked), "r+b") as target:
            target.truncate(locked.offset)  # drop what a failed piece may have left
            target.seek(locked.offset)
            while received < wanted:
                try:
                    piece = stream.read(min(READ_SIZE, wanted - received))
                except Exception:  # noqa: BLE001 — whatever the server raises when the client went away: keep what arrived
                    break
                if not piece:
                    break
                target.write(piece)
                received += len(piece)
                if digest:
                    digest.update(piece)
            if digest and digest.digest() != checksum[1]:
                target.truncate(locked.offset)
                raise ChecksumMismatch
            target.flush()
            os.fsync(target.fileno())
        locked.offset += received
        if locked.offset == locked.length:
            locked.completed_at = timezone.now()
        locked.save(update_fields=["offset", "completed_at", "updated_at"])
    return locked


def finished(upload_id, user, purpose_name) -> Upload | None:
    """The user's complete upload for this purpose (what a form's hidden field names), or None."""
    try:
        upload_id = uuid.UUID(str(upload_id))
    except ValueError:
        return None
    return Upload.objects.filter(pk=upload_id, owner=user, purpose=purpose_name, completed_at__isnull=False).first()


class UploadedBytes(File):
    """A finished upload as a file: `temporary_file_path()` lets ffprobe read it where it lies."""

    def __init__(self, upload):
        self.upload = upload
        super().__init__(open(path_of(upload), "rb"), name=upload.filename or upload.pk.hex)  # noqa: SIM115

    @property
    def size(self):
        return self.upload.length

    def temporary_file_path(self):
        return str(path_of(self.upload))


def as_file(upload) -> UploadedBytes:
    return UploadedBytes(upload)


def do_discard(upload) -> None:
    path_of(upload).unlink(missing_ok=True)
    Upload.objects.filter(pk=upload.pk).delete()


def do_remove_stale(now=None) -> int:
    """Unfinished uploads untouched for EXPIRE_AFTER, and their bytes (a periodic task)."""
    stale = Upload.objects.filter(completed_at__isnull=True,
                                  updated_at__lte=(now or timezone.now()) - EXPIRE_AFTER)
    count = 0
    for upload in stale.iterator():
        do_discard(upload)
        count += 1
    return count
