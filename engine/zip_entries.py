"""The entries of a learner's zip, which is untrusted: entry names may point outside the folder
(`../x`, `/etc/x`, `C:\\x`), an entry may be a symbolic link, and headers may promise kilobytes
that unpack to gigabytes. `engine.uploads` checks every entry here from the table of contents
before it unpacks anything, then reads each one through `read_entry`, which counts the bytes that
really come out. Every refusal is a ValueError with a sentence the learner can act on.
"""

import stat
import zipfile

from engine import zip_names

UNPACKABLE_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA)
READ_CHUNK_BYTES = 1 << 20


def safe_parts(entry: zipfile.ZipInfo) -> tuple:
    """The entry's path as folder names, or refuse the upload if it could escape its folder."""
    name = zip_names.entry_name(entry)
    parts = tuple(part for part in name.split("/") if part not in ("", "."))
    problem = None
    if "\\" in name:
        problem = ("uses backslashes between folders but was not made on Windows; please "
                   "make the zip again with your computer's own Compress command")
    elif name.startswith("/") or (name[1:2] == ":" and name[:1].isalpha()):
        problem = "is an absolute path, pointing outside the upload"
    elif ".." in parts:
        problem = "contains '..', pointing outside the upload"
    elif stat.S_ISLNK(entry.external_attr >> 16):  # Unix keeps the file type in the top bits.
        problem = "is a symbolic link, which could point anywhere on the server"
    elif entry.flag_bits & 0x1:
        problem = "is protected by a password; please make the zip again without one"
    elif entry.compress_type not in UNPACKABLE_METHODS:
        problem = "uses a compression the classroom cannot unpack; please zip it the usual way"
    elif not parts and not zip_names.is_folder(entry):
        problem = "has no file name"
    if problem:
        raise ValueError(f"The upload was refused: the zip entry '{shown(name)}' {problem}.")
    return parts


def refuse_too_much(files, max_total_bytes, max_files, max_file_bytes):
    """Raise ValueError when the table of contents lists more than `max_files` files, one over
    `max_file_bytes`, or more than `max_total_bytes` in all (sizes as the headers declare them;
    read_entry counts what really comes out)."""
    if len(files) > max_files:
        raise ValueError(
            f"The upload was refused: the zip holds {len(files):,} files, more than the "
            f"{max_files:,} the classroom accepts; please upload fewer pictures."
        )
    for entry in files:
        if entry.file_size > max_file_bytes:
            raise ValueError(too_large(entry.filename, entry.file_size, max_file_bytes))
    total = sum(entry.file_size for entry in files)
    if total > max_total_bytes:
        raise ValueError(too_large(None, total, max_total_bytes))


def read_entry(archive, entry, max_file_bytes) -> bytes:
    """The entry's bytes, read a chunk at a time so that a lying header cannot make it more
    than one chunk over `max_file_bytes` in memory."""
    data = bytearray()
    try:
        with archive.open(entry) as member:
            while len(data) <= max_file_bytes and (chunk := member.read(READ_CHUNK_BYTES)):
                data += chunk
    except MemoryError:
        raise
    except Exception as error:  # zlib, bz2, lzma and zipfile each fail their own way.
        raise ValueError(
            f"The zip is damaged where '{shown(entry.filename)}' is (perhaps the upload was cut "
            "off); please make it again."
        ) from error
    if len(data) > max_file_bytes:
        raise ValueError(too_large(entry.filename, len(data), max_file_bytes))
    return bytes(data)


def shown(name: str) -> str:
    """The name as a message quotes it: at most 120 characters."""
    return name if len(name) <= 120 else name[:117] + "..."


def too_large(name, size, limit) -> str:
    """The refusal for `size` bytes over `limit` (bytes): of the entry `name`, or of the whole
    zip when `name` is None."""
    what = f"'{shown(name)}' in the zip" if name else "the zip"
    allowed = "for one file" if name else "in all"
    return (
        f"The upload was refused: {what} unpacks to {size / 1e6:,.1f} MB or more, over the "
        f"{limit / 1e6:g} MB allowed {allowed}; please upload fewer or smaller pictures."
    )
