"""Lesson 7's choices: which pretrained network, where its weights come from, and how the
training pictures are augmented."""

import dataclasses

import streamlit

from engine import augment
from engine import cached
from engine import downloads
from engine import dropout_pair
from engine import transfer
from ui import folder_data
from ui import url_state

# Epochs first: its slider's key tells a learner's first run in the lesson (see url_state).
WIDGET_KEYS = {"epochs": "transfer-epochs", "network": "transfer-base",
               "picture_size": "transfer-size", "seed": "transfer-seed", "cut": "transfer-cut",
               "dataset": "transfer-dataset", "views": "transfer-views",
               "dropout_rate": "transfer-dropout", "batch_size": "transfer-batch"}
LINK_OPTIONS = {
    "network": list(transfer.BASES), "picture_size": [128, 150, 224], "seed": (0, 2**31 - 1),
    # "" is the network's own default cut.
    "cut": [""] + sorted({name for base in transfer.BASES.values()
                          for name in base.cut_layer_names}),
    "dataset": {dataset: title for title, dataset in folder_data.COURSE_DATASETS.items()},
    "views": [2, 4, 8], "dropout_rate": [0.1, 0.2, 0.3, 0.5], "epochs": (1, 40),
    "batch_size": [10, 20, 32, 50, 64, 100]}


def link() -> url_state.Link:
    """Lesson 7's choices that a link carries. The default network depends on the weights in
    the data directory (see default_base)."""
    defaults = {"epochs": 20, "network": default_base(), "picture_size": 150, "seed": 0,
                "cut": "", "dataset": "horse-or-human", "views": 4, "dropout_rate": 0.2,
                "batch_size": dropout_pair.DEFAULT_BATCH_SIZE}
    return url_state.Link("transfer-learning", defaults, LINK_OPTIONS, WIDGET_KEYS)


def keep_cut_on_its_network(base_name: str, cut_names: list) -> None:
    """A cut of the other network (the learner switched networks, or a link named one) falls
    back to this network's default."""
    if streamlit.session_state.get(WIDGET_KEYS["cut"]) not in cut_names:
        streamlit.session_state[WIDGET_KEYS["cut"]] = transfer.base_choice(base_name).default_cut


def write_link(lesson_link: url_state.Link, base_name: str, cut_name: str) -> None:
    """The address bar follows the controls; the network's own default cut is written as ""
    so that a link without cut= keeps meaning "the default cut" whichever network it names."""
    default_cut = cut_name == transfer.base_choice(base_name).default_cut
    lesson_link.write(**({"cut": ""} if default_cut else {}))


FROM_DATA_DIRECTORY = "ImageNet weights from the data directory"
FROM_PATH = "a weights file on this computer"
FROM_UPLOAD = "an uploaded .h5 file"
RANDOM = "no pretrained knowledge (random weights)"


def default_base() -> str:
    """The network the lesson starts with (engine.transfer.default_base_name), also what
    `python -m engine.prepare` trains lesson 7's default run on."""
    return transfer.default_base_name()


def choose_weights(base_name: str, seed: int):
    """The weights the learner picked, resolved; None (after a message) when unusable."""
    source = streamlit.radio("weights", [FROM_DATA_DIRECTORY, FROM_PATH, FROM_UPLOAD, RANDOM],
                             key="transfer-weights-source")
    try:
        if source == FROM_DATA_DIRECTORY:
            return transfer.resolve_weights(base_name, transfer.IMAGENET, seed)
        if source == FROM_PATH:
            path = streamlit.text_input("path of the .h5 file", key="transfer-weights-path")
            if not path.strip():
                return None
            return transfer.resolve_weights(base_name, path.strip(), seed)
        if source == FROM_UPLOAD:
            upload = streamlit.file_uploader("weights (.h5)", type=["h5"],
                                             key="transfer-weights-upload")
            if upload is None:
                return None
            return transfer.resolve_weights(base_name, upload.getvalue(), seed)
        streamlit.warning("**No pretrained knowledge.** With random weights the frozen "
                          "network knows nothing about pictures, so this is not transfer "
                          "learning: expect about chance (50% on two classes, 33% on "
                          "three). It is here to show what the pretrained weights are worth.",
                          icon=":material/warning:")
        return transfer.resolve_weights(base_name, None, seed)
    except downloads.MissingDataError as problem:
        streamlit.error(f"Transfer learning needs pretrained weights. {problem}",
                        icon=":material/cloud_off:")
    except ValueError as problem:
        streamlit.error(str(problem), icon=":material/error:")
    return None


def prepared_base(base_name: str, weights, image_size: int, seed: int):
    """The frozen network with these weights, or None after a sentence saying why the
    weights do not fit it (never a traceback)."""
    try:
        return cached.transfer_base(base_name, weights.identity,
                                    str(weights.path) if weights.path else None, image_size,
                                    seed)
    except ValueError as problem:
        streamlit.error(str(problem), icon=":material/error:")
        return None


NO_AUGMENTATION = "none"
COURSE_AUGMENTATION = "the course's values"
YOUR_AUGMENTATION = "yours, from lesson 6"
# Lesson 6 keeps its last settings here. Not a widget key: Streamlit forgets a widget's value
# once a page without that widget runs, and lesson 7 is another page.
LESSON_6_SETTINGS = "lesson-6-augmentation-settings"


def choose_augmentation():
    """The augmentation for the training pictures: None, the course's values, or (when the
    learner set some in lesson 6) theirs. Returns engine.augment.AugmentSettings or None."""
    options = {NO_AUGMENTATION: None, COURSE_AUGMENTATION: augment.COURSE_SETTINGS}
    yours = streamlit.session_state.get(LESSON_6_SETTINGS)
    if yours is not None and augment.augmentation_layers(yours) and yours != (
            augment.COURSE_SETTINGS):
        options[YOUR_AUGMENTATION] = yours
    title = streamlit.radio("augment the training pictures", list(options), horizontal=True,
                            key="transfer-augmentation",
                            help="Set your own in lesson 6 (Augmentation); they appear here.")
    return options[title]


def show_augmentation_code(settings) -> None:
    """The Keras 3 layers that augment the training pictures, when there are any."""
    if settings is not None:
        # The rescaling is left out here: engine.transfer.prepare_pictures prepares the
        # pictures for the chosen network after augmenting them, as the course's rescale did.
        streamlit.code(augment.keras3_layers_code(dataclasses.replace(settings, rescale=False)),
                       language="python")
        streamlit.caption("Then each picture is prepared for the network: divided by 255 "
                          "for InceptionV3, as the course's `rescale=1./255`; MobileNet's "
                          "own `preprocess_input` for MobileNet.")
