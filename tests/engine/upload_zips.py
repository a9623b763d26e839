"""Zips for the upload tests, each crafted with zipfile (or byte by byte, for the zips zipfile
refuses to write) and holding real pictures made with Pillow. The fixtures that unpack them
are in tests/engine/conftest.py."""

import functools
import io
import struct
import zipfile
import zlib

import numpy
from PIL import Image


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
