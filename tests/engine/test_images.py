"""engine.images on real files, each crafted here in memory with Pillow or by hand."""

import io
import struct
import warnings
import zlib

import numpy
import pytest
from PIL import Image
from PIL import ImageDraw
from PIL import ImageFile

from engine import images


def encode(image, image_format, **options):
    buffer = io.BytesIO()
    image.save(buffer, format=image_format, **options)
    return buffer.getvalue()


def png_chunk(kind, payload):
    checksum = struct.pack(">I", zlib.crc32(kind + payload))
    return struct.pack(">I", len(payload)) + kind + payload + checksum


def one_bit_png(width, height, compressed_rows=b""):
    """A 1-bit grayscale PNG whose header says width x height, however few rows follow."""
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", compressed_rows or zlib.compress(b""))
        + png_chunk(b"IEND", b"")
    )


def real_one_bit_bomb(side):
    """A complete, valid side x side black PNG: tens of KB that decode to side*side pixels."""
    compressor = zlib.compressobj(9)
    row = b"\x00" * (1 + (side + 7) // 8)  # Filter byte, then the row's bits.
    compressed = b"".join(compressor.compress(row) for _ in range(side)) + compressor.flush()
    return one_bit_png(side, side, compressed)


def half_red_half_blue(width=40, height=20):
    picture = Image.new("RGB", (width, height), (0, 0, 255))
    ImageDraw.Draw(picture).rectangle([0, 0, width // 2 - 1, height - 1], fill=(255, 0, 0))
    return picture


# --- Decoding ordinary files -------------------------------------------------------------------


@pytest.mark.parametrize("image_format", ["PNG", "JPEG", "GIF", "WEBP", "BMP", "TIFF"])
def test_common_formats_decode_to_rgb_with_their_colours(image_format):
    opened = images.open_upload(encode(half_red_half_blue(), image_format))
    assert opened.mode == "RGB" and opened.size == (40, 20)
    left, right = opened.getpixel((5, 10)), opened.getpixel((35, 10))
    assert left[0] > 200 and left[2] < 60
    assert right[2] > 200 and right[0] < 60


def test_grayscale_stays_grayscale():
    opened = images.open_upload(encode(Image.new("L", (8, 8), 77), "PNG"))
    assert opened.mode == "L" and opened.getpixel((0, 0)) == 77


# --- Refusals ----------------------------------------------------------------------------------


def test_empty_bytes_are_refused():
    with pytest.raises(ValueError, match="empty"):
        images.open_upload(b"")


@pytest.mark.parametrize(
    "data, looks_like",
    [
        ("My shirt photo, coming soon.\n".encode(), "a text file"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n", "a PDF"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'><circle r='4'/></svg>", "an SVG"),
        (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic", "a HEIC photo"),
        (b"PK\x03\x04\x14\x00\x06\x00" + bytes(40), "a ZIP archive"),
    ],
    ids=["text", "pdf", "svg", "heic", "zip"],
)
def test_common_non_images_are_named(data, looks_like):
    with pytest.raises(ValueError, match=f"looks like {looks_like}"):
        images.open_upload(data)


def test_unknown_binary_is_refused():
    with pytest.raises(ValueError, match="not a picture"):
        images.open_upload(bytes(range(256)) * 4)


@pytest.mark.parametrize("image_format", ["PNG", "JPEG"])
def test_truncated_files_fail_on_open_not_later(image_format):
    noisy = numpy.random.default_rng(0).integers(0, 256, (64, 64, 3), dtype=numpy.uint8)
    whole = encode(Image.fromarray(noisy), image_format)
    with pytest.raises(ValueError, match="damaged or incomplete"):
        images.open_upload(whole[: len(whole) // 2])
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False


def test_a_file_over_max_bytes_is_refused():
    data = encode(half_red_half_blue(), "PNG")
    with pytest.raises(ValueError, match="MB"):
        images.open_upload(data, max_bytes=len(data) - 1)
    assert images.open_upload(data, max_bytes=len(data)).size == (40, 20)


def test_a_header_claiming_huge_dimensions_is_refused_before_decoding():
    with pytest.raises(ValueError, match="40,000,000 pixels"):
        images.open_upload(one_bit_png(20_000, 20_000))
    # Under Pillow's own limit but over ours: the header is enough to refuse.
    with pytest.raises(ValueError, match="7000 x 7000 pixels"):
        images.open_upload(one_bit_png(7_000, 7_000))


def test_a_real_decompression_bomb_is_refused_before_decoding():
    bomb = real_one_bit_bomb(20_000)
    assert len(bomb) < 1_000_000  # 400 million pixels in well under a megabyte.
    with pytest.raises(ValueError, match="pixels"):
        images.open_upload(bomb)


@pytest.mark.parametrize("side", [10_000, 100_000])  # Pillow's warning, then its error.
def test_pillows_bomb_guard_holds_even_when_max_pixels_is_raised(side):
    limit_before, filters_before = Image.MAX_IMAGE_PIXELS, list(warnings.filters)
    with pytest.raises(ValueError, match="pixels"):
        images.open_upload(one_bit_png(side, side), max_pixels=10**12)
    assert Image.MAX_IMAGE_PIXELS == limit_before
    assert warnings.filters == filters_before


def test_max_pixels_is_the_callers_choice():
    data = encode(Image.new("RGB", (100, 100)), "PNG")
    with pytest.raises(ValueError, match="100 x 100"):
        images.open_upload(data, max_pixels=9_999)


# --- Conversions -------------------------------------------------------------------------------


def test_rgba_transparent_background_becomes_white():
    picture = Image.new("RGBA", (20, 20), (0, 0, 0, 0))
    ImageDraw.Draw(picture).rectangle([5, 5, 14, 14], fill=(200, 0, 0, 255))
    opened = images.open_upload(encode(picture, "PNG"))
    assert opened.mode == "RGB"
    assert opened.getpixel((0, 0)) == (255, 255, 255)
    assert opened.getpixel((10, 10)) == (200, 0, 0)


def test_half_transparent_pixels_are_blended_with_white():
    opened = images.open_upload(encode(Image.new("RGBA", (4, 4), (0, 0, 0, 128)), "PNG"))
    assert all(abs(channel - 127) <= 2 for channel in opened.getpixel((0, 0)))


def test_la_becomes_grayscale_on_white():
    picture = Image.new("LA", (10, 10), (0, 0))
    picture.putpixel((5, 5), (40, 255))
    opened = images.open_upload(encode(picture, "PNG"))
    assert opened.mode == "L"
    assert opened.getpixel((0, 0)) == 255 and opened.getpixel((5, 5)) == 40


def test_palette_without_transparency_keeps_its_colours():
    palette_image = half_red_half_blue().convert("P", palette=Image.Palette.ADAPTIVE, colors=4)
    opened = images.open_upload(encode(palette_image, "PNG"))
    assert opened.mode == "RGB"
    assert opened.getpixel((5, 10)) == (255, 0, 0) and opened.getpixel((35, 10)) == (0, 0, 255)


def test_palette_with_transparency_ends_white_not_black():
    palette_image = Image.new("P", (10, 10), 0)
    palette_image.putpalette([0, 0, 0, 0, 128, 0] + [0] * 762)
    palette_image.putpixel((5, 5), 1)
    opened = images.open_upload(encode(palette_image, "PNG", transparency=0))
    assert opened.getpixel((0, 0)) == (255, 255, 255)
    assert opened.getpixel((5, 5)) == (0, 128, 0)


def test_sixteen_bit_grayscale_is_stretched_over_its_real_range():
    values = numpy.linspace(1000, 1100, 64 * 64).reshape(64, 64).astype(numpy.uint16)
    sixteen_bit = Image.fromarray(values)
    assert sixteen_bit.mode == "I;16"
    opened = images.open_upload(encode(sixteen_bit, "PNG"))
    pixels = numpy.asarray(opened)
    assert opened.mode == "L" and pixels.min() == 0 and pixels.max() == 255
    assert len(numpy.unique(pixels)) > 90  # A stretch, not a clip to two values.


@pytest.mark.parametrize("mode", ["I;16B", "I", "F"])
def test_other_deep_grayscale_modes_are_stretched(mode):
    values = numpy.linspace(-5, 30_000, 16 * 16).reshape(16, 16)
    if mode == "I;16B":
        deep = Image.fromarray(values.clip(0).astype(">u2"))
    else:
        deep = Image.fromarray(values.astype(numpy.int32 if mode == "I" else numpy.float32))
    assert deep.mode == mode
    pixels = numpy.asarray(images.to_rgb_or_grayscale(deep))
    assert pixels.dtype == numpy.uint8 and pixels.min() == 0 and pixels.max() == 255


def test_float_tiff_upload():
    values = numpy.linspace(0.0, 0.01, 100).reshape(10, 10).astype(numpy.float32)
    opened = images.open_upload(encode(Image.fromarray(values), "TIFF"))
    assert opened.mode == "L" and numpy.asarray(opened).max() == 255


def test_cmyk_jpeg_becomes_rgb():
    red_in_cmyk = Image.new("CMYK", (16, 16), (0, 255, 255, 0))
    opened = images.open_upload(encode(red_in_cmyk, "JPEG", quality=95))
    red, green, blue = opened.getpixel((8, 8))
    assert opened.mode == "RGB" and red > 230 and green < 30 and blue < 30


def test_ycbcr_becomes_rgb():
    ycbcr = half_red_half_blue().convert("YCbCr")
    rgb = images.to_rgb_or_grayscale(ycbcr)
    assert rgb.mode == "RGB" and rgb.getpixel((5, 10))[0] > 240


def test_exif_orientation_is_applied():
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: the camera was turned; rotate 90 degrees clockwise.
    opened = images.open_upload(encode(half_red_half_blue(), "JPEG", exif=exif.tobytes()))
    assert opened.size == (20, 40)
    assert opened.getpixel((10, 5))[0] > 200  # The left (red) half is now on top.
    assert opened.getpixel((10, 35))[2] > 200


def test_animated_gif_gives_its_first_frame():
    frames = [Image.new("RGB", (12, 12), colour) for colour in ((255, 0, 0), (0, 255, 0))]
    data = encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100)
    opened = images.open_upload(data)
    assert opened.mode == "RGB" and opened.getpixel((6, 6)) == (255, 0, 0)


# --- Fashion-MNIST input -----------------------------------------------------------------------


def dark_shirt_on_white(width=300, height=300):
    picture = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(picture)
    middle = width // 2
    draw.rectangle([middle - 60, 80, middle + 60, 260], fill=30)  # Body.
    for side in (-1, 1):  # Sleeves.
        corners = [(60, 80), (110, 130), (85, 155), (60, 125)]
        draw.polygon([(middle + side * x, y) for x, y in corners], fill=30)
    return picture.convert("RGB")


def centre_of_mass(pixels):
    rows, columns = numpy.indices(pixels.shape)
    total = pixels.sum()
    return (rows * pixels).sum() / total, (columns * pixels).sum() / total


def test_dark_shirt_on_white_is_inverted_centred_and_scaled():
    steps = images.to_fashion_mnist_input(dark_shirt_on_white())
    assert steps.inverted
    assert steps.model_input.shape == (28, 28) and steps.model_input.dtype == numpy.float32
    assert 0.0 <= steps.model_input.min() and steps.model_input.max() <= 1.0
    assert steps.model_input[0, 0] == 0.0 and steps.model_input[14, 14] > 0.8
    row, column = centre_of_mass(steps.model_input)
    assert abs(row - 13.5) <= 2 and abs(column - 13.5) <= 2
    assert max(steps.resized.shape) == images.ITEM_SIDE
    pictures = (steps.grayscale, steps.light_on_dark, steps.cropped, steps.resized, steps.canvas)
    assert all(picture.dtype == numpy.uint8 for picture in pictures)
    numpy.testing.assert_allclose(steps.model_input, steps.canvas / 255.0, atol=1e-6)


def test_a_dark_background_is_not_inverted():
    light_shirt = Image.fromarray(255 - numpy.asarray(dark_shirt_on_white().convert("L")))
    steps = images.to_fashion_mnist_input(light_shirt)
    assert not steps.inverted
    assert steps.model_input[0, 0] == 0.0 and steps.model_input[14, 14] > 0.8


def test_an_all_white_picture_has_nothing_to_see():
    with pytest.raises(ValueError, match="nothing to see"):
        images.to_fashion_mnist_input(Image.new("RGB", (50, 50), (255, 255, 255)))


def test_a_very_wide_item_keeps_its_aspect_ratio():
    banner = Image.new("L", (400, 200), 255)
    ImageDraw.Draw(banner).rectangle([20, 90, 379, 119], fill=0)  # 360 x 30: 12 to 1.
    steps = images.to_fashion_mnist_input(banner)
    assert steps.resized.shape == (2, 24)
    rows = numpy.flatnonzero(steps.canvas.max(axis=1) > 0)
    columns = numpy.flatnonzero(steps.canvas.max(axis=0) > 0)
    assert len(columns) == 24 and len(rows) <= 4


def test_a_large_photo_is_worked_on_at_a_light_size():
    steps = images.to_fashion_mnist_input(dark_shirt_on_white(2000, 2000))
    assert max(steps.grayscale.shape) == images.WORKING_SIDE
    assert steps.canvas.shape == (28, 28)


# --- Input for the real-world-image lessons ----------------------------------------------------


def test_model_input_is_rgb_float_in_0_255_at_height_by_width():
    array = images.to_model_input(Image.new("L", (640, 480), 200), (150, 300))
    assert array.shape == (150, 300, 3) and array.dtype == numpy.float32
    assert array.min() == 200.0 and array.max() == 200.0


def test_model_input_flattens_transparency_on_white():
    array = images.to_model_input(Image.new("RGBA", (10, 10), (0, 0, 0, 0)), (4, 4))
    assert (array == 255.0).all()


@pytest.mark.parametrize("size", [(0, 10), (10,), (10.5, 10)])
def test_model_input_refuses_impossible_sizes(size):
    with pytest.raises(ValueError, match="two positive whole numbers"):
        images.to_model_input(Image.new("RGB", (4, 4)), size)
