"""Each media limit at its edge: exactly the limit is accepted, one past it is refused."""

import pytest

from linli.core.media import CASE_PHOTO_RULE, MediaRule, check_count, process_image, process_images

from .test_media import encode, refused, two_colours, upload


def test_exactly_the_pixel_limit_is_accepted_and_one_pixel_row_more_is_refused():
    rule = MediaRule(max_count=1, max_bytes=10_000_000, max_pixels=1000 * 600)
    assert process_image(upload(encode(two_colours(1000, 600), "PNG"), "a.png"), rule).width == 1000
    assert refused(encode(two_colours(1000, 601), "PNG"), rule, "b.png") == "too_large"


def test_exactly_the_byte_limit_is_accepted_and_one_byte_more_is_refused():
    data = encode(two_colours(300, 200), "JPEG")
    rule = MediaRule(max_count=1, max_bytes=len(data))
    process_image(upload(data), rule)
    assert refused(data + b"\0", rule) == "too_large"  # decoders ignore bytes after the end marker


def test_exactly_the_smallest_size_is_accepted_and_one_pixel_less_is_refused():
    rule = MediaRule(max_count=1, max_bytes=10_000_000, min_width=800, min_height=600)
    process_image(upload(encode(two_colours(800, 600), "JPEG")), rule)
    assert refused(encode(two_colours(799, 600), "JPEG"), rule) == "too_small"
    assert refused(encode(two_colours(800, 599), "JPEG"), rule) == "too_small"


@pytest.mark.parametrize("count, accepted", [(CASE_PHOTO_RULE.max_count, True), (CASE_PHOTO_RULE.max_count + 1, False)])
def test_the_photo_count_at_its_edge(count, accepted):
    files = [upload(encode(two_colours(40, 30), "JPEG")) for _ in range(count)]
    if accepted:
        check_count(files, CASE_PHOTO_RULE)
        assert len(process_images(files, CASE_PHOTO_RULE)) == count
    else:
        with pytest.raises(Exception) as caught:
            check_count(files, CASE_PHOTO_RULE)
        assert caught.value.code == "too_many"
