"""Which folders of a dataset are splits (training, validation, test) and which are classes.

One set of rules for a learner's zip (engine.uploads) and for a folder on the learner's own
computer (engine.image_folders), so both read the same layout the same way. The rules, all
case-insensitive, with spaces and hyphens read as underscores:

- wrapper folders around everything (`pets/cats/...`) are looked through;
- train, training, training_set are the training split; validation, valid, val the
  validation split; test, testing, test_set the test split;
- test pictures validate when there is no validation folder (and the layout says so);
- a split may hold its own name once more (Kaggle's `training_set/training_set/cats/...`);
- top folders that look like splits but are not named as one (`dev/`, `Train data 2/`)
  are refused with a sentence, rather than learned as classes: a model that learns which
  split a picture came from learns nothing about the pictures.
"""

import dataclasses
import re

SPLIT_NAMES = {"train": "train", "training": "train", "training_set": "train",
               "validation": "validation", "valid": "validation", "val": "validation",
               "test": "test", "testing": "test", "test_set": "test"}
KNOWN_NAMES = ("train, training or training_set for training; validation, valid or val for "
               "validation; test, testing or test_set for testing")
# Words that make a folder name look like a split rather than a class.
SPLIT_WORDS = {"train", "training", "trainset", "valid", "validation", "val", "test",
               "testing", "testset", "dev", "eval", "evaluation", "holdout"}


@dataclasses.dataclass(frozen=True)
class Layout:
    """Where each split's class folders are, as folder names from the top."""

    split_prefixes: dict  # "train" (always), maybe "validation", "test" -> tuple of names
    validation_split: str | None  # the split that validates: "validation", "test" or None
    notes: tuple  # sentences for the learner about how the folders were read


def split_of(folder_name: str) -> str | None:
    """The split a folder name means ("train", "validation", "test"), or None."""
    return SPLIT_NAMES.get(re.sub(r"[\s\-]+", "_", folder_name.strip().lower()))


def looks_like_split(folder_name: str) -> bool:
    words = set(re.split(r"[^a-z]+", folder_name.lower()))
    return bool(words & SPLIT_WORDS)


def find_layout(file_parts) -> Layout:
    """Read the layout from the paths of the picture files, each a tuple of names from the
    top (`("train", "cats", "cat1.jpg")`). Raises ValueError with a sentence when folders
    look like splits but cannot be read as such, or when there is no training split."""
    all_parts = [tuple(parts) for parts in file_parts]
    depth = _wrapper_depth(all_parts)
    wrapper = all_parts[0][:depth] if all_parts else ()
    top_folders = sorted({parts[depth] for parts in all_parts if len(parts) > depth + 1})
    recognised = [name for name in top_folders if split_of(name)]
    shown = lambda names: " and ".join(f"{'/'.join(wrapper + (name,))}/" for name in names)
    if not recognised:
        lookalikes = [name for name in top_folders if looks_like_split(name)]
        if lookalikes:
            raise ValueError(
                f"The folder{'s' if len(lookalikes) > 1 else ''} {shown(lookalikes)} look"
                f"{'' if len(lookalikes) > 1 else 's'} like a split of the dataset, not a "
                f"class, but the classroom knows splits only by the names {KNOWN_NAMES}; "
                "please rename the split folders (or the class, if it is one).")
        return Layout({"train": wrapper}, None, ())
    others = [name for name in top_folders if not split_of(name)]
    if others:
        raise ValueError(
            f"Beside the split folders {shown(recognised)} the folders {shown(others)} are "
            f"not splits ({KNOWN_NAMES}); please move their class folders into a split, so "
            "that no split is taken for a class.")
    names_by_split = {}
    for name in recognised:
        names_by_split.setdefault(split_of(name), []).append(name)
    for split, names in names_by_split.items():
        if len(names) > 1:
            raise ValueError(f"The folders {shown(names)} all name the {split} split; please "
                             "keep one of them, with every class folder inside it.")
    if "train" not in names_by_split:
        raise ValueError(f"There are {shown(recognised)} folders but no train folder (or "
                         "training, training_set) for the pictures to learn from.")
    prefixes = {split: _through_doubled(all_parts, wrapper + (names[0],))
                for split, names in names_by_split.items()}
    notes = []
    folder_of = {split: "/".join(prefix) + "/" for split, prefix in prefixes.items()}
    if "validation" in prefixes:
        validation_split = "validation"
        if "test" in prefixes:
            notes.append(f"The pictures in {folder_of['test']} are left out: those in "
                         f"{folder_of['validation']} validate the model.")
    elif "test" in prefixes:
        validation_split = "test"
        notes.append(f"There is no validation folder, so the pictures in {folder_of['test']} "
                     "validate the model.")
    else:
        validation_split = None
    return Layout(prefixes, validation_split, tuple(notes))


def _wrapper_depth(all_parts) -> int:
    """How many folders wrap everything (compressing a folder wraps its contents in it):
    never a split folder, and never so deep that the pictures would come loose."""
    depth = 0
    while (
        all_parts
        and all(len(parts) > depth + 1 for parts in all_parts)
        and len({parts[depth] for parts in all_parts}) == 1
        and not split_of(all_parts[0][depth])
        and any(len(parts) > depth + 2 for parts in all_parts)
    ):
        depth += 1
    return depth


def _through_doubled(all_parts, prefix: tuple) -> tuple:
    """The split's prefix, extended through a folder of the same split that alone fills it
    (`training_set/training_set/`), as long as class folders still follow."""
    split = split_of(prefix[-1])
    while True:
        inside = [parts[len(prefix):] for parts in all_parts if parts[:len(prefix)] == prefix]
        names = {rest[0] for rest in inside if len(rest) > 1}
        if (len(names) == 1 and all(len(rest) > 2 for rest in inside)
                and split_of(next(iter(names))) == split):
            prefix = prefix + (next(iter(names)),)
        else:
            return prefix
