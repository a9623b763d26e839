"""A learner's own dataset, uploaded as a .zip of class folders, unpacked safely.

The zip is untrusted: entry names may point outside the folder (`../x`, `/etc/x`, `C:\\x`), an
entry may be a symbolic link, and headers may promise kilobytes that unpack to gigabytes. So
`extract_class_folders()` first reads only the zip's table of contents, and refuses the whole
upload if an entry is unsafe, the files are too many or too large (engine/zip_entries.py), or
the folders make no classifier's dataset. Only then does it unpack, into a fresh folder under
`destination_root`, counting the bytes that really come out and keeping a picture only once
`images.open_upload()` decoded it, so the Keras loader never meets a damaged file. A refusal
removes that folder; success leaves what `keras.utils.image_dataset_from_directory` reads, e.g.
`<destination_root>/upload-xxxx/train/cats/cat1.jpg`. `remove_extracted()` deletes it when the
learner is done; `remove_abandoned_uploads()` deletes those of sessions that never said so.
"""

import dataclasses
import errno
import io
import pathlib
import shutil
import stat
import tempfile
import time
import zipfile

from engine import caps
from engine import folder_layout
from engine import images
from engine import zip_entries
from engine import zip_names

UPLOAD_FOLDER_PREFIX = "upload-"
# The extensions `image_dataset_from_directory` lists; it silently ignores every other file.
KERAS_SUFFIXES = (".bmp", ".gif", ".jpeg", ".jpg", ".png")
OTHER_PICTURE_SUFFIXES = (".webp", ".tif", ".tiff", ".avif", ".heic", ".heif")
# How the files TensorFlow's decode_image reads begin (WebP, which it reads too, is checked apart).
TENSORFLOW_SIGNATURES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"BM")
# A name already taken (listed twice, or a file where a folder must go), or too long to save.
UNSAVABLE_NAME_ERRORS = (errno.EEXIST, errno.ENOTDIR, errno.EISDIR, errno.ENAMETOOLONG)
DAMAGED_ZIP = "The zip is damaged (perhaps the upload was cut off); please make it again."
EXPECTED_LAYOUT = (
    "put one folder of pictures per class in the zip, e.g. cats/cat1.jpg and dogs/dog1.jpg "
    "(optionally inside train/ and validation/ folders)"
)
PLEASE_UPLOAD_A_ZIP = f"please upload a .zip, and {EXPECTED_LAYOUT}"


@dataclasses.dataclass(frozen=True)
class ExtractedDataset:
    """An unpacked upload, ready for `keras.utils.image_dataset_from_directory`."""

    folder: pathlib.Path  # The per-upload folder; remove_extracted() deletes it.
    split_folders: dict  # "train" (always), maybe "validation", "test" -> folder of class folders.
    class_names: list  # Sorted, the order Keras gives the labels; the same in every split.
    image_counts: dict  # split -> class name -> number of pictures kept.
    skipped: list  # (name in the zip, reason) for every file that was not kept.
    notes: tuple = ()  # Sentences on how the folders were read (splits, empty or unreadable).
    validation_split: str = None  # The split that validates ("validation" or "test"), or None.

    @property
    def training_folder(self) -> pathlib.Path:
        return self.split_folders["train"]

    @property
    def validation_folder(self):
        """The folder of validation pictures, or None: then a fifth of training is kept."""
        return self.split_folders.get(self.validation_split)


@dataclasses.dataclass(frozen=True)
class _PlannedPicture:
    entry: zipfile.ZipInfo
    split: str
    class_name: str
    parts_inside_class: tuple  # Subfolders a class may have, then the file name.


def extract_class_folders(
    zip_bytes: bytes,
    destination_root: pathlib.Path,
    max_total_bytes=300_000_000,
    max_files=20_000,
    max_file_bytes=images.TRAINING_PICTURE_BYTES,
) -> ExtractedDataset:
    """Unpack an uploaded zip of class folders into a new folder under `destination_root`, or
    raise ValueError with a sentence the learner can act on (and leave nothing behind). A zip
    over engine.caps.UPLOAD_MEGABYTES is refused before it is read."""
    caps.check_upload(len(zip_bytes), "The zip")
    with _open_zip(zip_bytes) as archive:
        # Everything up to mkdtemp reads only the table of contents: nothing is unpacked yet.
        entries = archive.infolist()
        if not entries:
            raise ValueError(f"The zip is empty; {EXPECTED_LAYOUT}.")
        paths = {id(entry): zip_entries.safe_parts(entry) for entry in entries}
        files = [entry for entry in entries if not zip_names.is_folder(entry)]
        zip_entries.refuse_too_much(files, max_total_bytes, max_files, max_file_bytes)
        skipped = []
        candidates = []
        for entry in files:
            reason = _reason_to_skip(paths[id(entry)])
            if reason:
                skipped.append((zip_names.entry_name(entry), reason))
            else:
                candidates.append((paths[id(entry)], entry))
        layout = folder_layout.find_layout([parts for parts, _ in candidates])
        plan, name_notes = zip_names.readable_classes(_plan_layout(candidates, layout))
        _count_classes((picture.split, picture.class_name) for picture in plan)

        pathlib.Path(destination_root).mkdir(parents=True, exist_ok=True)
        folder = pathlib.Path(tempfile.mkdtemp(prefix=UPLOAD_FOLDER_PREFIX, dir=destination_root))
        try:
            kept = _unpack(archive, plan, folder, skipped, max_total_bytes, max_file_bytes)
            # Again: damaged pictures may have emptied a class.
            image_counts = _count_classes(kept)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
    empty = _empty_class_notes(entries, paths, layout, image_counts["train"])
    return ExtractedDataset(
        folder=folder,
        split_folders={split: folder / split for split in image_counts},
        class_names=sorted(image_counts["train"]),
        image_counts=image_counts,
        skipped=skipped,
        notes=layout.notes + tuple(name_notes) + tuple(empty),
        validation_split=layout.validation_split if layout.validation_split in image_counts
        else None,
    )


def remove_extracted(dataset: ExtractedDataset):
    """Delete an unpacked upload and everything in it."""
    shutil.rmtree(dataset.folder, ignore_errors=True)


def remove_abandoned_uploads(root: pathlib.Path, older_than_hours: float = 24) -> list:
    """Delete the upload folders under `root` made more than `older_than_hours` ago, which
    sessions closed without cleaning up; returns the folders removed. Nothing else is touched."""
    if older_than_hours < 0:
        raise ValueError(f"The age must be zero hours or more, not {older_than_hours}.")
    root = pathlib.Path(root)
    if not root.is_dir():
        return []
    cutoff = time.time() - older_than_hours * 3600
    removed = []
    for folder in sorted(root.glob(UPLOAD_FOLDER_PREFIX + "*")):
        try:
            details = folder.lstat()  # lstat: a symbolic link named upload-* is not ours.
        except FileNotFoundError:  # Another session removed it just now.
            continue
        if stat.S_ISDIR(details.st_mode) and details.st_mtime < cutoff:
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


# Reading the table of contents ----------------------------------------------------------------


def _open_zip(zip_bytes) -> zipfile.ZipFile:
    if not zip_bytes:
        raise ValueError(f"The uploaded file is empty (0 bytes); {PLEASE_UPLOAD_A_ZIP}.")
    stream = io.BytesIO(zip_bytes)  # Outside the try: anything but bytes is a bug, not a zip.
    try:
        return zipfile.ZipFile(stream)
    except Exception:  # Any parser failure on untrusted bytes means there is no usable zip.
        if bytes(zip_bytes[:2]) == b"PK":  # How every zip begins: this one is cut off or broken.
            raise ValueError(DAMAGED_ZIP) from None
        raise ValueError(f"This file is not a zip archive; {PLEASE_UPLOAD_A_ZIP}.") from None


def _reason_to_skip(parts) -> str | None:
    if "__MACOSX" in parts:
        return "macOS bookkeeping (__MACOSX), not a picture"
    if any(part.startswith(".") for part in parts):
        return "a hidden file (such as .DS_Store), not a picture"
    suffix = pathlib.PurePosixPath(parts[-1]).suffix.lower()
    if suffix in OTHER_PICTURE_SUFFIXES:
        return "Keras trains only on JPEG, PNG, GIF and BMP files"
    if suffix not in KERAS_SUFFIXES:
        return "not a picture (only .jpg, .jpeg, .png, .gif and .bmp files are used)"
    return None


def _plan_layout(candidates, layout) -> list:
    """Decide the split and class of every picture from its folders alone
    (engine.folder_layout's rules, the same as for a folder on the learner's computer)."""
    has_splits = any(prefix and folder_layout.split_of(prefix[-1])
                     for prefix in layout.split_prefixes.values())
    plan = []
    for parts, entry in candidates:
        found = [(split, prefix) for split, prefix in layout.split_prefixes.items()
                 if parts[:len(prefix)] == prefix]
        split, prefix = found[0] if found else ("train", ())
        inside = parts[len(prefix):]
        if not found or len(inside) < 2:
            where = "in a split folder" if found and has_splits else "at the top of the zip"
            name = zip_entries.shown(zip_names.entry_name(entry))
            raise ValueError(
                f"The picture '{name}' sits directly {where}, not inside "
                f"a class folder; {EXPECTED_LAYOUT}."
            )
        plan.append(_PlannedPicture(entry, split, inside[0], inside[1:]))
    return plan


def _empty_class_notes(entries, paths, layout, kept_classes) -> list:
    """A sentence for every class folder of the training split that holds no usable picture
    (nothing, other files, or damaged pictures): it was left out, and the learner should know."""
    prefix = layout.split_prefixes["train"]
    depth = len(prefix)
    folders = set()
    for entry in entries:
        parts = paths[id(entry)]
        if parts[:depth] != prefix or len(parts) <= depth or "__MACOSX" in parts:
            continue
        if zip_names.is_unreadable(entry) and not parts[depth].isascii():
            continue  # numbered when it has pictures; unnamed here when it has none
        if len(parts) > depth + 1 or (len(parts) == depth + 1 and zip_names.is_folder(entry)):
            folders.add(parts[depth])
    left_out = sorted(name for name in folders - set(kept_classes) if not name.startswith("."))
    return [f"{'/'.join(prefix + (name,))}/ holds no pictures and was left out."
            for name in left_out]


def _count_classes(split_and_class_of_each_picture) -> dict:
    """{split: {class name: pictures}}, sorted; refuses unless every split has the same two or
    more classes."""
    counts = {}
    for split, class_name in split_and_class_of_each_picture:
        classes = counts.setdefault(split, {})
        classes[class_name] = classes.get(class_name, 0) + 1
    if "train" not in counts:
        raise ValueError(
            "A classifier needs at least two classes: the zip holds no JPEG, PNG, GIF or BMP "
            f"pictures that could be read; {EXPECTED_LAYOUT}."
        )
    for split, classes in sorted(counts.items(), key=lambda item: item[0] != "train"):
        if len(classes) < 2:
            raise ValueError(
                f"A classifier needs at least two classes: all the {split} pictures are in one "
                f"folder, '{zip_entries.shown(next(iter(classes)))}'; {EXPECTED_LAYOUT}."
            )
        if sorted(classes) != sorted(counts["train"]):
            raise ValueError(
                f"Every split needs the same class folders, but {split} has "
                f"{', '.join(sorted(classes))} and train has {', '.join(sorted(counts['train']))}."
            )
    return {split: dict(sorted(counts[split].items())) for split in sorted(counts)}


# Unpacking ------------------------------------------------------------------------------------


def _unpack(archive, plan, folder, skipped, max_total_bytes, max_file_bytes) -> list:
    """Write each picture that decodes; returns the (split, class) of each one written."""
    kept = []
    unpacked_bytes = 0
    real_folder = folder.resolve()
    for picture in plan:
        name = zip_names.entry_name(picture.entry)
        data = zip_entries.read_entry(archive, picture.entry, max_file_bytes)
        # Counting what really came out, because the sizes in the table of contents can lie.
        unpacked_bytes += len(data)
        if unpacked_bytes > max_total_bytes:
            raise ValueError(zip_entries.too_large(None, unpacked_bytes, max_total_bytes))
        problem = _picture_problem(data, max_file_bytes)
        if problem:
            skipped.append((name, problem))
            continue
        target = folder.joinpath(picture.split, picture.class_name, *picture.parts_inside_class)
        # The names were checked already; this guards against a mistake in those checks.
        if not target.resolve().is_relative_to(real_folder):
            raise ValueError(
                f"The upload was refused: '{zip_entries.shown(name)}' points outside it.")
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(target, "xb") as file:  # "x": never overwrite, e.g. a name listed twice.
                file.write(data)
        except OSError as error:
            if error.errno not in UNSAVABLE_NAME_ERRORS:
                raise  # A full disk, say: not the learner's doing, so not theirs to read about.
            skipped.append((name, "another file has the same name, or the name is too long"))
            continue
        kept.append((picture.split, picture.class_name))
    return kept


def _picture_problem(data: bytes, max_file_bytes) -> str | None:
    try:
        images.open_upload(data, max_bytes=max_file_bytes).close()
    except ValueError as error:
        return str(error)
    # Pillow reads more formats than TensorFlow, which decodes the pictures for training.
    is_webp = data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    if not (data.startswith(TENSORFLOW_SIGNATURES) or is_webp):
        return "inside it is no JPEG, PNG, GIF or BMP picture, whatever its name says"
    return None
