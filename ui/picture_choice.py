"""Choosing a dataset of pictures in class folders: a course dataset, or the learner's own
zip. Shared by the real-world, augmentation and transfer-learning lessons."""

import dataclasses
import hashlib

import streamlit as st

from engine import caps
from engine import course_assets
from engine import downloads
from engine import hosting
from ui import data_status
from ui import shared_caches

# The picker's title -> the dataset's key (engine/course_assets.py holds both).
COURSE_DATASETS = {asset.picker_title: asset.key for asset in course_assets.image_datasets()}
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


def choose(key: str, default: str = "Horses or humans", allow_upload: bool = True,
           link=None):
    """The dataset picker; returns a Choice, or None (with a message) when nothing usable.
    With `link` (a ui.url_state.Link with a "dataset" setting) the picker follows the link,
    which may lock or hide it."""
    options = list(COURSE_DATASETS) + (own_options() if allow_upload else [])
    widget_key = f"{key}-dataset"
    # A link puts its value into the picker before it is drawn; a default as well would make
    # Streamlit warn about two sources for one value.
    start = {} if widget_key in st.session_state else {"index": options.index(default)}
    picker = dict(label="pictures", options=options, key=widget_key, **start)
    title = (link.control("dataset", st.selectbox, **picker) if link
             else st.selectbox(**picker))
    if title in COURSE_DATASETS:
        return Choice(title, COURSE_DATASETS[title], dataset_key=COURSE_DATASETS[title])
    if title == LOCAL:
        return local_folder(st.text_input("folder path", key=f"{key}-folder"))
    upload = st.file_uploader(
        f"a .zip with one folder per class (at most {caps.UPLOAD_MEGABYTES} MB)", type=["zip"],
        key=f"{key}-zip")
    if upload is None:
        st.info("For example `pets.zip` holding `cats/…jpg` and `dogs/…jpg`; "
                "`train/` and `validation/` folders inside are used when present.",
                icon=":material/folder_zip:")
        return None
    return extracted_upload(upload.getvalue(), upload.name)


def own_options() -> list:
    """The learner's own pictures: a zip, and a folder on the server's disk unless the server
    is shared (engine.hosting.shared_server), where a typed path could reach another
    learner's upload or any folder the server can read."""
    return [OWN] if hosting.shared_server() else [OWN, LOCAL]


def extracted_upload(zip_bytes: bytes, name: str):
    digest = hashlib.sha256(zip_bytes).hexdigest()
    try:
        extracted = shared_caches.extracted_zip(digest, zip_bytes)
    except ValueError as problem:
        st.error(str(problem), icon=":material/folder_off:")
        return None
    show_skipped(extracted.skipped)
    show_notes(extracted.notes)
    validation = extracted.validation_folder
    return Choice(name, f"upload-{digest}", training_folder=str(extracted.training_folder),
                  validation_folder=str(validation) if validation else None)


def show_skipped(skipped) -> None:
    if skipped:
        st.caption(f"Skipped {len(skipped)} files that are not usable "
                   "pictures: " + ", ".join(f"{item} ({reason})" for item, reason
                                            in skipped[:5])
                   + (" …" if len(skipped) > 5 else ""))


def show_notes(notes) -> None:
    for note in notes:
        st.info(note, icon=":material/info:")


def local_folder(path_text: str):
    """A folder of class folders (or of train/ and validation/ folders) on the server's own
    disk: for a learner running the classroom on their laptop."""
    from engine import image_folders

    if hosting.shared_server():  # not offered then; refused too, should a value slip in
        st.error("This server is shared, so it reads no folders of its own: upload a "
                 ".zip of your pictures instead.", icon=":material/folder_off:")
        return None
    if not path_text.strip():
        st.info("Type the path of a folder that holds one folder per class.",
                icon=":material/folder_open:")
        return None
    try:
        training, validation, notes = image_folders.local_layout(path_text.strip())
        fingerprint = image_folders.local_folders_fingerprint(training, validation)
    except (ValueError, OSError) as problem:
        st.error(str(problem) if isinstance(problem, ValueError) else
                 "That folder could not be read (perhaps it is not yours to read); "
                 "please choose another.", icon=":material/folder_off:")
        return None
    show_notes(notes)
    return Choice(path_text.strip(), f"folder-{fingerprint}", training_folder=str(training),
                  validation_folder=str(validation) if validation else None)


def load(choice: Choice, image_size: int, batch_size: int, seed: int):
    """The chosen pictures as FolderData, or None after saying why they are missing. Says
    which pictures were skipped and what else the learner should know about them."""
    try:
        data = shared_caches.loaded_pictures(choice.dataset_id, choice.dataset_key,
                                             choice.training_folder, choice.validation_folder,
                                             image_size, batch_size, seed)
    except downloads.MissingDataError as problem:
        data_status.say_missing(problem)
        return None
    except ValueError as problem:
        st.error(str(problem), icon=":material/folder_off:")
        return None
    if choice.dataset_key is None:
        show_skipped(data.skipped)
        show_notes(data.notes)
    return data


def decoded_size_sentence(data) -> str:
    """What the decoded pictures cost, against the budget every dataset must fit in."""
    from engine import image_folders

    return (f"Decoded, they take {data.pixels.nbytes / 1e6:,.0f} MB of the "
            f"{image_folders.DECODED_BUDGET_BYTES / 1e9:g} GB the classroom allows one dataset.")
