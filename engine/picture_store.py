"""Decoded pictures kept on disk, so that every picture is decoded once, by one decoder.

`decoded(paths, size)` turns picture files into one uint8 array (pictures, height, width, 3)
with `engine.images.picture_pixels`, the decoder "your own pictures" uses too, and keeps it
under the data directory, named after the files' contents and the size:

    pictures/<sha256 of the contents and the size>.npy    the pixels (numpy's .npy format)
    pictures/<same>.json                                   which files could not be read, why

It is opened memory-mapped: the pixels stay in the operating system's file cache, which every
process on the machine shares (a training worker finds the file its page decoded), instead of
in each process's own memory. Files are written under a temporary name and renamed, so a
reader never sees half an array.
"""

import concurrent.futures
import hashlib
import json
import pathlib

import numpy

from engine import hosting
from engine import images
from engine import whole_files

STORE_FORMAT = 1  # bump when the decoder or the resize changes what is stored
DECODING_THREADS = 2  # Pillow releases the interpreter lock while it decodes and resizes


def store_folder() -> pathlib.Path:
    return hosting.data_dir() / "pictures"


def contents_key(paths, size) -> str:
    """A digest of every file's bytes, in order, and of the size: other pictures, or the same
    ones at another size, give another key. Reads every file once (sha256, about 0.5 GB/s)."""
    hasher = hashlib.sha256(f"format {STORE_FORMAT}; size {tuple(size)}\n".encode())
    for path in paths:
        hasher.update(hashlib.sha256(pathlib.Path(path).read_bytes()).digest())
    return hasher.hexdigest()


def decoded(paths, size) -> tuple:
    """(pixels, problems) for the picture files `paths` at `size` (height, width).

    pixels: uint8 array (len(paths), height, width, 3), read-only and memory-mapped; the rows
    of unreadable files are black. problems: {index in paths: a sentence saying why that file
    could not be read}. Decodes and stores on the first call for these contents, loads
    afterwards. Raises OSError only when the data directory cannot be written."""
    paths = [pathlib.Path(path) for path in paths]
    height, width = size
    key = contents_key(paths, size)
    pixels_path = store_folder() / f"{key}.npy"
    problems_path = pixels_path.with_suffix(".json")
    loaded = _load(pixels_path, problems_path, (len(paths), height, width, 3))
    if loaded is not None:
        return loaded
    store_folder().mkdir(parents=True, exist_ok=True)
    problems = {}
    # The pixels are renamed last (the outer block ends last): their presence means both
    # files are whole.
    with whole_files.written_whole(pixels_path) as partial_pixels, \
            whole_files.written_whole(problems_path) as partial_problems:
        # Written straight into the file, a picture at a time: decoding 20,000 pictures
        # never holds more than a few of them in memory.
        pixels = numpy.lib.format.open_memmap(partial_pixels, mode="w+", dtype=numpy.uint8,
                                              shape=(len(paths), height, width, 3))

        def decode(index):
            try:
                pixels[index] = images.picture_pixels(paths[index].read_bytes(), size)
            except ValueError as problem:
                problems[index] = str(problem)

        with concurrent.futures.ThreadPoolExecutor(DECODING_THREADS) as pool:
            list(pool.map(decode, range(len(paths))))
        pixels.flush()
        del pixels
        partial_problems.write_text(json.dumps({str(index): reason for index, reason
                                                in sorted(problems.items())}))
    return _load(pixels_path, problems_path, (len(paths), height, width, 3))


def _load(pixels_path, problems_path, shape):
    """The stored pixels and problems, or None when absent or not these (then decoded again)."""
    if not pixels_path.is_file():
        return None
    try:
        pixels = numpy.load(pixels_path, mmap_mode="r")
        problems = {int(index): reason for index, reason
                    in json.loads(problems_path.read_text()).items()}
    except (OSError, ValueError):
        return None
    if pixels.shape != shape or pixels.dtype != numpy.uint8:
        return None
    return pixels, problems
