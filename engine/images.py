"""Pictures that learners upload in the browser, made safe and ready for a model.

An upload is untrusted bytes: it may be a PDF, half a JPEG, or a tiny file that claims to be
billions of pixels. `open_upload()` turns it into a plain RGB or grayscale Pillow image, or
refuses with a ValueError a learner can act on. The lessons then ask for model input:

- `to_fashion_mnist_input()` makes a 28x28 Fashion-MNIST-style picture and keeps every step, so
  a page can show the learner how a photo becomes what the model sees;
- `to_model_input()` resizes to the size a later lesson's model was built for.

Nothing here changes Pillow's global settings (`Image.MAX_IMAGE_PIXELS`,
`ImageFile.LOAD_TRUNCATED_IMAGES`): other lessons share them.
"""

import dataclasses
import io
import threading
import warnings

import numpy
from PIL import Image
from PIL import ImageOps

# Formats a browser or phone commonly produces. Not every format Pillow knows: EPS, for one,
# would run Ghostscript on the learner's bytes.
ALLOWED_FORMATS = ("PNG", "JPEG", "GIF", "WEBP", "BMP", "TIFF", "AVIF")
PLEASE_UPLOAD = "please upload a PNG, JPEG, GIF, WebP, BMP or TIFF picture"

# Fashion-MNIST items are about 24 pixels at their longest, on a 28x28 black canvas.
CANVAS_SIDE = 28
ITEM_SIDE = 24
# After stretching the contrast to 0..255, pixels above this count as the item, not the noise
# of the background.
ITEM_THRESHOLD = 32
# Phone photos are thousands of pixels wide; the item ends up 24 pixels long anyway, and the
# pictures of each step stay light enough to show in a browser.
WORKING_SIDE = 512
# Below this much contrast between background and brightest pixel the picture is blank.
MIN_CONTRAST = 24

# warnings.catch_warnings swaps the process-wide filter list; Streamlit serves sessions on
# threads, so two uploads opening at once must not restore each other's filters.
_WARNING_FILTERS_LOCK = threading.Lock()
# The most one uploaded picture may weigh: any picture (a photo for lesson 3, lesson 4's filter
# lab), and one for a model of lessons 5 to 7 or inside a zip of pictures.
PICTURE_BYTES = 20_000_000
TRAINING_PICTURE_BYTES = 30_000_000


def open_upload(data: bytes, max_bytes=PICTURE_BYTES, max_pixels=40_000_000,
                draft_size=None) -> Image.Image:
    """Decode uploaded bytes into a new RGB or L image (first frame, EXIF rotation applied,
    transparency on white), or raise ValueError saying what is wrong with the file.

    `draft_size` (width, height): a JPEG may then be decoded at a reduced scale that is still
    at least that large (Pillow's `draft`), several times faster for phone photos that are
    resized to a few hundred pixels anyway."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"open_upload expects the uploaded bytes, not {type(data).__name__}.")
    data = bytes(data)
    if not data:
        raise ValueError(f"The uploaded file is empty (0 bytes); {PLEASE_UPLOAD}.")
    if len(data) > max_bytes:
        raise ValueError(
            f"The file is {len(data) / 1e6:.1f} MB, more than the {max_bytes / 1e6:.0f} MB "
            "the classroom accepts; please upload a smaller picture."
        )

    pixel_limit = max_pixels
    if Image.MAX_IMAGE_PIXELS is not None:
        pixel_limit = min(max_pixels, Image.MAX_IMAGE_PIXELS)

    # Opening reads only the header, so the size checks below happen before any pixel is
    # decoded. Pillow's own guard warns above MAX_IMAGE_PIXELS; that warning must refuse too.
    try:
        with _WARNING_FILTERS_LOCK, warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=ALLOWED_FORMATS)
    except Image.UnidentifiedImageError:
        raise ValueError(_not_an_image_message(data)) from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValueError(_too_many_pixels_message(None, pixel_limit)) from None
    except MemoryError:
        raise
    except Exception as error:  # Any parser failure on untrusted bytes means a broken file.
        raise ValueError(_damaged_message()) from error

    if image.width * image.height > pixel_limit:
        image.close()
        raise ValueError(_too_many_pixels_message(image.size, pixel_limit))

    # An animated GIF or WebP opens on its first frame; decoding it fully here means a cut-off
    # file fails now, with a clear message, rather than later inside a lesson.
    try:
        if draft_size is not None and image.format == "JPEG":
            image.draft(image.mode, tuple(draft_size))  # same mode: only the scale changes
        image.load()
        upright = ImageOps.exif_transpose(image)
    except MemoryError:
        raise
    except Exception as error:
        raise ValueError(_damaged_message()) from error
    finally:
        image.close()
    return to_rgb_or_grayscale(upright)


def to_rgb_or_grayscale(image: Image.Image) -> Image.Image:
    """A new image in mode RGB (colour) or L (grayscale), whatever mode it was stored in."""
    mode = image.mode
    if mode in ("RGB", "L") and "transparency" not in image.info:
        return image.copy()
    if mode == "1":
        return image.convert("L")
    if mode.startswith("I") or mode == "F":
        return _deep_grayscale_to_8_bit(image)
    has_alpha = mode in ("RGBA", "RGBa", "LA", "La", "PA") or "transparency" in image.info
    if has_alpha:
        # Dropping alpha leaves whatever colour hides under transparent pixels, often black;
        # a picture viewer shows them on white, and so do we.
        if mode == "La":
            image = image.convert("LA")
        white = Image.new("RGBA", image.size, (255, 255, 255, 255))
        flattened = Image.alpha_composite(white, image.convert("RGBA")).convert("RGB")
        return flattened.convert("L") if mode in ("L", "LA", "La") else flattened
    try:
        return image.convert("RGB")  # P, CMYK, YCbCr, LAB, HSV, RGBX.
    except ValueError:
        raise ValueError(
            f"The picture uses the {mode} colour mode, which the classroom cannot show; "
            "please save it as an ordinary RGB PNG or JPEG."
        ) from None


def _deep_grayscale_to_8_bit(image: Image.Image) -> Image.Image:
    """16-bit, 32-bit and float grayscale stretched from the file's darkest to its brightest
    value: a scan using values 1000..1100 of 65535 would otherwise look black."""
    values = numpy.asarray(image).astype(numpy.float64)
    finite = numpy.isfinite(values)
    if not finite.any():
        return Image.new("L", image.size, 0)
    low, high = values[finite].min(), values[finite].max()
    values = numpy.where(finite, values, low)
    if high > low:
        scaled = (values - low) * (255.0 / (high - low))
    else:
        scaled = values  # A flat picture has no range to stretch; keep its level if it can.
    return Image.fromarray(numpy.clip(numpy.rint(scaled), 0, 255).astype(numpy.uint8))


@dataclasses.dataclass(frozen=True)
class FashionMnistSteps:
    """Each step of turning a picture into Fashion-MNIST input, as uint8 pictures to show."""

    grayscale: numpy.ndarray  # (height, width): the picture in shades of grey.
    light_on_dark: numpy.ndarray  # Item light, background black, contrast stretched.
    inverted: bool  # Whether the background was light and so the picture was inverted.
    cropped: numpy.ndarray  # Just the item's bounding box.
    resized: numpy.ndarray  # Longer side ITEM_SIDE pixels, same aspect ratio.
    canvas: numpy.ndarray  # (28, 28): the item centred on black, as the model sees it.
    model_input: numpy.ndarray  # (28, 28) float32 in [0, 1]: canvas / 255, as in the course.


def to_fashion_mnist_input(image: Image.Image) -> FashionMnistSteps:
    """Make a picture look like a Fashion-MNIST item: grey, light on black, cropped, centred,
    28x28. Raises ValueError when there is nothing to see."""
    grayscale_image = to_rgb_or_grayscale(image).convert("L")
    grayscale_image.thumbnail((WORKING_SIDE, WORKING_SIDE), Image.LANCZOS)  # Only shrinks.
    grayscale = numpy.asarray(grayscale_image)

    # Fashion-MNIST items are light on black; photos usually show a dark item on a light
    # background. The border is mostly background, so its median tells which kind we have.
    inverted = bool(_border_median(grayscale) > 127)
    light = 255 - grayscale if inverted else grayscale
    background = _border_median(light)
    contrast = float(light.max()) - background
    if contrast < MIN_CONTRAST:
        raise ValueError(
            "There is nothing to see in this picture: it is one flat shade. "
            "Upload a photo of a single clothing item on a plain background."
        )
    # A beige table or a grey wall would otherwise stay grey around the item.
    stretched = (light.astype(numpy.float64) - background) * (255.0 / contrast)
    light_on_dark = numpy.clip(numpy.rint(stretched), 0, 255).astype(numpy.uint8)

    rows = numpy.flatnonzero((light_on_dark > ITEM_THRESHOLD).any(axis=1))
    columns = numpy.flatnonzero((light_on_dark > ITEM_THRESHOLD).any(axis=0))
    cropped = light_on_dark[rows[0] : rows[-1] + 1, columns[0] : columns[-1] + 1]

    height, width = cropped.shape
    scale = ITEM_SIDE / max(height, width)
    new_size = (max(1, round(width * scale)), max(1, round(height * scale)))
    resized = Image.fromarray(cropped).resize(new_size, Image.LANCZOS)

    canvas = Image.new("L", (CANVAS_SIDE, CANVAS_SIDE), 0)
    canvas.paste(resized, ((CANVAS_SIDE - new_size[0]) // 2, (CANVAS_SIDE - new_size[1]) // 2))
    canvas_pixels = numpy.asarray(canvas)
    return FashionMnistSteps(
        grayscale=grayscale,
        light_on_dark=light_on_dark,
        inverted=inverted,
        cropped=cropped,
        resized=numpy.asarray(resized),
        canvas=canvas_pixels,
        model_input=canvas_pixels.astype(numpy.float32) / 255.0,
    )


def to_model_input(image: Image.Image, size: tuple[int, int]) -> numpy.ndarray:
    """RGB float32 array of shape (height, width, 3) with values in [0, 255], for models that
    rescale inside themselves. `size` is (height, width), the order Keras uses. The same
    resize as `picture_pixels`, so these are the values training saw for this picture."""
    return resized_rgb(image, size).astype(numpy.float32)


def resized_rgb(image: Image.Image, size) -> numpy.ndarray:
    """The picture as uint8 RGB of shape (height, width, 3), resized with Pillow's bilinear
    filter (which widens its filter when shrinking, so fine detail is averaged rather than
    skipped). `size` is (height, width); raises ValueError unless two positive integers."""
    if len(size) != 2 or not all(isinstance(side, int) and side > 0 for side in size):
        raise ValueError(f"The model size must be two positive whole numbers, not {size!r}.")
    height, width = size
    rgb = to_rgb_or_grayscale(image).convert("RGB")
    return numpy.asarray(rgb.resize((width, height), Image.BILINEAR), dtype=numpy.uint8)


def picture_pixels(data: bytes, size, max_bytes=TRAINING_PICTURE_BYTES) -> numpy.ndarray:
    """The classroom's one way from a picture file to what a model sees: decoded by
    `open_upload` (EXIF orientation applied; palette, 1-bit, greyscale, CMYK, 16-bit and
    transparent pictures made RGB, transparency on white), then `resized_rgb`.

    Training (engine.image_folders) and "your own pictures" both call this, so a picture is
    the same pixels in the grid, in training and in prediction. Returns uint8 of shape
    (height, width, 3), values 0..255; raises ValueError (a sentence for the learner) for a
    file it cannot read."""
    height, width = size
    image = open_upload(data, max_bytes=max_bytes, draft_size=(width, height))
    try:
        return resized_rgb(image, (height, width))
    finally:
        image.close()


def _border_median(pixels: numpy.ndarray) -> float:
    border = numpy.concatenate([pixels[0], pixels[-1], pixels[:, 0], pixels[:, -1]])
    return float(numpy.median(border))


def _not_an_image_message(data: bytes) -> str:
    head = data[:512]
    lowered = head.lstrip().lower()
    if head.startswith(b"%PDF"):
        looks_like = "a PDF document"
    elif head.startswith(b"PK\x03\x04"):
        looks_like = "a ZIP archive (Word, Excel and PowerPoint files are ZIPs too)"
    elif head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"mif1", b"msf1"):
        looks_like = "a HEIC photo (the iPhone format)"
    elif head[4:8] == b"ftyp":
        looks_like = "a video"
    elif lowered.startswith(b"<svg") or (lowered.startswith(b"<?xml") and b"<svg" in lowered):
        looks_like = "an SVG drawing"
    elif lowered.startswith((b"<!doctype html", b"<html")):
        looks_like = "a web page"
    elif b"\x00" not in head and head.decode("utf-8", "replace").count("\ufffd") <= 1:
        looks_like = "a text file"
    else:
        return f"This file is not a picture the classroom can read; {PLEASE_UPLOAD}."
    return f"This file looks like {looks_like}, which the classroom cannot read; {PLEASE_UPLOAD}."


def _too_many_pixels_message(size, pixel_limit) -> str:
    if size is None:
        return (
            f"This picture claims far more than the {pixel_limit:,} pixels the classroom "
            "accepts, so many that opening it could freeze the app; please upload a smaller one."
        )
    return (
        f"This picture is {size[0]} x {size[1]} pixels, more than the {pixel_limit:,} pixels "
        "the classroom accepts; please make it smaller first."
    )


def _damaged_message() -> str:
    return (
        "This picture is damaged or incomplete (perhaps the upload was cut off); "
        "please save it again and upload it once more."
    )
