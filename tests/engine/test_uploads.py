"""engine.uploads on real zips (made in tests/engine/upload_zips.py): the folders a learner's
zip unpacks to, the files left out, the layouts refused, and the cleaning up. The zip entries
refused for safety are in test_zip_entries.py."""

import os
import time

import pytest

from engine import hosting
from engine import uploads
from tests.engine.upload_zips import PNG
from tests.engine.upload_zips import class_files
from tests.engine.upload_zips import make_zip
from tests.engine.upload_zips import noisy_jpeg
from tests.engine.upload_zips import picture_bytes


# --- Happy paths -------------------------------------------------------------------------------


def test_two_classes_with_train_and_validation_splits_keep_the_original_bytes(upload_root):
    files = class_files("cats", "dogs", per_class=3, prefix="train/")
    files += class_files(
        "cats", "dogs", per_class=1, prefix="validation/", image_format="JPEG", suffix=".jpg"
    )
    dataset = uploads.extract_class_folders(make_zip(files), upload_root)

    assert dataset.folder.parent == upload_root
    assert dataset.folder.name.startswith(uploads.UPLOAD_FOLDER_PREFIX)
    assert dataset.split_folders == {
        "train": dataset.folder / "train",
        "validation": dataset.folder / "validation",
    }
    assert dataset.class_names == ["cats", "dogs"]
    assert dataset.image_counts == {
        "train": {"cats": 3, "dogs": 3},
        "validation": {"cats": 1, "dogs": 1},
    }
    assert dataset.skipped == []
    for name, data in files:
        assert (dataset.folder / name).read_bytes() == data


def test_a_single_top_folder_is_stripped_and_the_classes_form_one_train_split(upload_root):
    files = class_files("cats", "dogs", prefix="pets/")
    files += [("__MACOSX/pets/cats/._cats0.png", b"\x00\x05\x16\x07 mac resource fork")]
    files += [("pets/.DS_Store", b"\x00\x00\x00\x01Bud1")]
    dataset = uploads.extract_class_folders(make_zip(files), upload_root)
    assert dataset.split_folders == {"train": dataset.folder / "train"}
    assert dataset.class_names == ["cats", "dogs"]
    assert dataset.image_counts == {"train": {"cats": 2, "dogs": 2}}
    assert (dataset.folder / "train" / "cats" / "cats0.png").read_bytes() == files[0][1]
    assert len(dataset.skipped) == 2


def test_four_classes_in_every_format_keras_reads(upload_root):
    files = class_files("apple", per_class=2, image_format="PNG", suffix=".png")
    files += class_files("banana", per_class=2, image_format="JPEG", suffix=".JPEG")
    files += class_files("cherry", per_class=2, image_format="GIF", suffix=".gif")
    files += class_files("date", per_class=2, image_format="BMP", suffix=".bmp")
    dataset = uploads.extract_class_folders(make_zip(files), upload_root)
    assert dataset.class_names == ["apple", "banana", "cherry", "date"]
    assert dataset.image_counts == {"train": {name: 2 for name in dataset.class_names}}


@pytest.mark.parametrize(
    "train_name, validation_name, test_name",
    [("training", "valid", "test"), ("Train", "val", "TEST"), ("train", "VALIDATION", "test")],
)
def test_split_folder_names_are_recognised_inside_a_top_folder(
    upload_root, train_name, validation_name, test_name
):
    files = class_files("cats", "dogs", prefix=f"data/{train_name}/")
    files += class_files("cats", "dogs", prefix=f"data/{validation_name}/")
    files += class_files("cats", "dogs", prefix=f"data/{test_name}/")
    dataset = uploads.extract_class_folders(make_zip(files), upload_root)
    assert sorted(dataset.split_folders) == ["test", "train", "validation"]
    assert all(folder.is_dir() for folder in dataset.split_folders.values())
    assert dataset.image_counts["validation"] == {"cats": 2, "dogs": 2}


def test_a_train_folder_alone_is_the_train_split(upload_root):
    zip_bytes = make_zip(class_files("a", "b", prefix="train/"))
    dataset = uploads.extract_class_folders(zip_bytes, upload_root)
    assert dataset.split_folders == {"train": dataset.folder / "train"}
    assert dataset.image_counts == {"train": {"a": 2, "b": 2}}


def test_subfolders_inside_a_class_stay_in_that_class(upload_root):
    files = class_files("cats", "dogs") + [("cats/2024/summer.png", picture_bytes())]
    dataset = uploads.extract_class_folders(make_zip(files), upload_root)
    assert dataset.image_counts == {"train": {"cats": 3, "dogs": 2}}
    assert (dataset.folder / "train" / "cats" / "2024" / "summer.png").is_file()


def test_keras_loads_the_extracted_folders_with_the_same_classes(upload_root):
    import keras  # Only this test needs the Keras loader the folders are made for.

    files = class_files("cats", "dogs", per_class=3) + [("cats/broken.png", b"not a picture")]
    dataset = uploads.extract_class_folders(make_zip(files), upload_root)
    loaded = keras.utils.image_dataset_from_directory(
        dataset.split_folders["train"], image_size=(8, 8), batch_size=2, shuffle=False
    )
    assert loaded.class_names == dataset.class_names
    assert sum(int(images.shape[0]) for images, _ in loaded) == 6


# --- Skipped files -----------------------------------------------------------------------------


SKIPPED_JPEG = noisy_jpeg()


@pytest.mark.parametrize(
    "left_out, reasons_say",
    [
        (
            [
                ("__MACOSX/cats/._cats0.png", b"resource fork"),
                ("cats/.DS_Store", b"\x00\x00\x00\x01Bud1"),
                (".hidden/cats/x.png", picture_bytes()),
                ("cats/._cats1.png", picture_bytes()),
                ("notes.txt", b"my dataset"),
                ("dogs/Thumbs.db", b"\xd0\xcf\x11\xe0"),
                ("dogs/holiday.webp", picture_bytes("WEBP")),
                ("dogs/scan.tiff", picture_bytes("TIFF")),
            ],
            {"__MACOSX/cats/._cats0.png": "__MACOSX", "cats/.DS_Store": "hidden",
             ".hidden/cats/x.png": "hidden", "notes.txt": "not a picture",
             "dogs/holiday.webp": "JPEG, PNG, GIF and BMP"},
        ),
        (
            [
                ("cats/truncated.jpg", SKIPPED_JPEG[: len(SKIPPED_JPEG) // 2]),
                ("cats/letter.png", b"Dear teacher, here are my cats."),
                ("dogs/empty.jpg", b""),
                ("dogs/tiff-in-disguise.jpg", picture_bytes("TIFF")),
            ],
            {"cats/truncated.jpg": "damaged", "cats/letter.png": "text file",
             "dogs/tiff-in-disguise.jpg": "JPEG, PNG, GIF or BMP"},
        ),
    ],
    ids=["debris-hidden-files-and-non-pictures", "damaged-pictures"],
)
def test_files_left_out_are_skipped_listed_and_never_written(upload_root, left_out, reasons_say):
    zip_bytes = make_zip(class_files("cats", "dogs") + left_out)
    dataset = uploads.extract_class_folders(zip_bytes, upload_root)
    assert dataset.image_counts == {"train": {"cats": 2, "dogs": 2}}
    reasons = dict(dataset.skipped)
    assert sorted(reasons) == sorted(name for name, _ in left_out)
    for name, words in reasons_say.items():
        assert words in reasons[name]
    written = sorted(path.name for path in dataset.folder.rglob("*") if path.is_file())
    assert written == ["cats0.png", "cats1.png", "dogs0.png", "dogs1.png"]


def test_a_name_listed_twice_keeps_the_first_file(upload_root):
    first, second = picture_bytes(colour=(1, 2, 3)), picture_bytes(colour=(200, 200, 200))
    files = class_files("cats", "dogs") + [("cats/twin.png", first), ("cats/twin.png", second)]
    with pytest.warns(UserWarning, match="Duplicate name"):
        zip_bytes = make_zip(files)
    dataset = uploads.extract_class_folders(zip_bytes, upload_root)
    assert (dataset.folder / "train" / "cats" / "twin.png").read_bytes() == first
    assert dataset.skipped == [
        ("cats/twin.png", "another file has the same name, or the name is too long")
    ]


# --- Layouts that make no classifier -----------------------------------------------------------


@pytest.mark.parametrize(
    "files",
    [
        class_files("cats", per_class=3),
        class_files("cats", per_class=3, prefix="pets/"),
        class_files("cats", "dogs", prefix="train/") + class_files("cats", prefix="validation/"),
        [("cats/", b""), ("dogs/", b""), ("pets/birds/", b"")],
        [("cats/readme.txt", b"soon"), ("dogs/readme.txt", b"soon")],
        [("cats/a.png", b"broken"), ("dogs/b.png", b"broken")],
    ],
    ids=[
        "one-class",
        "one-class-in-a-top-folder",
        "one-validation-class",
        "empty-folders",
        "no-pictures",
        "only-damaged-pictures",
    ],
)
def test_fewer_than_two_classes_is_refused(refuse, files):
    message = refuse(make_zip(files))
    assert message.startswith("A classifier needs at least two classes: ")


def test_a_class_emptied_by_damaged_pictures_is_refused_after_unpacking(refuse, made_folders):
    files = class_files("cats", per_class=2) + [("dogs/a.jpg", b"broken"), ("dogs/b.jpg", b"")]
    message = refuse(make_zip(files))
    assert "two classes" in message and "'cats'" in message
    assert len(made_folders) == 1


@pytest.mark.parametrize(
    "files, where",
    [
        ([("cat.png", PNG), ("dog.png", PNG)], "at the top of the zip"),
        # Indistinguishable from a single class "pets": so that is what the learner reads.
        ([("pets/cat.png", PNG), ("pets/dog.png", PNG)], "one folder, 'pets'"),
        (class_files("cats", "dogs", prefix="pets/") + [("pets/cover.png", PNG)], "at the top"),
        (class_files("cats", "dogs", prefix="train/") + [("train/stray.png", PNG)], "in a split"),
    ],
    ids=["loose-pictures", "loose-in-a-top-folder", "beside-class-folders", "loose-in-a-split"],
)
def test_pictures_outside_class_folders_are_refused_with_the_layout(refuse, files, where):
    message = refuse(make_zip(files))
    assert where in message and uploads.EXPECTED_LAYOUT in message


def test_splits_with_different_classes_are_refused(refuse):
    files = class_files("cats", "dogs", prefix="train/")
    files += class_files("cats", "birds", prefix="val/")
    message = refuse(make_zip(files))
    assert "same class folders" in message and "birds, cats" in message


def test_splits_without_a_train_folder_are_refused(refuse):
    files = class_files("cats", "dogs", prefix="validation/")
    files += class_files("cats", "dogs", prefix="test/")
    assert "no train folder" in refuse(make_zip(files))


# --- Cleaning up -------------------------------------------------------------------------------


def test_remove_extracted_deletes_the_upload_folder_only(upload_root):
    kept = uploads.extract_class_folders(make_zip(class_files("a", "b")), upload_root)
    removed = uploads.extract_class_folders(make_zip(class_files("a", "b")), upload_root)
    uploads.remove_extracted(removed)
    assert not removed.folder.exists() and kept.folder.is_dir()
    assert list(upload_root.iterdir()) == [kept.folder]


def test_abandoned_uploads_older_than_the_limit_are_removed(tmp_path, upload_root):
    old = uploads.extract_class_folders(make_zip(class_files("a", "b")), upload_root)
    new = uploads.extract_class_folders(make_zip(class_files("a", "b")), upload_root)
    not_an_upload = upload_root / "teacher-notes"
    not_an_upload.mkdir()
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    link = upload_root / f"{uploads.UPLOAD_FOLDER_PREFIX}link"
    link.symlink_to(outside, target_is_directory=True)
    three_hours_ago = time.time() - 3 * 3600
    for path in (old.folder, not_an_upload, outside, link):
        os.utime(path, (three_hours_ago, three_hours_ago), follow_symlinks=False)

    assert uploads.remove_abandoned_uploads(upload_root, older_than_hours=2) == [old.folder]
    assert not old.folder.exists()
    assert new.folder.is_dir() and not_an_upload.is_dir() and outside.is_dir() and link.is_symlink()
    assert uploads.remove_abandoned_uploads(tmp_path / "missing") == []
    with pytest.raises(ValueError, match="zero hours or more"):
        uploads.remove_abandoned_uploads(upload_root, older_than_hours=-1)


def test_picture_uploads_are_inside_the_data_directory(tmp_path, monkeypatch):
    monkeypatch.setenv(hosting.DATA_DIR_VARIABLE, str(tmp_path))
    assert hosting.picture_uploads_folder() == tmp_path / "uploads" / "pictures"


def test_a_cached_upload_in_use_is_kept_and_a_removed_one_is_unpacked_again(tmp_path,
                                                                             monkeypatch):
    # The server unpacks each zip once (ui/shared_caches.py); the 24-hour cleanup of abandoned
    # uploads must neither delete an upload learners still open nor leave the cache pointing
    # at a folder it deleted.
    from ui import shared_caches

    monkeypatch.setenv(hosting.DATA_DIR_VARIABLE, str(tmp_path))
    shared_caches.extracted_zip.clear()
    zip_bytes = make_zip(class_files("a", "b"))
    first = shared_caches.extracted_zip("digest-a", zip_bytes)
    two_days_ago = time.time() - 48 * 3600
    os.utime(first.folder, (two_days_ago, two_days_ago))
    again = shared_caches.extracted_zip("digest-a", zip_bytes)  # opened again: in use, so kept
    assert again.folder == first.folder
    assert uploads.remove_abandoned_uploads(hosting.picture_uploads_folder()) == []

    uploads.remove_extracted(first)  # as another replica's cleanup could
    unpacked_again = shared_caches.extracted_zip("digest-a", zip_bytes)
    assert unpacked_again.folder != first.folder and unpacked_again.training_folder.is_dir()
    assert unpacked_again.class_names == ["a", "b"]
    shared_caches.extracted_zip.clear()


def test_unpacking_a_zip_also_removes_abandoned_uploads_of_the_folder_used_before(tmp_path,
                                                                                  monkeypatch):
    # Before uploads/pictures/ and uploads/weights/ were named, zips were unpacked straight
    # into uploads/: a server upgraded in place must still free those after 24 hours.
    from ui import shared_caches

    monkeypatch.setenv(hosting.DATA_DIR_VARIABLE, str(tmp_path))
    shared_caches.extracted_zip.clear()
    legacy = uploads.extract_class_folders(make_zip(class_files("a", "b")), tmp_path / "uploads")
    weights = hosting.weights_uploads_folder()
    weights.mkdir(parents=True)
    two_days_ago = time.time() - 48 * 3600
    for folder in (legacy.folder, weights):
        os.utime(folder, (two_days_ago, two_days_ago))
    unpacked = shared_caches.extracted_zip("digest-b", make_zip(class_files("c", "d")))
    assert not legacy.folder.exists()
    assert weights.is_dir() and unpacked.training_folder.is_dir()
