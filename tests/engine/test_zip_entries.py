"""engine.zip_entries through engine.uploads on real zips (made in tests/engine/upload_zips.py):
an entry that could escape its folder, too much to unpack, or no usable zip refuses the whole
upload and leaves nothing behind."""

import io
import pathlib
import stat
import time
import zipfile

import pytest

from tests.engine.upload_zips import class_files
from tests.engine.upload_zips import deflated_zeros
from tests.engine.upload_zips import handmade_zip
from tests.engine.upload_zips import honest_entries
from tests.engine.upload_zips import make_zip
from tests.engine.upload_zips import noisy_jpeg
from tests.engine.upload_zips import patch_every_entry
from tests.engine.upload_zips import picture_bytes


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
