"""One decoder from upload to training to prediction: the kinds of picture files people
really have, each made here with Pillow, read as the same pixels everywhere."""

import io
import zipfile

import keras
import numpy
import pytest
from PIL import Image

from engine import fashion_mnist
from engine import image_folders
from engine import images
from engine import real_world
from engine import transfer
from engine import uploads
from engine import weights_files

RED, BLUE = (220, 20, 30), (20, 40, 230)


def red_top_blue_bottom(width=24, height=16) -> Image.Image:
    picture = Image.new("RGB", (width, height), BLUE)
    picture.paste(RED, (0, 0, width, height // 2))
    return picture


def encode(picture: Image.Image, image_format: str, **options) -> bytes:
    buffer = io.BytesIO()
    picture.save(buffer, image_format, **options)
    return buffer.getvalue()


def bmp_with_two_extra_bytes() -> bytes:
    """A BMP two bytes longer than its header says: TensorFlow refused it in training."""
    return encode(red_top_blue_bottom(), "BMP") + b"\x00\x00"


def palette_bmp() -> bytes:
    """Paint's "256 colour bitmap": TensorFlow read its palette indices as grey levels."""
    return encode(red_top_blue_bottom().quantize(colors=256), "BMP")


def one_bit_bmp() -> bytes:
    picture = Image.new("1", (24, 16), 0)
    picture.paste(1, (0, 0, 24, 8))  # white top, black bottom
    return encode(picture, "BMP")


def exif_rotated_jpeg() -> bytes:
    """A phone photo stored sideways with EXIF orientation 6 ("turn 90 degrees clockwise to
    view"): stored, red is on the left; upright, red is on top."""
    stored = red_top_blue_bottom().transpose(Image.Transpose.ROTATE_90)
    exif = Image.Exif()
    exif[0x0112] = 6
    return encode(stored, "JPEG", quality=95, exif=exif.tobytes())


def cmyk_jpeg() -> bytes:
    return encode(red_top_blue_bottom().convert("CMYK"), "JPEG", quality=95)


KINDS = {"bmp-two-bytes-long.bmp": bmp_with_two_extra_bytes, "palette.bmp": palette_bmp,
         "one-bit.bmp": one_bit_bmp, "exif-rotated.jpg": exif_rotated_jpeg,
         "cmyk.jpg": cmyk_jpeg, "plain.png": lambda: encode(red_top_blue_bottom(), "PNG")}


def top_and_bottom(pixels: numpy.ndarray) -> tuple:
    height = pixels.shape[0]
    return (pixels[: height // 4].reshape(-1, 3).mean(axis=0),
            pixels[-height // 4:].reshape(-1, 3).mean(axis=0))


@pytest.mark.parametrize("name", [name for name in KINDS if name != "one-bit.bmp"])
def test_every_kind_decodes_upright_in_its_true_colours(name):
    pixels = images.picture_pixels(KINDS[name](), (16, 16))
    assert pixels.shape == (16, 16, 3) and pixels.dtype == numpy.uint8
    top, bottom = top_and_bottom(pixels)
    numpy.testing.assert_allclose(top, RED, atol=12)  # not grey: R, G and B differ
    numpy.testing.assert_allclose(bottom, BLUE, atol=12)


def test_a_one_bit_bmp_becomes_white_over_black_rgb():
    top, bottom = top_and_bottom(images.picture_pixels(one_bit_bmp(), (16, 16)))
    numpy.testing.assert_array_equal(top, [255, 255, 255])
    numpy.testing.assert_array_equal(bottom, [0, 0, 0])


def two_class_folders(root, per_class=3):
    """cats/ holds one of every kind; dogs/ plain pictures. Returns the files, in order."""
    (root / "cats").mkdir(parents=True)
    (root / "dogs").mkdir()
    for name, make in KINDS.items():
        (root / "cats" / name).write_bytes(make())
    for index in range(per_class):
        (root / "dogs" / f"dog{index}.png").write_bytes(encode(Image.new("RGB", (20, 30),
                                                                         (index, 90, 40)), "PNG"))
    return sorted((root / "cats").iterdir()) + sorted((root / "dogs").iterdir())


def test_training_receives_exactly_what_prediction_receives(empty_data_dir, tmp_path):
    training_files = two_class_folders(tmp_path / "train")
    validation_files = two_class_folders(tmp_path / "validation")
    data = image_folders.load_folders(tmp_path / "train", tmp_path / "validation", 16, 4)
    assert data.class_names == ["cats", "dogs"] and data.skipped == ()
    assert (data.training_count, data.validation_count) == (9, 9)
    validation_pictures = numpy.concatenate([pictures for pictures, _ in
                                             data.validation.as_numpy_iterator()])
    for path, received in zip(validation_files, validation_pictures):
        numpy.testing.assert_array_equal(
            received, images.picture_pixels(path.read_bytes(), (16, 16)).astype("float32"))
    # Training is shuffled: compare as sets of pictures, labels included.
    seen = sorted((labels.tolist(), pictures.tobytes()) for batch, batch_labels in
                  data.training.as_numpy_iterator() for pictures, labels in zip(batch,
                                                                                batch_labels))
    expected = sorted(([0.0 if path.parent.name == "cats" else 1.0],
                       images.picture_pixels(path.read_bytes(), (16, 16)).astype(
                           "float32").tobytes()) for path in training_files)
    assert seen == expected


def test_a_mixed_zip_passes_the_check_and_trains_without_raising(empty_data_dir, tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for class_name in ("cats", "dogs"):
            for name, make in KINDS.items():
                archive.writestr(f"pets/{class_name}/{name}", make())
        archive.writestr("pets/dogs/broken.jpg", b"\xff\xd8\xff not really")
    extracted = uploads.extract_class_folders(buffer.getvalue(), tmp_path / "uploads")
    assert extracted.image_counts == {"train": {"cats": 6, "dogs": 6}}
    assert [name for name, _ in extracted.skipped] == ["pets/dogs/broken.jpg"]
    data = image_folders.load_folders(extracted.training_folder, None, 32, 4, seed=1)
    assert (data.training_count, data.validation_count) == (10, 2)
    settings = real_world.RealWorldSettings(image_size=32, conv_blocks=3, epochs=1,
                                            batch_size=4)
    result = real_world.train_real_world(data, settings)
    assert len(result.history["loss"]) == 1 and numpy.isfinite(result.history["loss"][0])


def test_an_unreadable_file_in_a_folder_is_skipped_with_its_reason(empty_data_dir, tmp_path):
    two_class_folders(tmp_path)
    (tmp_path / "dogs" / "letter.jpg").write_text("Dear teacher")
    data = image_folders.load_folders(tmp_path, None, 16, 4)
    assert [name for name, _ in data.skipped] == ["dogs/letter.jpg"]
    assert "text file" in data.skipped[0][1]
    assert data.training_count + data.validation_count == 9


def test_prediction_leaves_the_picture_it_was_given_unchanged():
    model = keras.Sequential([keras.Input((8, 8, 3)), keras.layers.Flatten(),
                              keras.layers.Dense(1, activation="sigmoid")])
    pictures = numpy.full((2, 8, 8, 3), 200.0, dtype="float32")
    for base_name in transfer.BASES:
        for scaling in transfer.SCALINGS:
            probabilities = transfer.predict_pictures(model, base_name, pictures, scaling)
            assert probabilities.shape == (2, 2)
    probabilities = real_world.predict_pictures(model, pictures, ["a", "b"])
    numpy.testing.assert_array_equal(pictures, 200.0)


@pytest.mark.parametrize("normalise, expected", [(True, 1.0), (False, 255.0)])
def test_own_picture_prediction_uses_the_scale_the_model_was_trained_on(normalise, expected):
    first_ten_pixels = keras.Sequential([keras.Input((28, 28)), keras.layers.Flatten(),
                                         keras.layers.Lambda(lambda values: values[:, :10])])
    canvas = numpy.full((28, 28), 255, dtype=numpy.uint8)
    outputs = fashion_mnist.predict_one(first_ten_pixels, canvas, normalise)
    numpy.testing.assert_allclose(outputs, expected)
    assert canvas.dtype == numpy.uint8 and (canvas == 255).all()


def test_a_typed_weights_path_that_is_no_weights_file_gets_a_sentence(tmp_path):
    not_weights = tmp_path / "passwd"
    not_weights.write_text("root:x:0:0:root:/root:/bin/bash\n")
    with pytest.raises(ValueError, match="not a weights file"):
        weights_files.resolve_weights("MobileNet 0.25", str(not_weights))
