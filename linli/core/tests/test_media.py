"""Media rules with real files: checked by content, re-encoded, EXIF gone, GPS read first."""

import io
import struct
import time
import zlib

import pillow_heif
import pytest
from django.utils import translation
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image

from linli.core.media import (
    CASE_PHOTO_RULE,
    MediaError,
    MediaRule,
    check_count,
    gps_point,
    process_image,
    process_images,
)

# 厦门 思明区: 24°29'06.0"N 118°05'24.5"E
GPS = {
    ExifTags.GPS.GPSLatitudeRef: "N",
    ExifTags.GPS.GPSLatitude: (24.0, 29.0, 6.0),
    ExifTags.GPS.GPSLongitudeRef: "E",
    ExifTags.GPS.GPSLongitude: (118.0, 5.0, 24.5),
}
LAT, LNG = 24 + 29 / 60 + 6 / 3600, 118 + 5 / 60 + 24.5 / 3600


def exif(orientation=None, gps=None):
    data = Image.Exif()
    data[ExifTags.Base.Make] = "TestPhone"
    data[ExifTags.Base.Model] = "Serial 12345"
    if orientation:
        data[ExifTags.Base.Orientation] = orientation
    if gps:
        data[ExifTags.IFD.GPSInfo] = gps
    return data


def two_colours(width=800, height=600, mode="RGB"):
    """Left half red, right half blue: orientation changes are visible."""
    image = Image.new(mode, (width, height), (220, 20, 20) if mode == "RGB" else (220, 20, 20, 255))
    image.paste((20, 20, 220) if mode == "RGB" else (20, 20, 220, 255), (width // 2, 0, width, height))
    return image


def encode(image, fmt, **options):
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def upload(data, name="photo.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def reopen(content_file):
    content_file.seek(0)
    image = Image.open(io.BytesIO(content_file.read()))
    image.load()
    return image


def assert_no_metadata(content_file):
    image = reopen(content_file)
    assert image.format == "JPEG"
    assert len(image.getexif()) == 0
    assert "exif" not in image.info and "xmp" not in image.info
    content_file.seek(0)
    raw = content_file.read()
    assert b"Exif" not in raw and b"TestPhone" not in raw and b"Serial 12345" not in raw


def colour(image, xy):
    return image.convert("RGB").getpixel(xy)


def is_red(rgb):
    return rgb[0] > 150 and rgb[2] < 100


def is_blue(rgb):
    return rgb[2] > 150 and rgb[0] < 100


# -- accepted formats -----------------------------------------------------------------------------


def test_jpeg_with_gps_and_orientation():
    data = encode(two_colours(800, 600), "JPEG", exif=exif(orientation=6, gps=GPS), quality=95)
    result = process_image(upload(data), CASE_PHOTO_RULE)
    assert result.exif_point == pytest.approx((LAT, LNG), abs=1e-6)
    # Orientation 6: the camera was turned; the stored pixels stand upright now.
    assert (result.width, result.height) == (600, 800)
    image = reopen(result.image)
    assert image.size == (600, 800)
    assert is_red(colour(image, (300, 100))) and is_blue(colour(image, (300, 700)))
    assert_no_metadata(result.image)
    assert_no_metadata(result.thumbnail)
    assert max(reopen(result.thumbnail).size) == 320
    assert result.image.name.endswith(".jpg") and "photo" not in result.image.name


def test_png_with_transparency_becomes_a_jpeg_on_white():
    image = two_colours(400, 300, mode="RGBA")
    image.paste((0, 0, 0, 0), (0, 0, 100, 300))  # a transparent strip
    result = process_image(upload(encode(image, "PNG"), "shot.png", "image/png"), CASE_PHOTO_RULE)
    assert result.exif_point is None
    out = reopen(result.image)
    assert out.mode == "RGB"
    assert colour(out, (50, 150)) >= (245, 245, 245)  # white where it was transparent
    assert is_red(colour(out, (150, 150)))
    assert_no_metadata(result.image)


def test_webp_with_gps():
    data = encode(two_colours(), "WEBP", exif=exif(gps=GPS), quality=90)
    result = process_image(upload(data, "x.webp", "image/webp"), CASE_PHOTO_RULE)
    assert result.exif_point == pytest.approx((LAT, LNG), abs=1e-6)
    assert (result.width, result.height) == (800, 600)
    assert_no_metadata(result.image)


def test_heic_from_an_iphone_with_gps():
    data = encode(two_colours(), "HEIF", exif=exif(gps=GPS), quality=90)
    assert pillow_heif.is_supported(data)
    result = process_image(upload(data, "IMG_0001.HEIC", "image/heic"), CASE_PHOTO_RULE)
    assert result.exif_point == pytest.approx((LAT, LNG), abs=1e-6)
    image = reopen(result.image)
    assert is_red(colour(image, (100, 300))) and is_blue(colour(image, (700, 300)))
    assert_no_metadata(result.image)


def test_southern_and_western_positions_are_negative():
    gps = {**GPS, ExifTags.GPS.GPSLatitudeRef: "S", ExifTags.GPS.GPSLongitudeRef: "W"}
    result = process_image(upload(encode(two_colours(), "JPEG", exif=exif(gps=gps))), CASE_PHOTO_RULE)
    assert result.exif_point == pytest.approx((-LAT, -LNG), abs=1e-6)


@pytest.mark.parametrize(
    "gps",
    [
        {ExifTags.GPS.GPSLatitudeRef: "N", ExifTags.GPS.GPSLatitude: (0.0, 0.0, 0.0),
         ExifTags.GPS.GPSLongitudeRef: "E", ExifTags.GPS.GPSLongitude: (0.0, 0.0, 0.0)},  # no fix
        {ExifTags.GPS.GPSLatitudeRef: "N", ExifTags.GPS.GPSLatitude: (95.0, 0.0, 0.0),
         ExifTags.GPS.GPSLongitudeRef: "E", ExifTags.GPS.GPSLongitude: (118.0, 0.0, 0.0)},  # out of range
        {ExifTags.GPS.GPSLatitudeRef: "N"},  # half a position
    ],
)
def test_nonsense_gps_is_no_position(gps):
    result = process_image(upload(encode(two_colours(), "JPEG", exif=exif(gps=gps))), CASE_PHOTO_RULE)
    assert result.exif_point is None


def test_gps_point_of_an_image_without_exif():
    assert gps_point(Image.Exif()) is None


def test_a_big_photo_is_scaled_down_and_a_cmyk_one_converted():
    big = Image.new("CMYK", (5000, 2000), (0, 200, 200, 0))
    result = process_image(upload(encode(big, "JPEG")), CASE_PHOTO_RULE)
    assert (result.width, result.height) == (2560, 1024)
    out = reopen(result.image)
    assert out.mode == "RGB" and out.size == (2560, 1024)
    assert reopen(result.thumbnail).size == (320, 128)


def test_a_16_bit_greyscale_png_keeps_its_tones():
    image = Image.new("I;16", (200, 200), 0)
    image.paste(Image.new("I;16", (100, 200), 40000), (100, 0))
    out = reopen(process_image(upload(encode(image, "PNG"), "scan.png"), CASE_PHOTO_RULE).image)
    assert colour(out, (50, 100))[0] < 10 and 140 < colour(out, (150, 100))[0] < 170


# -- refused ------------------------------------------------------------------------------------


def refused(data, rule=CASE_PHOTO_RULE, name="photo.jpg"):
    with pytest.raises(MediaError) as caught:
        process_image(upload(data, name), rule)
    assert caught.value.message and str(caught.value) == caught.value.message
    return caught.value.code


def test_a_text_file_named_jpg_is_not_an_image():
    assert refused(b"This is not a photo, whatever its name says.\n" * 20) == "not_an_image"
    assert refused(b"") == "not_an_image"


def test_a_truncated_jpeg_is_refused():
    noise = Image.effect_noise((600, 600), 80).convert("RGB")
    data = encode(noise, "JPEG", quality=90)
    assert refused(data[: len(data) // 2]) == "not_an_image"


def test_a_gif_is_not_an_allowed_format():
    assert refused(encode(two_colours(), "GIF"), name="anim.jpg") == "format_not_allowed"


def test_formats_follow_the_rule():
    rule = MediaRule(max_count=1, max_bytes=10_000_000, formats=("JPEG",))
    assert refused(encode(two_colours(), "PNG"), rule) == "format_not_allowed"
    process_image(upload(encode(two_colours(), "JPEG")), rule)


def test_an_oversize_file_is_refused():
    # A real JPEG padded past 15 MB (bytes after the end marker are ignored by decoders).
    data = encode(two_colours(), "JPEG") + b"\0" * (15 * 1024 * 1024)
    assert refused(data) == "too_large"


def test_the_size_is_checked_before_reading():
    class Huge(io.BytesIO):
        size = 10**12  # what Django's upload handler measured

        def read(self, *args):
            raise AssertionError("must not be read")

    with pytest.raises(MediaError) as caught:
        process_image(Huge(b""), CASE_PHOTO_RULE)
    assert caught.value.code == "too_large"


def test_a_too_small_image_is_refused_in_either_orientation():
    rule = MediaRule(max_count=9, max_bytes=10_000_000, min_width=800, min_height=600)
    assert refused(encode(two_colours(50, 50), "PNG"), rule) == "too_small"
    assert refused(encode(two_colours(700, 700), "PNG"), rule) == "too_small"
    process_image(upload(encode(two_colours(600, 800), "JPEG")), rule)  # portrait is fine


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_bomb(width, height, complete=True):
    """A valid greyscale PNG of width × height black pixels that is only a few KB."""
    compressor = zlib.compressobj(9)
    row = b"\0" * (width + 1)  # filter byte + pixels
    rows = height if complete else 16
    idat = b"".join(compressor.compress(row) for _ in range(rows)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header) + png_chunk(b"IDAT", idat) + png_chunk(b"IEND", b"")


def test_a_decompression_bomb_is_refused_quickly_and_cleanly():
    data = png_bomb(8000, 8000)  # 64 megapixels of nothing
    assert len(data) < 200_000
    started = time.monotonic()
    with translation.override("en"), pytest.raises(MediaError) as caught:
        process_image(upload(data, "bomb.png"), CASE_PHOTO_RULE)
    assert caught.value.code == "too_large"
    assert "megapixels" in caught.value.message
    assert time.monotonic() - started < 1  # refused from the header, never decoded


def test_pillows_own_bomb_guard_is_also_a_clean_error():
    generous = MediaRule(max_count=1, max_bytes=10_000_000, max_pixels=10**12)
    side = int((2 * Image.MAX_IMAGE_PIXELS) ** 0.5) + 100
    assert refused(png_bomb(side, side, complete=False), generous) == "too_large"


def test_ten_photos_are_too_many():
    files = [upload(encode(two_colours(100, 100), "JPEG")) for _ in range(10)]
    with pytest.raises(MediaError) as caught:
        check_count(files, CASE_PHOTO_RULE)
    assert caught.value.code == "too_many"
    with pytest.raises(MediaError) as caught:
        process_images(files, CASE_PHOTO_RULE)
    assert caught.value.code == "too_many"
    assert len(process_images(files[:9], CASE_PHOTO_RULE)) == 9


def test_process_images_names_the_bad_file():
    files = [upload(encode(two_colours(100, 100), "JPEG")), upload(b"not an image")]
    with pytest.raises(MediaError) as caught:
        process_images(files, CASE_PHOTO_RULE)
    assert (caught.value.code, caught.value.index) == ("not_an_image", 1)


def test_messages_are_translated(settings):
    from django.utils import translation

    with translation.override("en"):
        message = pytest.raises(MediaError, process_image, upload(b"x" * 10), CASE_PHOTO_RULE).value.message
    assert message == "The file is not an image, or it is damaged."
