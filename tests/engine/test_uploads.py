"""engine.uploads on real zips, each crafted here with zipfile (or byte by byte, for the zips
zipfile refuses to write) and holding real pictures made with Pillow."""

import functools
import io
import os
import pathlib
import stat
import struct
import tempfile
import time
import zipfile
import zlib

import numpy
import pytest
from PIL import Image

from engine import hosting
from engine import uploads


def picture_bytes(image_format="PNG", colour=(200, 30, 30), side=8):
    buffer = io.BytesIO()
    Image.new("RGB", (side, side), colour).save(buffer, format=image_format)
    return buffer.getvalue()


def noisy_jpeg(side=64):
    pixels = numpy.random.default_rng(0).integers(0, 256, (side, side, 3), dtype=numpy.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="JPEG", quality=95)
    return buffer.getvalue()


def make_zip(files, compression=zipfile.ZIP_DEFLATED):
    """`files` maps a name (or a ready zipfile.ZipInfo) to its bytes, in order."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in files:
            archive.writestr(name, data)
    return buffer.getvalue()


def class_files(*class_names, per_class=2, prefix="", image_format="PNG", suffix=".png"):
    """[(name, bytes)] of `per_class` pictures in each class folder, each a different colour."""
    files = []
    for index, name in enumerate(class_names):
        for number in range(per_class):
            picture = picture_bytes(image_format, colour=(40 * index, 9, number))
            files.append((f"{prefix}{name}/{name}{number}{suffix}", picture))
    return files


def patch_every_entry(zip_bytes, central_offset, local_offset, field_format, value):
    """Overwrite one field of every entry's central-directory record and local header."""
    patched = bytearray(zip_bytes)
    with zipfile.ZipFile(io.BytesIO(zip_bytes)) as archive:
        entries = archive.infolist()
    end_record = struct.unpack("<IHHHHIIH", patched[-22:])
    position = end_record[6]  # Where the central directory starts.
    for entry in entries:
        assert patched[position : position + 4] == b"PK\x01\x02"
        lengths = struct.unpack("<HHH", patched[position + 28 : position + 34])
        struct.pack_into(field_format, patched, position + central_offset, value)
        if local_offset is not None:
            struct.pack_into(field_format, patched, entry.header_offset + local_offset, value)
        position += 46 + sum(lengths)  # Past the name, extra field and comment.
    return bytes(patched)


def raw_deflate(data):
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


@functools.cache
def deflated_zeros(size, chunk=1 << 24):
    """(deflate stream, CRC-32) of `size` zero bytes, made in well under a second: after a full
    flush, deflate turns each chunk of zeros into the same bytes, so one is made and repeated."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    zeros = bytes(chunk)
    first = compressor.compress(zeros) + compressor.flush(zlib.Z_FULL_FLUSH)
    repeated = compressor.compress(zeros) + compressor.flush(zlib.Z_FULL_FLUSH)
    checksum = 0
    for _ in range(size // chunk):
        checksum = zlib.crc32(zeros, checksum)
    return first + repeated * (size // chunk - 1) + compressor.flush(), checksum


def handmade_zip(entries):
    """A zip written byte by byte, so its headers can say what zipfile would never write.
    `entries` holds (name, deflate stream, CRC-32, size the headers declare)."""
    local_part, central_part = bytearray(), bytearray()
    for name, stream, checksum, declared_size in entries:
        encoded = name.encode()
        fields = (checksum, len(stream), declared_size, len(encoded), 0)
        offset = len(local_part)
        local_part += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, *fields)
        local_part += encoded + stream
        central_part += struct.pack(
            "<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0, *fields, 0, 0, 0, 0, offset
        )
        central_part += encoded
    count = len(entries)
    end = struct.pack(
        "<IHHHHIIH", 0x06054B50, 0, 0, count, count, len(central_part), len(local_part), 0
    )
    return bytes(local_part + central_part + end)


def honest_entries(files):
    return [(name, raw_deflate(data), zlib.crc32(data), len(data)) for name, data in files]


PNG = picture_bytes()


@pytest.fixture
def upload_root(tmp_path):
    """The destination root, two folders down, so an escape upwards would land in tmp_path."""
    root = tmp_path / "jail" / "uploads"
    root.mkdir(parents=True)
    return root


@pytest.fixture
def made_folders(monkeypatch):
    """Every folder made with tempfile.mkdtemp during the test, i.e. the per-upload folders."""
    made = []
    real_mkdtemp = tempfile.mkdtemp

    def recording_mkdtemp(*args, **kwargs):
        made.append(pathlib.Path(real_mkdtemp(*args, **kwargs)))
        return str(made[-1])

    monkeypatch.setattr(tempfile, "mkdtemp", recording_mkdtemp)
    return made


@pytest.fixture
def refuse(tmp_path, upload_root, made_folders):
    """Extract expecting a ValueError, then check that nothing was left anywhere: not the
    per-upload folder (if one was made), nor anything outside it. Returns the message."""

    def refuse_upload(zip_bytes, **limits):
        with pytest.raises(ValueError) as refusal:
            uploads.extract_class_folders(zip_bytes, upload_root, **limits)
        assert not any(folder.exists() for folder in made_folders)
        assert sorted(tmp_path.rglob("*")) == [tmp_path / "jail", upload_root]
        return str(refusal.value)

    return refuse_upload


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


def test_debris_hidden_files_and_non_pictures_are_skipped_and_listed(upload_root):
    debris = [
        ("__MACOSX/cats/._cats0.png", b"resource fork"),
        ("cats/.DS_Store", b"\x00\x00\x00\x01Bud1"),
        (".hidden/cats/x.png", picture_bytes()),
        ("cats/._cats1.png", picture_bytes()),
        ("notes.txt", b"my dataset"),
        ("dogs/Thumbs.db", b"\xd0\xcf\x11\xe0"),
        ("dogs/holiday.webp", picture_bytes("WEBP")),
        ("dogs/scan.tiff", picture_bytes("TIFF")),
    ]
    zip_bytes = make_zip(class_files("cats", "dogs") + debris)
    dataset = uploads.extract_class_folders(zip_bytes, upload_root)
    assert dataset.image_counts == {"train": {"cats": 2, "dogs": 2}}
    reasons = dict(dataset.skipped)
    assert sorted(reasons) == sorted(name for name, _ in debris)
    assert "__MACOSX" in reasons["__MACOSX/cats/._cats0.png"]
    assert "hidden" in reasons["cats/.DS_Store"] and "hidden" in reasons[".hidden/cats/x.png"]
    assert "not a picture" in reasons["notes.txt"]
    assert "JPEG, PNG, GIF and BMP" in reasons["dogs/holiday.webp"]
    written = sorted(path.name for path in dataset.folder.rglob("*") if path.is_file())
    assert written == ["cats0.png", "cats1.png", "dogs0.png", "dogs1.png"]


def test_damaged_pictures_are_skipped_listed_and_never_written(upload_root):
    jpeg = noisy_jpeg()
    damaged = [
        ("cats/truncated.jpg", jpeg[: len(jpeg) // 2]),
        ("cats/letter.png", b"Dear teacher, here are my cats."),
        ("dogs/empty.jpg", b""),
        ("dogs/tiff-in-disguise.jpg", picture_bytes("TIFF")),
    ]
    zip_bytes = make_zip(class_files("cats", "dogs") + damaged)
    dataset = uploads.extract_class_folders(zip_bytes, upload_root)
    assert dataset.image_counts == {"train": {"cats": 2, "dogs": 2}}
    reasons = dict(dataset.skipped)
    assert sorted(reasons) == sorted(name for name, _ in damaged)
    assert "damaged" in reasons["cats/truncated.jpg"]
    assert "text file" in reasons["cats/letter.png"]
    assert "JPEG, PNG, GIF or BMP" in reasons["dogs/tiff-in-disguise.jpg"]
    for name, _ in damaged:
        assert not (dataset.folder / "train" / name).exists()


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


# --- Entries that could escape -----------------------------------------------------------------


@pytest.mark.parametrize(
    "evil_name",
    [
        "../escaped.png",
        "cats/../../escaped.png",
        "cats/../../../escaped.png",
        "/etc/keras-classroom-escaped.png",
        "C:\\escaped.png",
        "C:/escaped.png",
        "cats\\..\\..\\escaped.png",
        "cats\\cat.png",
        "__MACOSX/../../escaped.png",  # Debris is skipped, but never a way out.
    ],
)
def test_an_entry_pointing_outside_refuses_the_whole_upload(refuse, made_folders, evil_name):
    files = class_files("cats", "dogs") + [(evil_name, picture_bytes())]
    message = refuse(make_zip(files))
    assert evil_name in message and "refused" in message
    assert made_folders == []  # Refused from the table of contents, before unpacking.
    assert not pathlib.Path("/etc/keras-classroom-escaped.png").exists()


def test_an_absolute_path_into_the_test_folder_writes_nothing_there(refuse, tmp_path):
    target = tmp_path / "escaped.png"
    message = refuse(make_zip(class_files("cats", "dogs") + [(str(target), picture_bytes())]))
    assert str(target) in message
    assert "absolute path" in message and not target.exists()


def test_a_symbolic_link_refuses_the_whole_upload(refuse, made_folders):
    link = zipfile.ZipInfo("cats/link.png")
    link.create_system = 3  # Unix, where the mode bits live in external_attr.
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    message = refuse(make_zip(class_files("cats", "dogs") + [(link, "../../../../etc/passwd")]))
    assert "cats/link.png" in message and "symbolic link" in message
    assert made_folders == []


# --- Too much ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "max_file_bytes, expected",
    [
        (30_000_000, "'cats/bomb.png' in the zip unpacks to 1,073.7 MB or more, over the 30 MB"),
        (2_000_000_000, "the zip unpacks to 1,073.7 MB or more, over the 300 MB allowed in all"),
    ],
)
def test_a_one_gigabyte_bomb_is_refused_from_the_table_of_contents(
    refuse, made_folders, max_file_bytes, expected
):
    stream, checksum = deflated_zeros(1 << 30)
    bomb_entry = ("cats/bomb.png", stream, checksum, 1 << 30)
    bomb = handmade_zip(honest_entries(class_files("cats", "dogs")) + [bomb_entry])
    assert len(bomb) < 2_000_000
    started = time.monotonic()
    message = refuse(bomb, max_file_bytes=max_file_bytes)
    assert expected in message
    assert time.monotonic() - started < 1  # Refused without unpacking a gigabyte,
    assert made_folders == []  # and without making the upload folder.


def test_a_small_bomb_over_a_lowered_total_cap_is_refused(refuse):
    files = class_files("cats", "dogs") + [("cats/zeros.png", bytes(5_000))]
    message = refuse(make_zip(files), max_total_bytes=4_000)
    assert "over the 0.004 MB allowed in all" in message


def test_one_file_over_the_file_cap_is_refused_by_name(refuse):
    files = class_files("cats", "dogs") + [("dogs/huge.jpg", noisy_jpeg(side=128))]
    message = refuse(make_zip(files), max_file_bytes=5_000)
    assert "dogs/huge.jpg" in message and "for one file" in message


def test_more_files_than_allowed_are_refused(refuse):
    message = refuse(make_zip(class_files("cats", "dogs", per_class=3)), max_files=5)
    assert "6 files" in message and "5" in message


def test_headers_that_understate_the_size_are_refused_without_filling_the_disk(
    refuse, made_folders
):
    # The table of contents says 1 KB; the data unpacks to 256 MB. The honest pictures come
    # first, so unpacking has begun (and written files) when the lie is found.
    stream, checksum = deflated_zeros(1 << 28)
    liar_entry = ("dogs/liar.png", stream, checksum, 1_000)
    liar = handmade_zip(honest_entries(class_files("cats", "dogs")) + [liar_entry])
    with zipfile.ZipFile(io.BytesIO(liar)) as archive:
        assert archive.getinfo("dogs/liar.png").file_size == 1_000
    assert len(liar) < 1_000_000
    message = refuse(liar)  # Which also checks the upload folder is gone.
    assert "dogs/liar.png" in message and "damaged" in message
    assert len(made_folders) == 1


# --- Not a usable zip --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data, expected",
    [
        (b"", "empty"),
        (b"just some text, not a zip", "not a zip archive"),
        (picture_bytes(), "not a zip archive"),
        (make_zip([]), "The zip is empty"),
    ],
)
def test_files_that_are_no_zip_or_an_empty_zip(refuse, data, expected):
    assert expected in refuse(data)


def test_a_zip_cut_off_in_the_middle_is_damaged(refuse):
    whole = make_zip(class_files("cats", "dogs"))
    assert "damaged" in refuse(whole[: len(whole) // 2])


def test_a_picture_damaged_inside_the_zip_refuses_after_unpacking_began(refuse, made_folders):
    files = class_files("cats", "dogs") + [("dogs/noise.jpg", noisy_jpeg())]
    whole = bytearray(make_zip(files, compression=zipfile.ZIP_STORED))
    middle = whole.index(files[-1][1]) + len(files[-1][1]) // 2
    whole[middle] ^= 0xFF  # The zip's CRC-32 no longer matches.
    message = refuse(bytes(whole))
    assert "dogs/noise.jpg" in message and "damaged" in message
    assert len(made_folders) == 1


@pytest.mark.parametrize("method", [zipfile.ZIP_DEFLATED, 99])  # 99: WinZip's AES.
def test_an_encrypted_entry_is_refused(refuse, method):
    zip_bytes = make_zip(class_files("cats", "dogs"))
    zip_bytes = patch_every_entry(zip_bytes, 8, 6, "<H", 0x1)  # The "encrypted" flag.
    zip_bytes = patch_every_entry(zip_bytes, 10, 8, "<H", method)
    message = refuse(zip_bytes)
    assert "cats/cats0.png" in message and "password" in message


def test_an_unknown_compression_method_is_refused(refuse):
    zip_bytes = patch_every_entry(make_zip(class_files("cats", "dogs")), 10, 8, "<H", 98)
    assert "compression" in refuse(zip_bytes)


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


def test_uploads_root_is_inside_the_data_directory(tmp_path, monkeypatch):
    monkeypatch.setenv(hosting.DATA_DIR_VARIABLE, str(tmp_path))
    assert uploads.uploads_root() == tmp_path / "uploads"


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
    assert uploads.remove_abandoned_uploads(uploads.uploads_root()) == []

    uploads.remove_extracted(first)  # as another replica's cleanup could
    unpacked_again = shared_caches.extracted_zip("digest-a", zip_bytes)
    assert unpacked_again.folder != first.folder and unpacked_again.training_folder.is_dir()
    assert unpacked_again.class_names == ["a", "b"]
    shared_caches.extracted_zip.clear()
