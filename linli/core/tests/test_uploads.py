"""Resumable uploads over the tus protocol: a video sent in pieces survives a cut (the client asks
how much arrived and sends the rest), pieces out of place or damaged are refused and lose nothing,
uploads are their owner's alone, and a finished one is read by core.media's video rules in place."""

import base64
import hashlib
import io
import subprocess
from datetime import timedelta

import pytest
from rest_framework.test import APIClient

from linli.core import uploads
from linli.core.media import VideoRule, check_video
from linli.core.models import Upload
from linli.core.testing import make_person

TUS = {"HTTP_TUS_RESUMABLE": "1.0.0"}
PIECE = "application/offset+octet-stream"


def b64(text):
    return base64.b64encode(text.encode()).decode()


@pytest.fixture
def video_purpose(settings, tmp_path):
    settings.UPLOADS_DIR = tmp_path / "uploads"
    uploads.register_purpose("test.video", max_bytes=8 * 1024 * 1024)
    yield
    uploads._PURPOSES.pop("test.video", None)


@pytest.fixture
def api(db):
    client = APIClient()
    client.force_authenticate(make_person("13900001201", "投稿人"))
    return client


def create(api, length, purpose="test.video", filename="故事.mp4"):
    return api.post("/api/uploads/", **TUS, HTTP_UPLOAD_LENGTH=str(length),
                    HTTP_UPLOAD_METADATA=f"purpose {b64(purpose)},filename {b64(filename)},filetype {b64('video/mp4')}")


def patch(api, url, data, offset, **extra):
    return api.generic("PATCH", url, data, content_type=PIECE, **TUS, HTTP_UPLOAD_OFFSET=str(offset), **extra)


def head(api, url):
    return api.generic("HEAD", url, **TUS)


@pytest.fixture(scope="module")
def phone_video(tmp_path_factory):
    """A real 4-second 1280×720 H.264 MP4 of about 5 MB, as a phone would send."""
    path = tmp_path_factory.mktemp("video") / "story.mp4"
    subprocess.run(["ffmpeg", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc2=s=1280x720:r=25", "-t", "4",
                    "-c:v", "libx264", "-preset", "ultrafast", "-b:v", "12M", "-maxrate", "12M", "-bufsize", "1M",
                    "-pix_fmt", "yuv420p", str(path)], check=True, timeout=120)
    return path.read_bytes()


class CutConnection:
    """A request body whose connection ends early: reads give what arrived, then nothing."""

    def __init__(self, arrived):
        self.arrived = io.BytesIO(arrived)

    def read(self, size=-1):
        return self.arrived.read(size)

    def readline(self, size=-1):
        return self.arrived.readline(size)


def test_a_video_cut_off_mid_piece_is_resumed_from_what_arrived(api, video_purpose, phone_video):
    options = api.options("/api/uploads/")
    assert options["Tus-Version"] == "1.0.0" and "creation" in options["Tus-Extension"]
    created = create(api, len(phone_video))
    assert created.status_code == 201, created.content
    url = created["Location"]
    assert url.startswith("http://testserver/api/uploads/") and created["Upload-Offset"] == "0"
    assert len(phone_video) > 4 * 1024 * 1024
    first = 3 * 1024 * 1024  # bigger than Django's in-memory request limit: streamed to disk all the same
    assert patch(api, url, phone_video[:first], 0)["Upload-Offset"] == str(first)
    # The network drops: the request said 400 KB but the connection ends after 100 KB.
    cut = patch(api, url, b"", first, CONTENT_LENGTH="400000",
                **{"wsgi.input": CutConnection(phone_video[first:first + 100_000])})
    assert cut.status_code == 204 and cut["Upload-Offset"] == str(first + 100_000)
    asked = head(api, url)
    assert asked.status_code == 200 and asked["Upload-Offset"] == str(first + 100_000)
    assert asked["Upload-Length"] == str(len(phone_video)) and asked["Cache-Control"] == "no-store"
    done = patch(api, url, phone_video[first + 100_000:], first + 100_000)
    assert done["Upload-Offset"] == str(len(phone_video))
    upload = uploads.finished(url.rstrip("/").rsplit("/", 1)[1], api.handler._force_user, "test.video")
    assert upload is not None and upload.filename == "故事.mp4"
    assert uploads.path_of(upload).read_bytes() == phone_video
    info = check_video(uploads.as_file(upload), VideoRule(max_bytes=8 * 1024 * 1024, min_width=1280, min_height=720,
                                                          min_seconds=3))
    assert (info.width, info.height, info.codec) == (1280, 720, "h264") and info.seconds == pytest.approx(4, abs=0.1)


def test_pieces_out_of_place_damaged_or_too_long_are_refused_and_lose_nothing(api, video_purpose):
    data = bytes(range(256)) * 40
    url = create(api, len(data))["Location"]
    assert patch(api, url, data[:1000], 0).status_code == 204
    assert patch(api, url, data[1000:2000], 500).status_code == 409  # not where the upload stands
    wrong = base64.b64encode(hashlib.sha1(b"other").digest()).decode()
    damaged = patch(api, url, data[1000:2000], 1000, HTTP_UPLOAD_CHECKSUM=f"sha1 {wrong}")
    assert damaged.status_code == 460 and damaged.json()["code"] == "checksum_mismatch"
    assert head(api, url)["Upload-Offset"] == "1000"
    right = base64.b64encode(hashlib.sha1(data[1000:2000]).digest()).decode()
    assert patch(api, url, data[1000:2000], 1000, HTTP_UPLOAD_CHECKSUM=f"sha1 {right}")["Upload-Offset"] == "2000"
    assert patch(api, url, data[2000:] + b"extra", 2000).status_code == 413
    assert patch(api, url, data[2000:], 2000, HTTP_UPLOAD_CHECKSUM="crc32 AAAA").status_code == 400
    assert api.generic("PATCH", url, data[2000:], content_type="application/json", **TUS,
                       HTTP_UPLOAD_OFFSET="2000").status_code == 415
    for offset in ("-1", "２０００", "1e3", ""):
        assert patch(api, url, data[2000:], offset).status_code == 400, offset
    assert head(api, url)["Upload-Offset"] == "2000"
    assert api.generic("PATCH", url, data[2000:], content_type=PIECE, HTTP_UPLOAD_OFFSET="2000").status_code == 412


def test_creation_is_checked_and_uploads_are_their_owners_alone(api, video_purpose, db):
    assert create(api, 9 * 1024 * 1024).status_code == 413
    assert create(api, 10, purpose="anything").json()["code"] == "unknown_purpose"
    assert api.post("/api/uploads/", **TUS, HTTP_UPLOAD_LENGTH="x").status_code == 400
    assert api.post("/api/uploads/", **TUS, HTTP_UPLOAD_LENGTH="10",
                    HTTP_UPLOAD_METADATA="purpose !!!").status_code == 400
    url = create(api, 10)["Location"]
    stranger = APIClient()
    assert stranger.post("/api/uploads/", **TUS, HTTP_UPLOAD_LENGTH="10").status_code in (401, 403)
    stranger.force_authenticate(make_person("13900001202", "别人"))
    assert head(stranger, url).status_code == 404
    assert patch(stranger, url, b"0123456789", 0).status_code == 404
    assert stranger.delete(url, **TUS).status_code == 404
    for _n in range(uploads.OPEN_PER_PERSON - 1):
        create(api, 10)
    assert create(api, 10).json()["code"] == "too_many_uploads"
    upload = Upload.objects.filter(owner=api.handler._force_user).first()
    assert api.delete(f"http://testserver/api/uploads/{upload.pk}/", **TUS).status_code == 204
    assert not uploads.path_of(upload).exists() and not Upload.objects.filter(pk=upload.pk).exists()


def test_stale_unfinished_uploads_are_removed(api, video_purpose, clock):
    url = create(api, 10)["Location"]
    patch(api, url, b"01234", 0)
    upload = Upload.objects.get()
    clock.advance(hours=23)
    assert uploads.do_remove_stale() == 0
    assert uploads.do_remove_stale(now=upload.updated_at + uploads.EXPIRE_AFTER + timedelta(seconds=1)) == 1
    assert not uploads.path_of(upload).exists()
