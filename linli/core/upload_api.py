"""The tus endpoints of core.uploads (/api/uploads/). Signed-in people only (a session with its
CSRF header, or a bearer token); an upload is its owner's alone: anyone else gets 404."""

from __future__ import annotations

import base64
import binascii

from django.http import HttpResponse, JsonResponse
from django.urls import path
from django.utils.http import http_date
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.views import APIView

from . import uploads
from .api import error_body
from .models import Upload

TUS_HEADERS = "Tus-Resumable, Upload-Offset, Upload-Length, Upload-Metadata, Upload-Checksum, Upload-Expires, Location"


def _tus(response, **headers):
    response["Tus-Resumable"] = uploads.VERSION
    response["Access-Control-Expose-Headers"] = TUS_HEADERS
    for name, value in headers.items():
        response[name.replace("_", "-")] = str(value)
    return response


def _error(status, code, message):
    return _tus(JsonResponse(error_body(code, message), status=status))


def _number(value):
    """A non-negative whole number of bytes from a header, or None (no signs, no spaces, ASCII only)."""
    value = (value or "").strip()
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 15 else None


def _expires(upload):
    return http_date(uploads.expires_at(upload).timestamp())


class UploadBase(APIView):
    permission_classes = [IsAuthenticated]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.version_ok = request.method == "OPTIONS" or request.headers.get("Tus-Resumable") == uploads.VERSION

    def refuse_version(self):
        response = _error(412, "unsupported_version", _("This upload client speaks another version of the protocol."))
        response["Tus-Version"] = uploads.VERSION
        return response

    def options(self, request, *args, **kwargs):
        return _tus(HttpResponse(status=204), Tus_Version=uploads.VERSION, Tus_Extension=uploads.EXTENSIONS,
                    Tus_Max_Size=uploads.max_bytes(), Tus_Checksum_Algorithm=",".join(uploads.CHECKSUMS))


@extend_schema(exclude=True)  # a binary protocol of headers: documented in core/uploads.py
class UploadCollection(UploadBase):
    def post(self, request):
        if not self.version_ok:
            return self.refuse_version()
        length = _number(request.headers.get("Upload-Length"))
        if length is None:
            return _error(400, "invalid", _("The upload must say its size."))
        metadata = uploads.parse_metadata(request.headers.get("Upload-Metadata", ""))
        if metadata is None:
            return _error(400, "invalid", _("The upload's description cannot be read."))
        purpose = uploads.purpose(metadata.get("purpose", ""))
        if purpose is None:
            return _error(400, "unknown_purpose", _("This kind of upload is not accepted."))
        if length > purpose.max_bytes:
            return _error(413, "too_large", _("The file is too large."))
        if uploads.open_uploads(request.user).count() >= uploads.OPEN_PER_PERSON:
            return _error(429, "too_many_uploads", _("Finish or cancel the uploads in progress first."))
        upload = uploads.do_create(request.user, purpose.purpose, length, metadata.get("filename", ""),
                                   metadata.get("filetype", ""))
        location = request.build_absolute_uri(f"{request.path.rstrip('/')}/{upload.pk}/")
        return _tus(HttpResponse(status=201), Location=location, Upload_Offset=upload.offset,
                    Upload_Expires=_expires(upload))


@extend_schema(exclude=True)
class UploadResource(UploadBase):
    def upload(self, request, pk):
        return Upload.objects.filter(pk=pk, owner=request.user).first()

    def head(self, request, pk):
        upload = self.upload(request, pk)
        if upload is None:
            return _tus(HttpResponse(status=404))
        return _tus(HttpResponse(status=200), Upload_Offset=upload.offset, Upload_Length=upload.length,
                    Cache_Control="no-store", Upload_Expires=_expires(upload))

    def patch(self, request, pk):
        if not self.version_ok:
            return self.refuse_version()
        upload = self.upload(request, pk)
        if upload is None:
            return _error(404, "not_found", _("Not found."))
        if request.content_type != "application/offset+octet-stream":
            return _error(415, "unsupported_media_type", _("Send the file's bytes as application/offset+octet-stream."))
        offset = _number(request.headers.get("Upload-Offset"))
        if offset is None:
            return _error(400, "invalid", _("The piece must say where it starts."))
        if offset != upload.offset:
            return _error(409, "offset_mismatch", _("The piece does not start where the upload stands; ask again."))
        checksum = self.checksum(request.headers.get("Upload-Checksum"))
        if checksum is False:
            return _error(400, "checksum_unsupported", _("This checksum cannot be checked."))
        length = _number(request.META.get("CONTENT_LENGTH"))
        if length is not None and length > upload.length - upload.offset:
            return _error(413, "too_large", _("The piece goes past the end of the file."))
        try:
            upload = uploads.do_append(upload, request._request, length, checksum or None)
        except uploads.ChecksumMismatch:
            return _error(460, "checksum_mismatch", _("The piece arrived damaged; send it again."))
        return _tus(HttpResponse(status=204), Upload_Offset=upload.offset, Upload_Expires=_expires(upload))

    def delete(self, request, pk):
        if not self.version_ok:
            return self.refuse_version()
        upload = self.upload(request, pk)
        if upload is None:
            return _error(404, "not_found", _("Not found."))
        uploads.do_discard(upload)
        return _tus(HttpResponse(status=204))

    @staticmethod
    def checksum(header):
        """(algorithm, digest bytes); None without a header; False for one we cannot check."""
        if not header:
            return None
        algorithm, _space, value = header.strip().partition(" ")
        if algorithm not in uploads.CHECKSUMS:
            return False
        try:
            return algorithm, base64.b64decode(value, validate=True)
        except binascii.Error:
            return False


urlpatterns = [
    path("uploads/", UploadCollection.as_view(), name="api-uploads"),
    path("uploads/<uuid:pk>/", UploadResource.as_view(), name="api-upload"),
]
