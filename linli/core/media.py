"""Media rules. INTERFACE STUB — being implemented; signatures are the contract.

@dataclass MediaRule(max_count, max_bytes, min_width=0, min_height=0, formats=("JPEG","PNG","HEIF","WEBP"),
                     max_pixels=40_000_000, thumbnail_size=(320, 320), output_max_side=2560)
process_image(uploaded_file, rule) -> ProcessedImage(image: ContentFile (JPEG, EXIF stripped),
                 thumbnail: ContentFile, width, height, exif_point: (lat, lng) | None)
    Checks by content with Pillow (never the extension), re-encodes, strips EXIF, reads the GPS
    position first. Raises MediaError(code, message): "not_an_image", "format_not_allowed",
    "too_large", "too_small", "too_many".
check_count(files, rule)  raises MediaError("too_many")
"""
