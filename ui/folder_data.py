"""Choosing a dataset of pictures in class folders: a course dataset, or the learner's own
zip. Shared by the real-world, augmentation and transfer-learning lessons."""

import dataclasses
import hashlib

import streamlit

from engine import cached
from engine import downloads

COURSE_DATASETS = {
    "Horses or humans": "horse-or-human",
    "Cats vs dogs (filtered)": "cats_and_dogs_filtered",
    "Rock, paper, scissors (three classes)": "rps",
}
OWN = "My own pictures (a .zip, one folder per class)"
LOCAL = "A folder on this computer (when the classroom runs on it)"


@dataclasses.dataclass(frozen=True)
class Choice:
    """Which pictures, with a stable id for caching runs (registry key or zip hash)."""

    title: str
    dataset_id: str
    dataset_key: str = None  # a course dataset
    training_folder: str = None  # an upload, extracted
    validation_folder: str = None


def choose(key: str, default: str = "Horses or humans", allow_upload: bool = True):
    """The dataset picker; returns a Choice, or None (with a message) when nothing usable."""
    options = list(COURSE_DATASETS) + ([OWN, LOCAL] if allow_upload else [])
    title = streamlit.selectbox("pictures", options, index=options.index(default),
                                key=f"{key}-dataset")
    if title in COURSE_DATASETS:
        return Choice(title, COURSE_DATASETS[title], dataset_key=COURSE_DATASETS[title])
    if title == LOCAL:
        return local_folder(streamlit.text_input("folder path", key=f"{key}-folder"))
    upload = streamlit.file_uploader("a .zip with one folder per class", type=["zip"],
                                     key=f"{key}-zip")
    if upload is None:
        streamlit.info("For example `pets.zip` holding `cats/…jpg` and `dogs/…jpg`; "
                       "`train/` and `validation/` folders inside are used when present.",
                       icon=":material/folder_zip:")
        return None
    return extracted_upload(upload.getvalue(), upload.name)


def extracted_upload(zip_bytes: bytes, name: str):
    digest = hashlib.sha256(zip_bytes).hexdigest()
    try:
        extracted = cached.extracted_zip(digest, zip_bytes)
    except ValueError as problem:
        streamlit.error(str(problem), icon=":material/folder_off:")
        return None
    if extracted.skipped:
        streamlit.caption(f"Skipped {len(extracted.skipped)} files that are not usable "
                          "pictures: " + ", ".join(f"{item} ({reason})" for item, reason
                                                   in extracted.skipped[:5])
                          + (" …" if len(extracted.skipped) > 5 else ""))
    validation = (extracted.split_folders.get("validation")
                  or extracted.split_folders.get("test"))
    return Choice(name, f"upload-{digest}",
                  training_folder=str(extracted.split_folders["train"]),
                  validation_folder=str(validation) if validation else None)


def local_folder(path_text: str):
    """A folder of class folders (or of train/ and validation/ folders) on the server's own
    disk: for a learner running the classroom on their laptop."""
    from engine import image_folders

    if not path_text.strip():
        streamlit.info("Type the path of a folder that holds one folder per class.",
                       icon=":material/folder_open:")
        return None
    try:
        training, validation = image_folders.split_folders(path_text.strip())
    except ValueError as problem:
        streamlit.error(str(problem), icon=":material/folder_off:")
        return None
    return Choice(path_text.strip(), f"folder-{image_folders.folder_fingerprint(training)}",
                  training_folder=str(training),
                  validation_folder=str(validation) if validation else None)


def load(choice: Choice, image_size: int, batch_size: int, seed: int):
    """The chosen pictures as FolderData, or None after saying why they are missing."""
    try:
        if choice.dataset_key:
            return cached.folder_data(choice.dataset_key, image_size, batch_size, seed)
        return cached.uploaded_folder_data(choice.dataset_id, choice.training_folder,
                                           choice.validation_folder, image_size,
                                           batch_size, seed)
    except downloads.MissingDataError as problem:
        streamlit.error(str(problem), icon=":material/cloud_off:")
    except ValueError as problem:
        streamlit.error(str(problem), icon=":material/folder_off:")
    return None

