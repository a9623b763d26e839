"""Real-world images in a real browser: a learner's own four-class zip, uploaded."""

import importlib.util
import io
import zipfile

import pytest

from engine import registry
from tests.browser import test_pages as pages

pytestmark = [pytest.mark.browser]
if importlib.util.find_spec("pytest_timeout") is not None:
    pytestmark.append(pytest.mark.timeout(300))


def four_class_zip(per_class: int = 12) -> bytes:
    """Real horses, humans, cats and dogs, one folder per class, plus the debris a Mac adds."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for dataset, class_name in (("horse-or-human", "horses"), ("horse-or-human", "humans"),
                                    ("cats_and_dogs_filtered", "cats"),
                                    ("cats_and_dogs_filtered", "dogs")):
            folder = registry.image_folder(dataset, "train") / class_name
            for picture in sorted(folder.iterdir())[:per_class]:
                archive.write(picture, f"animals/{class_name}/{picture.name}")
        archive.writestr("__MACOSX/animals/._cats", b"\x00\x05\x16\x07")
        archive.writestr("animals/notes.txt", "where the pictures came from")
    return buffer.getvalue()


def upload_zip(page, server, name: str, zip_bytes: bytes) -> None:
    """Open lesson 5 with a small, one-epoch setup and upload a zip as the learner's pictures."""
    page.goto(f"{server}/real-world-images?image_size=100&conv_blocks=3&epochs=1")
    pages.wait_for_app_idle(page)
    pages.choose_option(page, "pictures", "My own pictures")
    # The lesson has a second uploader (for classifying single pictures), and right after
    # the click the rerun may not have drawn the zip uploader yet: find it by its label.
    zip_uploader = page.locator('[data-testid="stFileUploader"]').filter(
        has_text="a .zip with one folder per class")
    zip_uploader.wait_for(timeout=pages.RUN_TIMEOUT_MS)
    pages.wait_for_app_idle(page)
    zip_uploader.locator('input[type="file"]').set_input_files(files=[{
        "name": name, "mimeType": "application/zip", "buffer": zip_bytes}])


def test_an_uploaded_four_class_zip_is_multiclass(browser_page, streamlit_server,
                                                  classroom_data_dir, screenshot_dir):
    page = browser_page
    upload_zip(page, streamlit_server, "animals.zip", four_class_zip())
    page.get_by_text("it is **multiclass**".replace("**", "")).wait_for(
        timeout=pages.RUN_TIMEOUT_MS)
    pages.wait_for_app_idle(page)
    pages.assert_no_exception(page)
    assert page.get_by_text("Skipped 2 files").count() == 1
    page.get_by_role("button", name="Train", exact=True).click()
    page.get_by_text("validation accuracy").first.wait_for(timeout=pages.RUN_TIMEOUT_MS)
    pages.wait_for_app_idle(page)
    pages.assert_no_exception(page)
    pages.full_page_screenshot(page, screenshot_dir / "real-world-own-zip.png")


def mixed_zip(per_class: int = 6) -> bytes:
    """The files people really have, made here: a JPEG, a PNG, a Paint palette BMP and a
    phone photo stored sideways with EXIF orientation 6, in each of two class folders."""
    from tests.engine import test_pictures as kinds

    makers = {"photo.jpg": lambda: kinds.encode(kinds.red_top_blue_bottom(), "JPEG"),
              "drawing.png": lambda: kinds.encode(kinds.red_top_blue_bottom(), "PNG"),
              "paint.bmp": kinds.palette_bmp, "sideways.jpg": kinds.exif_rotated_jpeg}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for class_name, flip in (("red-on-top", False), ("blue-on-top", True)):
            for index in range(per_class):
                for name, make in makers.items():
                    data = make()
                    if flip:  # the other class: the same files, upside down
                        from PIL import Image, ImageOps

                        picture = ImageOps.exif_transpose(Image.open(io.BytesIO(data)))
                        flipped = io.BytesIO()
                        picture.rotate(180).convert("RGB").save(flipped, "PNG")
                        data, name = flipped.getvalue(), name.rsplit(".", 1)[0] + ".png"
                    archive.writestr(f"mixed/{class_name}/{index}-{name}", data)
    return buffer.getvalue()


def test_a_mixed_zip_trains_one_epoch_without_an_exception(browser_page, streamlit_server,
                                                           classroom_data_dir, screenshot_dir):
    page = browser_page
    upload_zip(page, streamlit_server, "mixed.zip", mixed_zip())
    page.get_by_text("it is binary").wait_for(timeout=pages.RUN_TIMEOUT_MS)
    pages.wait_for_app_idle(page)
    pages.assert_no_exception(page)
    page.get_by_role("button", name="Train", exact=True).click()
    page.get_by_text("validation accuracy").first.wait_for(timeout=pages.RUN_TIMEOUT_MS)
    pages.wait_for_app_idle(page)
    pages.assert_no_exception(page)
    pages.full_page_screenshot(page, screenshot_dir / "real-world-mixed-zip.png")
