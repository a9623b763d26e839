"""Real-world pictures in class folders: course 1 week 4 and course 2.

The course reads folders with `ImageDataGenerator(rescale=1/255).flow_from_directory(...)`;
Keras 3's successor is `keras.utils.image_dataset_from_directory`, which names each class
after its folder (in alphabetical order) and hands out batches as a tf.data pipeline.
Decoding and resizing happen once: the pipeline keeps the decoded pictures in memory
(`.cache()`), so every epoch after the first only does arithmetic.
"""

import dataclasses
import pathlib

import keras
import tensorflow

from engine import registry

# The datasets a lesson offers, and which of their splits it trains and validates on.
DATASETS = {
    "horse-or-human": ("train", "validation"),
    "cats_and_dogs_filtered": ("train", "validation"),
    "rps": ("train", "test"),
}


@dataclasses.dataclass
class FolderData:
    """Training and validation batches with what the lesson shows about them."""

    training: tensorflow.data.Dataset
    validation: tensorflow.data.Dataset
    class_names: list
    training_count: int
    validation_count: int
    label_mode: str  # "binary" for two classes, "categorical" for more
    # The decoded training pictures one by one, 0..255, in folder order: for showing some
    # without drawing on the training shuffle (each pass of it is a new order).
    training_pictures: tensorflow.data.Dataset = None

    @property
    def steps_per_epoch(self) -> int:
        return len(self.training)


def label_mode_for(class_count: int) -> str:
    """The course's table: two classes are binary (one sigmoid), more are categorical."""
    if class_count < 2:
        raise ValueError("A classifier needs at least two classes, one folder each.")
    return "binary" if class_count == 2 else "categorical"


def class_folders(folder: pathlib.Path) -> list:
    return sorted(path.name for path in pathlib.Path(folder).iterdir()
                  if path.is_dir() and not path.name.startswith("."))


def split_folders(folder):
    """(training folder, validation folder or None) of a local folder: its train/ and
    validation/ (or test/) subfolders when present, else the folder itself, split later."""
    folder = pathlib.Path(folder).expanduser()
    if not folder.is_dir():
        raise ValueError(f"There is no folder at {folder}.")
    subfolders = set(class_folders(folder))
    if "train" in subfolders:
        validation = next((folder / name for name in ("validation", "test")
                           if name in subfolders), None)
        return folder / "train", validation
    if len(subfolders) < 2:
        raise ValueError(f"{folder} should hold one folder per class (at least two), for "
                         "example cats/ and dogs/, or train/ and validation/ folders of them.")
    return folder, None


def folder_fingerprint(folder) -> str:
    """A digest of every file's path and size: another folder, or changed pictures, give
    another fingerprint (and so other cached runs)."""
    import hashlib

    hasher = hashlib.sha256()
    for path in sorted(pathlib.Path(folder).rglob("*")):
        if path.is_file():
            hasher.update(f"{path.relative_to(folder)}:{path.stat().st_size}\n".encode())
    return hasher.hexdigest()


def load_folders(training_folder, validation_folder, image_size=(150, 150), batch_size=32,
                 seed=0) -> FolderData:
    """Both splits as batches of (pictures 0..255, labels); training batches reshuffled each
    epoch with `seed`, validation in a fixed order."""
    class_names = class_folders(training_folder)
    label_mode = label_mode_for(len(class_names))
    if class_folders(validation_folder) != class_names:
        raise ValueError(f"The validation folders {class_folders(validation_folder)} do not "
                         f"match the training folders {class_names}.")
    # batch_size=None: single pictures, so that they can be kept and shuffled as pictures.
    common = dict(image_size=tuple(image_size), batch_size=None, label_mode=label_mode,
                  class_names=class_names, verbose=False)
    training = keras.utils.image_dataset_from_directory(training_folder, shuffle=False, **common)
    validation = keras.utils.image_dataset_from_directory(validation_folder, shuffle=False,
                                                          **common)
    training_count = len(training.file_paths)
    validation_count = len(validation.file_paths)
    training_pictures = keep_decoded(training)
    return FolderData(
        training=in_batches(training_pictures, batch_size, shuffle_buffer=training_count,
                            seed=seed),
        validation=in_batches(keep_decoded(validation), batch_size),
        class_names=class_names, training_count=training_count,
        validation_count=validation_count, label_mode=label_mode,
        training_pictures=training_pictures)


def load_single_folder(folder, image_size=(150, 150), batch_size=32, seed=0,
                       validation_fraction=0.2) -> FolderData:
    """One folder of class folders, split by Keras into training and validation pictures
    (the same seeded split every time)."""
    class_names = class_folders(folder)
    label_mode = label_mode_for(len(class_names))
    training, validation = keras.utils.image_dataset_from_directory(
        folder, image_size=tuple(image_size), batch_size=None, label_mode=label_mode,
        class_names=class_names, validation_split=validation_fraction, subset="both",
        seed=seed, verbose=False)
    training_pictures = keep_decoded(training)
    return FolderData(
        training=in_batches(training_pictures, batch_size,
                            shuffle_buffer=len(training.file_paths), seed=seed),
        validation=in_batches(keep_decoded(validation), batch_size),
        class_names=class_names, training_count=len(training.file_paths),
        validation_count=len(validation.file_paths), label_mode=label_mode,
        training_pictures=training_pictures)


def keep_decoded(pictures):
    """Decode and resize once, and keep the pictures in memory: every epoch after the first
    only does arithmetic."""
    # Kept as bytes (0..255), a quarter of the memory of floats: 500 pictures at 300x300
    # take 135 MB instead of 540 MB.
    return pictures.map(lambda picture, label: (tensorflow.cast(
        tensorflow.round(picture), tensorflow.uint8), label)).cache()


def in_batches(pictures, batch_size: int, shuffle_buffer: int = 0, seed: int = 0):
    """Kept pictures as float batches; for training, shuffled anew every epoch in a seeded
    order. Prefetching overlaps the next batch with training."""
    if shuffle_buffer:
        pictures = pictures.shuffle(shuffle_buffer, seed=seed, reshuffle_each_iteration=True)
    pictures = pictures.map(lambda picture, label: (tensorflow.cast(picture, "float32"), label))
    return pictures.batch(batch_size).prefetch(tensorflow.data.AUTOTUNE)


def load_dataset(dataset_key: str, image_size=(150, 150), batch_size=32, seed=0) -> FolderData:
    """A registry dataset (downloaded into the data directory if needed) as FolderData."""
    from engine import downloads

    downloads.ensure_asset(dataset_key)
    training_split, validation_split = DATASETS[dataset_key]
    return load_folders(registry.image_folder(dataset_key, training_split),
                        registry.image_folder(dataset_key, validation_split),
                        image_size, batch_size, seed)
