"""Every folder layout learners really make, read by the same rules from a zip and from a
folder on their computer; datasets too small to validate and too large to decode."""

import io
import pathlib
import zipfile

import pytest
from PIL import Image

from engine import hosting
from engine import image_folders
from engine import picture_store
from engine import uploads


def png(shade=(120, 60, 30), side=6) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (side, side), shade).save(buffer, "PNG")
    return buffer.getvalue()


def files_in(prefix, classes=("cats", "dogs"), per_class=3):
    return [(f"{prefix}{name}/{name}{index}.png", png((index * 20, 90, 40)))
            for name in classes for index in range(per_class)]


def zip_of(files) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files:
            archive.writestr(name, data)
    return buffer.getvalue()


def folder_of(root: pathlib.Path, files) -> pathlib.Path:
    for name, data in files:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    return root


KAGGLE = files_in("training_set/training_set/", per_class=4) + files_in("test_set/test_set/")


def both_ways(files, tmp_path):
    """(class names, training count, validation count, notes) from the zip and the folder."""
    extracted = uploads.extract_class_folders(zip_of(files), tmp_path / "uploads")
    training, validation, notes = image_folders.local_layout(folder_of(tmp_path / "own",
                                                                        files))
    from_zip = image_folders.load_folders(extracted.training_folder,
                                          extracted.validation_folder, 8, 4)
    from_folder = image_folders.load_folders(training, validation, 8, 4)
    summary = [(data.class_names, data.training_count, data.validation_count)
               for data in (from_zip, from_folder)]
    assert summary[0] == summary[1]
    assert list(extracted.notes) == list(notes)
    return (*summary[0], list(notes))


def test_the_kaggle_cats_and_dogs_layout_learns_cats_and_dogs(empty_data_dir, tmp_path):
    class_names, training, validation, notes = both_ways(KAGGLE, tmp_path)
    assert class_names == ["cats", "dogs"] and (training, validation) == (8, 6)
    assert notes == ["There is no validation folder, so the pictures in test_set/test_set/ "
                     "validate the model."]


@pytest.mark.parametrize("training_name, validation_name", [
    ("Train", "Validation"), ("TRAINING", "val"), ("train", "valid"), ("Training_Set", "VAL")])
def test_capitalised_and_synonym_split_folders(empty_data_dir, tmp_path, training_name,
                                               validation_name):
    files = files_in(f"{training_name}/", per_class=4) + files_in(f"{validation_name}/")
    class_names, training, validation, notes = both_ways(files, tmp_path)
    assert class_names == ["cats", "dogs"] and (training, validation) == (8, 6)
    assert notes == []


@pytest.mark.parametrize("files, expected", [
    (files_in("train/") + files_in("dev/"), "not splits"),
    (files_in("train/") + files_in("val/") + files_in("validation/"), "all name the validation"),
    (files_in("Train data/") + files_in("Test data/"), "look like a split"),
    (files_in("data/train/") + files_in("data/cats_extra/"), "not splits"),
])
def test_folders_that_look_like_splits_but_are_not_recognised_are_refused(
        empty_data_dir, tmp_path, files, expected):
    with pytest.raises(ValueError, match=expected):
        uploads.extract_class_folders(zip_of(files), tmp_path / "uploads")
    with pytest.raises(ValueError, match=expected):
        image_folders.local_layout(folder_of(tmp_path / "own", files))


def test_a_powershell_zip_with_backslashes_is_read_as_folders(empty_data_dir, tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files_in("pets\\train\\") + files_in("pets\\val\\", per_class=2):
            entry = zipfile.ZipInfo(name.replace("/", "\\"))
            entry.create_system = 0  # MS-DOS, as Compress-Archive marks it
            archive.writestr(entry, data)
    extracted = uploads.extract_class_folders(buffer.getvalue(), tmp_path / "uploads")
    assert extracted.image_counts == {"train": {"cats": 3, "dogs": 3},
                                      "validation": {"cats": 2, "dogs": 2}}


@pytest.mark.parametrize("evil", ["..\\..\\etc\\cats\\x.png", "C:\\Windows\\cats\\x.png",
                                  "\\root\\cats\\x.png"])
def test_backslash_names_get_the_same_safety_checks(empty_data_dir, tmp_path, evil):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files_in("") + [(evil, png())]:
            entry = zipfile.ZipInfo(name)
            entry.create_system = 0
            archive.writestr(entry, data)
    with pytest.raises(ValueError, match="refused"):
        uploads.extract_class_folders(buffer.getvalue(), tmp_path / "uploads")


def legacy_zip(names_and_data, encoding) -> bytes:
    """A zip whose names are in a legacy code page, without the UTF-8 flag (bit 11), as old
    Windows tools write them. zipfile writes UTF-8 with the flag, so the bytes are patched."""
    placeholders = [f"P{index:02d}".ljust(len(name.encode(encoding)), "q").encode()
                    for index, (name, _) in enumerate(names_and_data)]
    patched = bytearray(zip_of([(placeholder.decode(), data) for placeholder, (_, data)
                                in zip(placeholders, names_and_data)]))
    for placeholder, (name, _) in zip(placeholders, names_and_data):
        start = 0
        for _ in range(2):  # the local header and the central directory
            start = patched.index(placeholder, start)
            patched[start:start + len(placeholder)] = name.encode(encoding)
            start += len(placeholder)
    return bytes(patched)


def test_class_names_in_a_legacy_code_page_become_numbered_classes(empty_data_dir, tmp_path):
    files = [("кошки/a.png", png()), ("кошки/b.png", png()), ("собаки/c.png", png((1, 2, 3))),
             ("собаки/d.png", png((1, 2, 3)))]
    extracted = uploads.extract_class_folders(legacy_zip(files, "cp866"), tmp_path / "up")
    assert extracted.class_names == ["class 1", "class 2"]
    assert any("could not be read" in note for note in extracted.notes)


def test_utf8_names_without_the_flag_stay_readable(empty_data_dir, tmp_path):
    files = [("chats/a.png", png()), ("chiens é/b.png", png()), ("chats/c.png", png()),
             ("chiens é/d.png", png())]
    extracted = uploads.extract_class_folders(legacy_zip(files, "utf-8"), tmp_path / "up")
    assert extracted.class_names == ["chats", "chiens é"] and extracted.notes == ()


def test_an_empty_class_folder_is_named_not_dropped(empty_data_dir, tmp_path):
    files = files_in("") + [("birds/", b""), ("fish/readme.txt", b"soon")]
    extracted = uploads.extract_class_folders(zip_of(files), tmp_path / "uploads")
    assert extracted.class_names == ["cats", "dogs"]
    assert list(extracted.notes) == ["birds/ holds no pictures and was left out.",
                                     "fish/ holds no pictures and was left out."]
    own = folder_of(tmp_path / "own", files_in(""))
    (own / "birds").mkdir()
    data = image_folders.load_folders(own, None, 8, 4)
    assert data.class_names == ["cats", "dogs"]
    assert "birds/ holds no pictures and was left out." in data.notes


def test_too_few_pictures_to_keep_a_fifth_for_validation(empty_data_dir, tmp_path):
    extracted = uploads.extract_class_folders(zip_of(files_in("", per_class=2)), tmp_path)
    with pytest.raises(ValueError) as refusal:
        image_folders.load_folders(extracted.training_folder, None, 8, 4)
    assert str(refusal.value) == ("4 pictures are too few to keep a fifth for validation: add "
                                  "pictures or a validation folder.")


def test_a_single_validation_picture_is_said_to_measure_nothing(empty_data_dir, tmp_path):
    data = image_folders.load_folders(folder_of(tmp_path, files_in("", per_class=4)), None,
                                      8, 4)
    assert (data.training_count, data.validation_count) == (7, 1)
    assert any("one picture measures nothing" in note for note in data.notes)


def test_many_tiny_files_are_refused_before_any_is_decoded(empty_data_dir, tmp_path,
                                                           monkeypatch):
    with pytest.raises(ValueError) as refusal:
        image_folders.check_budget(20_000, (300, 300))
    assert str(refusal.value).startswith("These 20,000 pictures at 300 x 300 pixels would take "
                                         "5.4 GB once decoded, over the 1 GB")
    assert "at most 129 x 129" in str(refusal.value)
    tiny = [(f"{name}/{index}.png", png(side=1)) for name in ("a", "b") for index in range(300)]
    folder = folder_of(tmp_path, tiny)
    monkeypatch.setattr(image_folders, "DECODED_BUDGET_BYTES", 600 * 100 * 100 * 3 - 1)
    monkeypatch.setattr(picture_store, "decoded", lambda *arguments: pytest.fail("decoded"))
    with pytest.raises(ValueError, match="600 pictures at 100 x 100"):
        image_folders.load_folders(folder, None, 100, 32)


def bad_inputs():
    """Zips and folders a learner could bring that the picture lessons refuse."""
    with_validation = files_in("train/") + files_in("validation/", classes=("cats", "birds"))
    return {"tiny": files_in("", per_class=2), "one class": files_in("", classes=("cats",)),
            "other classes": with_validation, "split lookalike": files_in("train/")
            + files_in("holdout/"), "loose": [("a.png", png()), ("b.png", png())],
            "kaggle without train": files_in("test_set/test_set/")}


def test_no_message_shows_a_server_path(empty_data_dir, tmp_path, monkeypatch):
    messages = []
    for name, files in bad_inputs().items():
        for load in ("zip", "folder"):
            try:
                if load == "zip":
                    extracted = uploads.extract_class_folders(zip_of(files),
                                                              hosting.picture_uploads_folder())
                    image_folders.load_folders(extracted.training_folder,
                                               extracted.validation_folder, 8, 4)
                else:
                    # The learner typed this path themselves, so it may appear; the data
                    # directory behind it must not.
                    folder = folder_of(empty_data_dir / "typed" / name.replace(" ", "-"), files)
                    training, validation, _ = image_folders.local_layout(folder)
                    image_folders.load_folders(training, validation, 8, 4)
            except ValueError as refusal:
                messages.append(str(refusal).replace(str(folder), "<typed>")
                                if load == "folder" else str(refusal))
    monkeypatch.setattr(image_folders, "DECODED_BUDGET_BYTES", 10)
    extracted = uploads.extract_class_folders(zip_of(files_in("")),
                                              hosting.picture_uploads_folder())
    for refused in (lambda: image_folders.load_folders(extracted.training_folder, None, 8, 4),
                    lambda: uploads.extract_class_folders(b"PK\x03\x04 cut", tmp_path)):
        with pytest.raises(ValueError) as refusal:
            refused()
        messages.append(str(refusal.value))
    assert len(messages) >= 12
    for message in messages:
        assert str(empty_data_dir) not in message and "/tmp" not in message, message
