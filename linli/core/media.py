"""Media rules: uploaded images checked by content, re-encoded, stripped of metadata.

@dataclass MediaRule(max_count, max_bytes, min_width=0, min_height=0, formats=("JPEG","PNG","HEIF","WEBP"),
                     max_pixels=40_000_000, thumbnail_size=(320, 320), output_max_side=2560)
process_image(uploaded_file, rule) -> ProcessedImage(image: ContentFile (JPEG, EXIF stripped),
                 thumbnail: ContentFile, width, height, exif_point: (lat, lng) | None)
    Checks by content with Pillow (never the extension), re-encodes, strips EXIF, reads the GPS
    position first. Raises MediaError(code, message): "not_an_image", "format_not_allowed",
    "too_large", "too_small", "too_many".
check_count(files, rule)  raises MediaError("too_many")
process_images(files, rule) -> list[ProcessedImage]   (check_count, then each; the error's
    `index` names the file)

MediaRule.min_bytes: the original as uploaded must be at least this big (checked before anything is
re-encoded: a campaign's "ID photo of at least 100 KB"); "file_too_small".

@dataclass VideoRule(max_bytes, min_bytes=0, min_width=0, min_height=0, min_seconds=0, max_seconds=0,
                     containers=("mp4", "mov"), codecs=("h264", "hevc"))
check_video(uploaded_file, rule) -> VideoInfo(width, height, seconds, container, codec, size)
    Reads the container, the first video stream's codec and size, and the duration with ffprobe
    (Debian's ffmpeg); never re-encodes. Raises MediaError: "too_large", "file_too_small",
    "not_a_video", "format_not_allowed", "too_small", "too_short", "too_long", "cannot_check"
    (ffprobe missing or stuck: try later). Resolution is orientation-free, as for photos.

CASE_PHOTO_RULE: up to 9 photos of at most 15 MB each.

What is stored is always a fresh JPEG written from the pixels alone: no EXIF (so no
GPS position, camera serial or time), no XMP, no comments; only the colour profile
is kept. Orientation from EXIF is applied to the pixels first. The size in pixels is
checked from the header before anything is decoded, so a decompression bomb (a tiny
file declaring a huge image) is refused without using memory. min_width/min_height
accept either orientation: a portrait photo passes a landscape minimum.
"""

from __future__ import annotations

import io
import logging
import math
import uuid
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from PIL import ExifTags, Image, ImageOps
from pillow_heif import register_heif_opener

register_heif_opener()  # HEIC photos from iPhones open as format "HEIF"

logger = logging.getLogger(__name__)

# Multi-picture JPEGs (phones' portrait and depth shots) open as "MPO": they are JPEGs.
FORMAT_ALIASES = {"MPO": "JPEG", "HEIC": "HEIF"}
JPEG_QUALITY = 85
THUMBNAIL_QUALITY = 80


class MediaError(Exception):
    """A refused upload: a stable `code` for the API and a translated `message`."""

    def __init__(self, code: str, message: str, index: int | None = None):
        super().__init__(message)
        self.code = code
        self.message = str(message)
        self.index = index  # which file of several, when known

    def __str__(self):
        return self.message


@dataclass(frozen=True)
class MediaRule:
    max_count: int
    max_bytes: int
    min_width: int = 0
    min_height: int = 0
    formats: tuple[str, ...] = ("JPEG", "PNG", "HEIF", "WEBP")
    max_pixels: int = 40_000_000
    thumbnail_size: tuple[int, int] = (320, 320)
    output_max_side: int = 2560
    min_bytes: int = 0


@dataclass
class ProcessedImage:
    image: ContentFile  # JPEG, no metadata
    thumbnail: ContentFile  # JPEG within rule.thumbnail_size
    width: int
    height: int
    exif_point: tuple[float, float] | None  # (lat, lng) WGS84 from the photo's EXIF GPS


CASE_PHOTO_RULE = MediaRule(max_count=9, max_bytes=15 * 1024 * 1024)


# -- checks --------------------------------------------------------------------------------------


def check_count(files, rule: MediaRule) -> None:
    count = len(files)
    if count > rule.max_count:
        raise MediaError(
            "too_many",
            ngettext("At most %(max)d file is allowed.", "At most %(max)d files are allowed.", rule.max_count)
            % {"max": rule.max_count},
        )


def _read(uploaded_file, rule: MediaRule) -> bytes:
    too_large = MediaError("too_large", _("The file is larger than %(max)s.") % {"max": filesizeformat(rule.max_bytes)})
    size = getattr(uploaded_file, "size", None)
    if size is not None and size > rule.max_bytes:
        raise too_large  # refuse before reading it
    if hasattr(uploaded_file, "seek"):
        uploaded_file.seek(0)
    data = uploaded_file.read(rule.max_bytes + 1)
    if isinstance(data, str):
        data = data.encode()
    if len(data) > rule.max_bytes:
        raise too_large
    if not data:
        raise MediaError("not_an_image", _("The file is empty."))
    _check_min_bytes(len(data), rule.min_bytes)
    return data


def _check_min_bytes(size: int, min_bytes: int) -> None:
    if size < min_bytes:
        raise MediaError("file_too_small", _("The file is smaller than %(min)s; upload the original, not a "
                                             "compressed copy.") % {"min": filesizeformat(min_bytes)})


def _check_resolution(width: int, height: int, min_width: int, min_height: int, message) -> None:
    """Either orientation passes: a portrait 1080×1920 meets a landscape 1920×1080 minimum."""
    short_min, long_min = sorted((min_width, min_height))
    if min(width, height) < short_min or max(width, height) < long_min:
        raise MediaError("too_small", message % {"width": min_width, "height": min_height})


def _allowed(rule) -> set[str]:
    return {FORMAT_ALIASES.get(name.upper(), name.upper()) for name in rule.formats}


def _pillow_formats(rule) -> list[str]:
    """The Pillow plugins to try: only the allowed formats are ever parsed."""
    Image.init()
    allowed = _allowed(rule)
    formats = allowed | {alias for alias, name in FORMAT_ALIASES.items() if name in allowed}
    return sorted(name for name in formats if name in Image.OPEN)


def _open(data: bytes, rule: MediaRule) -> Image.Image:
    """The image with only its header read; refused when not an allowed image."""
    try:
        return Image.open(io.BytesIO(data), formats=_pillow_formats(rule))
    except Image.DecompressionBombError:
        raise _too_many_pixels(rule) from None
    except Exception:  # noqa: BLE001 — whatever the parser trips on, it is not an allowed image
        pass
    try:  # something else Pillow knows (GIF, BMP, TIFF …)? Header only, never decoded.
        with Image.open(io.BytesIO(data)) as other:
            found = other.format
    except Exception:  # noqa: BLE001
        found = None
    if found:
        allowed = ", ".join(rule.formats)
        raise MediaError(
            "format_not_allowed",
            _("%(format)s images are not accepted; use %(allowed)s.") % {"format": found, "allowed": allowed},
        )
    raise MediaError("not_an_image", _("The file is not an image, or it is damaged."))


def _too_many_pixels(rule):
    megapixels = rule.max_pixels / 1_000_000
    return MediaError(
        "too_large", _("The image has too many pixels (at most %(max)s megapixels).") % {"max": f"{megapixels:g}"}
    )


def _check_dimensions(image: Image.Image, rule: MediaRule) -> None:
    width, height = image.size
    if width <= 0 or height <= 0:
        raise MediaError("not_an_image", _("The file is not an image, or it is damaged."))
    if width * height > rule.max_pixels:
        raise _too_many_pixels(rule)
    _check_resolution(width, height, rule.min_width, rule.min_height,
                      _("The image is too small: at least %(width)d × %(height)d pixels are needed."))


# -- EXIF GPS ------------------------------------------------------------------------------------


def _degrees(value, ref) -> float | None:
    try:
        parts = [float(part) for part in value]
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    if not parts or len(parts) > 3 or not all(math.isfinite(part) for part in parts):
        return None
    parts += [0.0] * (3 - len(parts))
    degrees = parts[0] + parts[1] / 60 + parts[2] / 3600
    if isinstance(ref, bytes):
        ref = ref.decode("ascii", "ignore")
    if str(ref).strip().upper() in {"S", "W"}:
        degrees = -degrees
    return degrees


def gps_point(exif: Image.Exif) -> tuple[float, float] | None:
    """(lat, lng) in decimal degrees from EXIF GPS tags, or None when absent or nonsense."""
    try:
        gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    except Exception:  # noqa: BLE001 — a damaged EXIF block just means "no position"
        return None
    if not gps:
        return None
    lat = _degrees(gps.get(ExifTags.GPS.GPSLatitude), gps.get(ExifTags.GPS.GPSLatitudeRef, "N"))
    lng = _degrees(gps.get(ExifTags.GPS.GPSLongitude), gps.get(ExifTags.GPS.GPSLongitudeRef, "E"))
    if lat is None or lng is None or not (-90 <= lat <= 90 and -180 <= lng <= 180):
        return None
    if lat == 0 and lng == 0:  # phones without a fix write zeros
        return None
    return round(lat, 7), round(lng, 7)


# -- processing ----------------------------------------------------------------------------------


def _to_rgb(image: Image.Image) -> Image.Image:
    if image.mode in ("RGB", "L"):
        return image
    if image.mode == "P" and "transparency" in image.info:
        image = image.convert("RGBA")
    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        image = image.convert("RGBA")
        flat = Image.new("RGB", image.size, (255, 255, 255))  # transparency on white
        flat.paste(image, mask=image.getchannel("A"))
        return flat
    if image.mode.startswith("I;16") or image.mode in ("I", "F"):
        # 16/32-bit greyscale: scale to 8 bits rather than clip to white.
        return image.point(lambda value: value / 256).convert("L")
    return image.convert("RGB")


def _jpeg(image: Image.Image, quality: int, icc_profile: bytes | None) -> bytes:
    buffer = io.BytesIO()
    options = {"format": "JPEG", "quality": quality, "optimize": True}
    if icc_profile:
        options["icc_profile"] = icc_profile
    image.save(buffer, **options)
    return buffer.getvalue()


def process_image(uploaded_file, rule: MediaRule) -> ProcessedImage:
    data = _read(uploaded_file, rule)
    source = _open(data, rule)
    try:
        found = FORMAT_ALIASES.get(source.format, source.format)
        if found not in _allowed(rule):
            raise MediaError(
                "format_not_allowed",
                _("%(format)s images are not accepted; use %(allowed)s.")
                % {"format": source.format, "allowed": ", ".join(rule.formats)},
            )
        _check_dimensions(source, rule)
        try:
            exif = source.getexif()
        except Exception:  # noqa: BLE001
            exif = Image.Exif()
        point = gps_point(exif)
        source_mode = source.mode
        icc_profile = source.info.get("icc_profile")
        if source.format in ("JPEG", "MPO"):
            # Decode big JPEGs at a reduced scale straight away (still ≥ the output size).
            side = rule.output_max_side
            source.draft("RGB", (side, side))
        try:
            source.load()
            image = ImageOps.exif_transpose(source) or source
            if image is source:
                image = source.copy()
        except MediaError:
            raise
        except Image.DecompressionBombError:
            raise _too_many_pixels(rule) from None
        except Exception as error:  # noqa: BLE001 — truncated or corrupt data
            logger.info("Refused a damaged %s image: %s", source.format, error)
            raise MediaError("not_an_image", _("The file is not an image, or it is damaged.")) from None
    finally:
        source.close()

    image = _to_rgb(image)
    if max(image.size) > rule.output_max_side:
        image.thumbnail((rule.output_max_side, rule.output_max_side), Image.Resampling.LANCZOS)
    # A colour profile only makes sense on pixels of the kind it was made for.
    same_kind = (source_mode in ("RGB", "RGBA", "RGBX") and image.mode == "RGB") or source_mode == image.mode == "L"
    profile = icc_profile if same_kind else None

    name = uuid.uuid4().hex
    main = _jpeg(image, JPEG_QUALITY, profile)
    small = image.copy()
    small.thumbnail(rule.thumbnail_size, Image.Resampling.LANCZOS)
    thumb = _jpeg(small, THUMBNAIL_QUALITY, profile)
    return ProcessedImage(
        image=ContentFile(main, name=f"{name}.jpg"),
        thumbnail=ContentFile(thumb, name=f"{name}_thumb.jpg"),
        width=image.width,
        height=image.height,
        exif_point=point,
    )


def process_images(files, rule: MediaRule) -> list[ProcessedImage]:
    """check_count, then process_image for each; a MediaError's `index` names the file."""
    files = list(files)
    check_count(files, rule)
    results = []
    for index, uploaded_file in enumerate(files):
        try:
            results.append(process_image(uploaded_file, rule))
        except MediaError as error:
            error.index = index
            raise
    return results


def photo_response(photo, thumbnail=False):
    """A stored photo (or its thumbnail) as a private, cacheable JPEG response; Http404 when the
    file is gone. The caller has checked that the user may see it: media has no public URL."""
    from django.http import FileResponse, Http404

    field = photo.thumbnail if thumbnail and photo.thumbnail else photo.image
    try:
        handle = field.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    response = FileResponse(handle, content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=86400"
    return response


# -- video ---------------------------------------------------------------------------------------

FFPROBE_TIMEOUT_SECONDS = 30
# Encoders round a duration to their time base: a 3:00 video may read 179.98 s.
DURATION_TOLERANCE_SECONDS = 0.5


@dataclass(frozen=True)
class VideoRule:
    max_bytes: int
    min_bytes: int = 0
    min_width: int = 0
    min_height: int = 0
    min_seconds: float = 0
    max_seconds: float = 0  # 0: no limit
    containers: tuple[str, ...] = ("mp4", "mov")  # names as ffprobe's format_name lists them
    codecs: tuple[str, ...] = ("h264", "hevc")


@dataclass
class VideoInfo:
    width: int
    height: int
    seconds: float
    container: str
    codec: str
    size: int


def _clock(seconds: float) -> str:
    whole = int(round(seconds))
    return f"{whole // 60}:{whole % 60:02d}"


def _probe(path: str) -> dict:
    import json
    import subprocess

    command = ["ffprobe", "-v", "error", "-print_format", "json", "-show_format", "-show_streams", path]
    try:
        done = subprocess.run(command, capture_output=True, timeout=FFPROBE_TIMEOUT_SECONDS, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        logger.error("ffprobe could not run: %s", error)
        raise MediaError("cannot_check", _("The video cannot be checked just now; please try again later.")) from None
    if done.returncode != 0:
        raise MediaError("not_a_video", _("The file is not a video, or it is damaged."))
    try:
        return json.loads(done.stdout or b"{}")
    except ValueError:
        raise MediaError("not_a_video", _("The file is not a video, or it is damaged.")) from None


def _on_disk(uploaded_file):
    """A path to the upload's bytes: the temporary file Django wrote, or a copy of a small upload."""
    import tempfile

    if hasattr(uploaded_file, "temporary_file_path"):
        return uploaded_file.temporary_file_path(), None
    copy = tempfile.NamedTemporaryFile(suffix=".upload")  # noqa: SIM115 — closed by the caller
    if hasattr(uploaded_file, "seek"):
        uploaded_file.seek(0)
    for chunk in uploaded_file.chunks() if hasattr(uploaded_file, "chunks") else [uploaded_file.read()]:
        copy.write(chunk)
    copy.flush()
    return copy.name, copy


def check_video(uploaded_file, rule: VideoRule) -> VideoInfo:
    size = uploaded_file.size
    if size > rule.max_bytes:
        raise MediaError("too_large", _("The file is larger than %(max)s.") % {"max": filesizeformat(rule.max_bytes)})
    if not size:
        raise MediaError("not_a_video", _("The file is empty."))
    _check_min_bytes(size, rule.min_bytes)
    path, copy = _on_disk(uploaded_file)
    try:
        found = _probe(path)
    finally:
        if copy is not None:
            copy.close()
    streams = [s for s in found.get("streams", []) if s.get("codec_type") == "video"]
    container_names = str(found.get("format", {}).get("format_name", "")).split(",")
    if not streams or not container_names[0]:
        raise MediaError("not_a_video", _("The file is not a video, or it is damaged."))
    stream = streams[0]
    codec = str(stream.get("codec_name", ""))
    if not set(container_names) & set(rule.containers) or codec not in rule.codecs:
        raise MediaError("format_not_allowed", _("This kind of video is not accepted; record it with the phone's "
                                                 "camera as MP4 or MOV (H.264 or H.265)."))
    try:
        width, height = int(stream.get("width") or 0), int(stream.get("height") or 0)
        seconds = float(found.get("format", {}).get("duration") or stream.get("duration") or 0)
    except (TypeError, ValueError):
        raise MediaError("not_a_video", _("The file is not a video, or it is damaged.")) from None
    if width <= 0 or height <= 0 or not math.isfinite(seconds) or seconds <= 0:
        raise MediaError("not_a_video", _("The file is not a video, or it is damaged."))
    _check_resolution(width, height, rule.min_width, rule.min_height,
                      _("The video is too small: at least %(width)d × %(height)d pixels are needed."))
    if seconds + DURATION_TOLERANCE_SECONDS < rule.min_seconds:
        raise MediaError("too_short", _("The video is %(length)s long; at least %(min)s (minutes:seconds) is needed.")
                         % {"length": _clock(seconds), "min": _clock(rule.min_seconds)})
    if rule.max_seconds and seconds - DURATION_TOLERANCE_SECONDS > rule.max_seconds:
        raise MediaError("too_long", _("The video is %(length)s long; at most %(max)s (minutes:seconds) is allowed.")
                         % {"length": _clock(seconds), "max": _clock(rule.max_seconds)})
    return VideoInfo(width=width, height=height, seconds=seconds, container=container_names[0], codec=codec,
                     size=size)
