"""The media rules a campaign sets: minimum bytes of the original before re-encoding, minimum
resolution in either orientation, and videos read with ffprobe (size, duration, container and codec),
never re-encoded."""

import io
import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from linli.core import media
from linli.core.media import MediaError, MediaRule, VideoRule

KB = 1024
WORK_PHOTO = MediaRule(max_count=3, max_bytes=20 * 1024 * KB, min_width=1920, min_height=1080)
ID_PHOTO = MediaRule(max_count=2, max_bytes=10 * 1024 * KB, min_bytes=100 * KB)
STORY_VIDEO = VideoRule(max_bytes=50 * 1024 * KB, min_width=1280, min_height=720, min_seconds=180)


def jpeg(width, height, size=None):
    """A JPEG of this size in pixels, padded after its end marker to `size` bytes (decoders stop at the
    marker, so the picture is the same; only the original's byte count grows)."""
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (30, 90, 160)).save(buffer, "JPEG", quality=60)
    data = buffer.getvalue()
    if size is not None:
        assert len(data) <= size
        data += b"\0" * (size - len(data))
    return SimpleUploadedFile("photo.jpg", data, content_type="image/jpeg")


def refused(code, call, *args):
    with pytest.raises(MediaError) as error:
        call(*args)
    assert error.value.code == code, error.value.message
    return error.value


def test_resolution_minimum_in_either_orientation():
    refused("too_small", media.process_image, jpeg(1919, 1080), WORK_PHOTO)
    assert media.process_image(jpeg(1920, 1080), WORK_PHOTO).width == 1920
    assert media.process_image(jpeg(1080, 1920), WORK_PHOTO).height == 1920
    refused("too_small", media.process_image, jpeg(1080, 1919), WORK_PHOTO)


def test_minimum_bytes_are_of_the_original_before_re_encoding():
    error = refused("file_too_small", media.process_image, jpeg(400, 500, size=99 * KB), ID_PHOTO)
    assert "100" in error.message
    processed = media.process_image(jpeg(400, 500, size=100 * KB), ID_PHOTO)
    assert processed.image.size < 100 * KB  # what is stored is smaller: the rule read the original


def video(tmp_path_factory, name, size="1280x720", seconds=180, codec="libx264"):
    path = tmp_path_factory.mktemp("videos") / name
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", f"testsrc=size={size}:rate=1:duration={seconds}",
                    "-c:v", codec, *(["-preset", "ultrafast"] if codec == "libx264" else []), "-pix_fmt", "yuv420p",
                    str(path)], check=True, timeout=120)
    return path


def upload(path, name=None):
    return SimpleUploadedFile(name or path.name, path.read_bytes(), content_type="video/mp4")


@pytest.fixture(scope="module")
def videos(tmp_path_factory):
    return {
        "3:00": video(tmp_path_factory, "full.mp4"),
        "2:59": video(tmp_path_factory, "short.mp4", seconds=179),
        "portrait": video(tmp_path_factory, "portrait.mp4", size="720x1280"),
        "small": video(tmp_path_factory, "small.mp4", size="1278x720"),
        "mpeg4 in avi": video(tmp_path_factory, "old.avi", seconds=180, codec="mpeg4"),
    }


def test_a_video_of_three_minutes_passes_and_one_of_2_59_does_not(videos):
    info = media.check_video(upload(videos["3:00"]), STORY_VIDEO)
    assert (info.width, info.height, info.codec, info.container) == (1280, 720, "h264", "mov")
    assert 179.5 <= info.seconds <= 180.5
    error = refused("too_short", media.check_video, upload(videos["2:59"]), STORY_VIDEO)
    assert "2:59" in error.message and "3:00" in error.message


def test_video_resolution_in_either_orientation(videos):
    assert media.check_video(upload(videos["portrait"]), STORY_VIDEO).height == 1280
    refused("too_small", media.check_video, upload(videos["small"]), STORY_VIDEO)


def test_what_is_not_an_allowed_video_is_refused(videos):
    refused("not_a_video", media.check_video, SimpleUploadedFile("story.mp4", "我的故事，一段文字。".encode() * 200),
            STORY_VIDEO)
    refused("format_not_allowed", media.check_video, upload(videos["mpeg4 in avi"], "old.mp4"), STORY_VIDEO)
    refused("too_large", media.check_video, upload(videos["3:00"]), VideoRule(max_bytes=100 * KB))
    refused("file_too_small", media.check_video, upload(videos["3:00"]), VideoRule(max_bytes=50 * 1024 * KB,
                                                                                  min_bytes=40 * 1024 * KB))


def test_a_missing_ffprobe_is_a_clear_try_later(videos, monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    refused("cannot_check", media.check_video, upload(videos["3:00"]), STORY_VIDEO)
