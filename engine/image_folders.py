"""Real-world pictures in class folders: course 1 week 4 and course 2.

The course reads folders with `ImageDataGenerator(rescale=1/255).flow_from_directory(...)`;
Keras 3's successor is `keras.utils.image_dataset_from_directory`, which names each class
after its folder (in alphabetical order) and decodes with TensorFlow. The classroom keeps the
folder rules but decodes every picture once with its own decoder (engine.images, built on
Pillow): the same one that reads a learner's picture for prediction, so a phone photo turned
by its EXIF tag, a Paint palette bitmap or a CMYK JPEG is the same picture in the grid, in
training and in prediction. The decoded pixels are kept on disk (engine.picture_store); every
epoch only gathers batches from them.

`load_pictures` is the one entry point: plain values in (a course dataset key, or a training
folder and an optional validation folder; size; batch size; seed), so another process, such as
a training worker, can call it and find the pictures the page already decoded.
"""

import dataclasses
import math
import os
import pathlib

import numpy
import tensorflow

from engine import course_assets
from engine import folder_layout
from engine import picture_store
from engine import registry

# The datasets a lesson offers, and which of their splits it trains and validates on.
DATASETS = {asset.key: asset.splits for asset in course_assets.image_datasets()}
PICTURE_SUFFIXES = (".bmp", ".gif", ".jpeg", ".jpg", ".png")
VALIDATION_FRACTION = 0.2  # without a validation folder, a seeded fifth validates
# What one dataset may cost once decoded, pictures x height x width x 3 bytes: 1 GB holds
# every course dataset at 300 x 300 (cats vs dogs, 3,000 pictures: 0.81 GB), and refuses a
# few-MB zip of 20,000 tiny pictures that would decode to 5.4 GB.
DECODED_BUDGET_BYTES = 1_000_000_000
MAX_LISTED_FILES = 50_000  # a typed path like / would otherwise be listed for minutes


@dataclasses.dataclass
class FolderData:
    """Training and validation batches with what the lesson shows about them. Batches are
    (pictures float32 (batch, height, width, 3) in 0..255, labels float32 (batch, 1) for
    binary or one-hot (batch, classes))."""

    training: tensorflow.data.Dataset  # reshuffled every epoch, seeded
    validation: tensorflow.data.Dataset  # in folder order
    class_names: list
    training_count: int
    validation_count: int
    label_mode: str  # "binary" for two classes, "categorical" for more
    pixels: numpy.ndarray = None  # uint8 (pictures, height, width, 3), memory-mapped
    training_indices: numpy.ndarray = None  # rows of `pixels`, in folder order
    class_indices: numpy.ndarray = None  # the class of each row of `pixels`
    notes: tuple = ()  # sentences for the learner: left-out classes, a tiny validation set
    skipped: tuple = ()  # (file name inside its split folder, why it could not be read)

    @property
    def steps_per_epoch(self) -> int:
        return len(self.training)

    def training_sample(self, count: int = 16) -> tuple:
        """Up to `count` training pictures evenly spaced over the folders, so every class
        shows: (uint8 (count, height, width, 3), class indices (count,))."""
        rows = self.training_indices[::max(1, len(self.training_indices) // count)][:count]
        return numpy.asarray(self.pixels[rows]), self.class_indices[rows]


def label_mode_for(class_count: int) -> str:
    """The course's table: two classes are binary (one sigmoid), more are categorical."""
    if class_count < 2:
        raise ValueError("A classifier needs at least two classes, one folder each.")
    return "binary" if class_count == 2 else "categorical"


def class_folders(folder: pathlib.Path) -> list:
    return sorted(path.name for path in pathlib.Path(folder).iterdir()
                  if path.is_dir() and not path.name.startswith("."))


def split_folders(folder) -> tuple:
    """(training folder, validation folder or None) of a local folder, read by the same
    rules as a zip (engine.folder_layout); see `local_layout` for the notes too."""
    training, validation, _ = local_layout(folder)
    return training, validation


def local_layout(folder) -> tuple:
    """(training folder, validation folder or None, notes) of a folder on this computer.
    Raises ValueError with a sentence when it is no folder, holds too many files, or its
    folders make no classifier's dataset."""
    folder = pathlib.Path(folder).expanduser()
    if not folder.is_dir():
        raise ValueError(f"There is no folder at {folder}.")
    file_parts = []
    for root, folder_names, file_names in os.walk(folder, followlinks=True):
        folder_names[:] = sorted(name for name in folder_names if not name.startswith("."))
        relative = pathlib.Path(root).relative_to(folder).parts
        file_parts += [relative + (name,) for name in file_names
                       if name.lower().endswith(PICTURE_SUFFIXES)]
        if len(file_parts) > MAX_LISTED_FILES:
            raise ValueError(f"{folder} holds more than {MAX_LISTED_FILES:,} pictures; please "
                             "choose a folder with fewer.")
    layout = folder_layout.find_layout(file_parts)
    training = folder.joinpath(*layout.split_prefixes["train"])
    if len(class_folders(training)) < 2:
        raise ValueError(f"{folder} should hold one folder per class (at least two), for "
                         "example cats/ and dogs/, or train/ and validation/ folders of them.")
    validation = (folder.joinpath(*layout.split_prefixes[layout.validation_split])
                  if layout.validation_split else None)
    return training, validation, layout.notes


def local_folders_fingerprint(training, validation=None) -> str:
    """A digest of every file of both splits of a learner's own folders: its path in its
    split, size and modification time (nanoseconds), so a picture added, removed, replaced or
    edited in either split gives another fingerprint, and so other runs and features."""
    import hashlib

    hasher = hashlib.sha256()
    for split, folder in (("training", training), ("validation", validation)):
        if folder is None:
            continue
        for path in sorted(pathlib.Path(folder).rglob("*")):
            if path.is_file():
                status = path.stat()
                hasher.update(f"{split}/{path.relative_to(folder).as_posix()}:"
                              f"{status.st_size}:{status.st_mtime_ns}\n".encode())
    return hasher.hexdigest()


def folder_fingerprint(folder) -> str:
    """A digest of every file's path and size: another folder, or changed pictures, give
    another fingerprint (and so other cached runs)."""
    import hashlib

    hasher = hashlib.sha256()
    for path in sorted(pathlib.Path(folder).rglob("*")):
        if path.is_file():
            hasher.update(f"{path.relative_to(folder)}:{path.stat().st_size}\n".encode())
    return hasher.hexdigest()


def load_pictures(dataset_key=None, training_folder=None, validation_folder=None,
                  image_size=150, batch_size=32, seed=0) -> FolderData:
    """The one entry point, from plain values: a course dataset (`dataset_key`, downloaded
    into the data directory when missing) or a learner's folders (`training_folder` and,
    optionally, `validation_folder`), as FolderData. See `load_folders` for the rest."""
    if dataset_key is not None:
        return load_dataset(dataset_key, image_size, batch_size, seed)
    return load_folders(training_folder, validation_folder, image_size, batch_size, seed)


def load_dataset(dataset_key: str, image_size=150, batch_size=32, seed=0) -> FolderData:
    """A registry dataset (downloaded into the data directory if needed) as FolderData."""
    from engine import downloads

    downloads.ensure_asset(dataset_key)
    training_split, validation_split = DATASETS[dataset_key]
    return load_folders(registry.image_folder(dataset_key, training_split),
                        registry.image_folder(dataset_key, validation_split),
                        image_size, batch_size, seed)


def load_folders(training, validation=None, image_size=150, batch_size=32,
                 seed=0) -> FolderData:
    """Class folders as batches. `image_size`: a side in pixels, or (height, width).
    Without `validation`, a seeded fifth of the training pictures validates.

    Every picture is decoded once by engine.images.picture_pixels and kept on disk; a file
    it cannot read is left out and listed in `skipped`, a class left without pictures in
    `notes`. Raises ValueError, in a sentence without any server path, when there are fewer
    than two classes, the splits' classes differ, the pictures are too few to keep a fifth
    for validation, or they would take more than DECODED_BUDGET_BYTES once decoded."""
    height, width = (image_size, image_size) if isinstance(image_size, int) else image_size
    class_names = class_folders(training)
    splits = {"training": _picture_files(training, class_names)}
    if validation is not None:
        splits["validation"] = _picture_files(validation, class_folders(validation))
    files = [path for listed in splits.values() for path, _ in listed]
    check_budget(len(files), (height, width))
    pixels, problems = picture_store.decoded(files, (height, width))

    skipped, rows_by_split, class_of_row, row = [], {}, [], 0
    for split, folder in zip(splits, (training, validation)):
        rows_by_split[split] = []
        for path, class_name in splits[split]:
            if row in problems:
                skipped.append((f"{path.relative_to(folder).as_posix()}", problems[row]))
            else:
                rows_by_split[split].append(row)
            class_of_row.append(class_name)
            row += 1
    kept = sorted({class_of_row[row] for row in rows_by_split["training"]})
    notes = [f"{name}/ holds no pictures and was left out." for name in class_names
             if name not in kept]
    label_mode_for(len(kept))
    class_indices = numpy.array([kept.index(name) if name in kept else -1
                                 for name in class_of_row], dtype=numpy.int64)
    training_rows = numpy.array(rows_by_split["training"], dtype=numpy.int64)
    if validation is None:
        training_rows, validation_rows = split_off_validation(training_rows, seed)
    else:
        validation_rows = numpy.array(rows_by_split["validation"], dtype=numpy.int64)
        found = sorted({class_of_row[row] for row in validation_rows})
        if found != kept:
            raise ValueError(f"The validation folders {', '.join(found) or 'hold no pictures'}"
                             f" do not match the training folders {', '.join(kept)}.")
    if len(validation_rows) < 10:
        notes.append(small_validation_note(len(validation_rows)))
    labels = label_values(class_indices, len(kept))
    return FolderData(
        training=in_batches(pixels, labels, training_rows, batch_size, shuffle_seed=seed),
        validation=in_batches(pixels, labels, validation_rows, batch_size),
        class_names=kept, training_count=len(training_rows),
        validation_count=len(validation_rows), label_mode=label_mode_for(len(kept)),
        pixels=pixels, training_indices=numpy.sort(training_rows), class_indices=class_indices,
        notes=tuple(notes), skipped=tuple(skipped))


def check_budget(picture_count: int, size) -> None:
    """Raise ValueError when `picture_count` pictures of `size` (height, width) would take
    more than DECODED_BUDGET_BYTES decoded (3 bytes a pixel), naming a size that fits."""
    height, width = size
    needed = picture_count * height * width * 3
    if needed <= DECODED_BUDGET_BYTES:
        return
    fitting_side = math.isqrt(DECODED_BUDGET_BYTES // (3 * max(picture_count, 1)))
    fitting = (f"choose a picture size of at most {fitting_side} x {fitting_side}"
               if fitting_side >= 32 else "use fewer pictures")
    raise ValueError(
        f"These {picture_count:,} pictures at {height} x {width} pixels would take "
        f"{needed / 1e9:.1f} GB once decoded, over the {DECODED_BUDGET_BYTES / 1e9:g} GB the "
        f"classroom allows one dataset; {fitting}, or use a sample of the pictures.")


def split_off_validation(rows: numpy.ndarray, seed: int) -> tuple:
    """(training rows, validation rows): a seeded fifth validates, the same every time.
    Raises ValueError when a fifth of the pictures is not even one picture."""
    validation_count = int(len(rows) * VALIDATION_FRACTION)
    if validation_count < 1:
        raise ValueError(f"{len(rows)} pictures are too few to keep a fifth for validation: "
                         "add pictures or a validation folder.")
    order = numpy.random.default_rng(seed).permutation(rows)
    return numpy.sort(order[validation_count:]), numpy.sort(order[:validation_count])


def small_validation_note(count: int) -> str:
    if count == 1:
        return ("A validation set of one picture measures nothing: its accuracy can only be "
                "0% or 100%. Add pictures or a validation folder.")
    return (f"Only {count} pictures validate: each one moves validation accuracy by "
            f"{100 / count:.0f} points, so it measures little. Add pictures or a validation "
            "folder.")


def label_values(class_indices: numpy.ndarray, class_count: int) -> numpy.ndarray:
    """Labels the way Keras' losses want them: float32 (n, 1) holding 0 or 1 for two
    classes (binary), one-hot float32 (n, classes) for more (categorical)."""
    known = numpy.maximum(class_indices, 0)
    if class_count == 2:
        return known.astype(numpy.float32)[:, None]
    return numpy.eye(class_count, dtype=numpy.float32)[known]


def in_batches(pixels, labels, rows, batch_size: int, shuffle_seed=None):
    """Batches of (float32 pictures 0..255, labels) gathered from the kept pixels; with
    `shuffle_seed`, in a new seeded order every epoch. Prefetching overlaps the next batch
    with training."""
    height, width = pixels.shape[1:3]
    batches = tensorflow.data.Dataset.from_tensor_slices(numpy.asarray(rows, numpy.int64))
    if shuffle_seed is not None:
        batches = batches.shuffle(max(len(rows), 1), seed=shuffle_seed,
                                  reshuffle_each_iteration=True)

    def gather(batch_rows):
        return pixels[batch_rows].astype(numpy.float32), labels[batch_rows]

    def with_shapes(batch_pictures, batch_labels):
        batch_pictures.set_shape((None, height, width, 3))
        batch_labels.set_shape((None, labels.shape[1]))
        return batch_pictures, batch_labels

    batches = batches.batch(batch_size).map(
        lambda batch_rows: tensorflow.numpy_function(
            gather, [batch_rows], (tensorflow.float32, tensorflow.float32), stateful=False))
    return batches.map(with_shapes).prefetch(2).with_options(_without_autotuning())


def _without_autotuning():
    """tf.data options that turn its autotuning off. Keras makes a new iterator of a dataset
    every epoch, and closing the old one waits for the autotuner's sleeping thread: up to
    about 5 s an epoch on a 2-core machine, half of lesson 5's epoch (measured with py-spy,
    BENCHMARKS.md). Keras' own `PyDataset` adapter turns it off for the course's generator
    too; the fixed prefetch of two batches above keeps reading overlapped with training."""
    options = tensorflow.data.Options()
    options.autotune.enabled = False
    return options


def _picture_files(folder, class_names) -> list:
    """(path, class name) of every picture file in the class folders, in folder order."""
    files = []
    for class_name in class_names:
        for root, folder_names, file_names in os.walk(pathlib.Path(folder) / class_name,
                                                      followlinks=True):
            folder_names[:] = sorted(name for name in folder_names if not name.startswith("."))
            files += [(pathlib.Path(root) / name, class_name) for name in sorted(file_names)
                      if name.lower().endswith(PICTURE_SUFFIXES) and not name.startswith(".")]
    return files
