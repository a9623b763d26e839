"""Questions whose answer comes from the learner's own run ("computed" questions).

A lesson's question file (lessons/questions/<lesson>.toml) names a kind, for example
`computed = "best_epoch"`, and gives a text for each of the kind's *roles*. From the facts of
the run on the page (engine/run_facts.py) the kind picks the choices, exactly one of them
right, each with a role and the values its text may use, e.g. {epoch} or {best_value:.3f}.

    choices = KINDS["best_epoch"].choose({"history": {"val_accuracy": [0.8, 0.85, 0.84]}},
                                         {"metric": "val_accuracy", "mode": "highest"})
    # epoch 2 is right (role "right"), epochs 1 and 3 wrong (role "wrong")

Every function here is pure: facts in, choices out, no Keras and no widgets.
"""

import dataclasses
import typing

MOST_CHOICES = 4  # a question a learner reads at a glance


@dataclasses.dataclass(frozen=True)
class Choice:
    """One choice of a computed question: which text of the question file explains it
    (`role`), the values that text may use, and whether it is the right answer."""

    role: str
    values: dict
    correct: bool = False


@dataclasses.dataclass(frozen=True)
class Kind:
    """A kind of computed question.

    facts: the facts of the run it reads (names of engine/run_facts.py's facts).
    roles: every role its choices may have; the question file must give a text for each.
    values: every value name its choices' texts may use.
    shared: the values that are the same for every choice, which the question may use too.
    options: option name -> the values the question file may give it.
    choose: (facts, options) -> list of Choice, or None when this run cannot answer it
        (say, a run of one epoch has no epoch at which accuracy "stopped rising").
    """

    facts: tuple
    roles: tuple
    values: tuple
    shared: tuple
    options: dict
    choose: typing.Callable


def epochs_to_offer(best: int, epoch_count: int) -> list:
    """Up to MOST_CHOICES epochs (counted from 1), `best` among them: every epoch of a short
    run, else the first, the last and the middle one, which differ enough to read off a chart."""
    if epoch_count <= MOST_CHOICES:
        return list(range(1, epoch_count + 1))
    offered = [best]
    for epoch in (1, epoch_count, (1 + epoch_count) // 2, best - 1 if best > 1 else best + 1):
        if epoch not in offered and len(offered) < MOST_CHOICES:
            offered.append(epoch)
    return sorted(offered)


def best_epoch(facts: dict, options: dict):
    """Which epoch had the highest (or lowest) value of one metric, e.g. 'val_accuracy':
    the epoch at which it stopped rising, since no later epoch beat it. The first such
    epoch when two are equal. Epochs are counted from 1, as the charts do."""
    values = list(facts["history"].get(options["metric"], []))
    if len(values) < 2:
        return None
    pick = max if options["mode"] == "highest" else min
    best_value = pick(values)
    best = values.index(best_value) + 1
    shared = {"best_epoch": best, "best_value": best_value, "epochs": len(values),
              "epochs_after": len(values) - best}
    # A best at the last epoch is a run still improving when it ended: a text of its own.
    right_role = "right_at_end" if best == len(values) else "right"
    return [Choice(right_role if epoch == best else "wrong",
                   {**shared, "epoch": epoch, "value": values[epoch - 1]}, epoch == best)
            for epoch in epochs_to_offer(best, len(values))]


def final_gap(history: dict) -> float:
    """Training accuracy minus validation accuracy after the last epoch: how much better the
    model does on pictures it has seen. Large is overfitting."""
    return history["accuracy"][-1] - history["val_accuracy"][-1]


def larger_gap(facts: dict, options: dict):
    """Which of two or more runs ends with the larger gap between training and validation
    accuracy, or "about the same" when the two largest gaps are closer than
    options["tolerance"] (accuracy as a fraction, e.g. 0.02 for two points)."""
    histories = facts["histories"]
    if len(histories) < 2:
        return None
    gaps = {name: final_gap(history) for name, history in histories.items()}
    ranked = sorted(gaps, key=gaps.get, reverse=True)
    difference = gaps[ranked[0]] - gaps[ranked[1]]
    same = difference < options["tolerance"]
    shared = {"gaps": ", ".join(f"{name} {gap:.3f}" for name, gap in gaps.items()),
              "larger": ranked[0], "difference": difference, "tolerance": options["tolerance"]}
    choices = [Choice("right" if name == ranked[0] and not same else "wrong",
                      {**shared, "name": name, "gap": gap}, name == ranked[0] and not same)
               for name, gap in gaps.items()]
    return choices + [Choice("same_right" if same else "same_wrong",
                             {**shared, "name": "", "gap": difference}, same)]


def feature_map_sizes(picture_size: int, blocks: int) -> list:
    """The width (= height) of the picture after each layer of `blocks` course blocks of
    Conv2D((3, 3)) (one pixel lost on every side) then MaxPooling2D(2, 2) (halved, rounded
    down), the input first: 28, 2 blocks -> [28, 26, 13, 11, 5]."""
    sizes = [picture_size]
    for _ in range(blocks):
        sizes.append(sizes[-1] - 2)
        sizes.append(sizes[-1] // 2)
    return sizes


def feature_map_size(facts: dict, options: dict):
    """The size of each feature map that reaches Flatten, after the run's convolution and
    pooling blocks; the wrong choices are the usual slips (the input size, forgetting the last
    pooling, forgetting that a 3x3 convolution loses the border)."""
    blocks = facts["conv_blocks"]
    sizes = feature_map_sizes(options["picture_size"], blocks)
    candidates = [("right", sizes[-1]), ("before_pool", sizes[-2]),
                  ("input", sizes[0]), ("halved_only", sizes[0] // 2 ** blocks)]
    shared = {"blocks": blocks, "steps": " → ".join(map(str, sizes)), "answer_size": sizes[-1]}
    choices, seen = [], set()
    for role, size in candidates:
        if size not in seen:
            seen.add(size)
            choices.append(Choice(role, {**shared, "size": size}, role == "right"))
    return sorted(choices, key=lambda choice: -choice.values["size"])


def gradient_steps(facts: dict, options: dict):
    """How many times a full-batch run changed its weights: once per epoch, whatever the
    number of examples (they all fit in one batch). Wrong choices: once per example per epoch,
    once per example, once."""
    epochs, examples = facts["epochs_done"], facts["example_count"]
    if epochs < 2 or examples < 2:
        return None  # the choices would collapse into one or two ("1 times")
    candidates = [("right", epochs), ("per_example", epochs * examples),
                  ("examples", examples), ("once", 1)]
    shared = {"epochs": epochs, "examples": examples}
    choices, seen = [], set()
    for role, steps in candidates:
        if steps not in seen:
            seen.add(steps)
            choices.append(Choice(role, {**shared, "steps": steps}, role == "right"))
    return sorted(choices, key=lambda choice: choice.values["steps"])


def folder_label(facts: dict, options: dict):
    """Which label number the last class folder got: folders become labels in alphabetical
    order, counted from 0. A wrong choice says the label is the folder's name itself."""
    class_names = list(facts["class_names"])
    if len(class_names) < 2:
        return None
    label = len(class_names) - 1
    # Room for the word choice: at most MOST_CHOICES - 1 numbers, the right one among them.
    numbers = (list(range(len(class_names))) if len(class_names) < MOST_CHOICES
               else [0, 1, label])
    shared = {"folder": class_names[label], "label": label,
              "labels": ", ".join(f"{index} = {name}" for index, name in enumerate(class_names))}
    choices = [Choice("right" if number == label else "wrong_number",
                      {**shared, "number": number}, number == label)
               for number in numbers]
    return choices + [Choice("word", {**shared, "number": class_names[label]})]


KINDS = {
    "best_epoch": Kind(("history",), ("right", "right_at_end", "wrong"),
                       ("epoch", "value", "best_epoch", "best_value", "epochs", "epochs_after"),
                       ("epochs",),
                       {"metric": ("val_accuracy", "val_loss", "accuracy", "loss"),
                        "mode": ("highest", "lowest")}, best_epoch),
    "larger_gap": Kind(("histories",), ("right", "wrong", "same_right", "same_wrong"),
                       ("name", "gap", "gaps", "larger", "difference", "tolerance"),
                       ("tolerance",), {"tolerance": (0.01, 0.02, 0.03, 0.05)}, larger_gap),
    "feature_map_size": Kind(("conv_blocks",), ("right", "before_pool", "input", "halved_only"),
                             ("size", "blocks", "steps", "answer_size"), ("blocks",),
                             {"picture_size": (28,)}, feature_map_size),
    "gradient_steps": Kind(("epochs_done", "example_count"),
                           ("right", "per_example", "examples", "once"),
                           ("steps", "epochs", "examples"), ("epochs", "examples"), {},
                           gradient_steps),
    "folder_label": Kind(("class_names",), ("right", "wrong_number", "word"),
                         ("number", "folder", "label", "labels"), ("folder", "labels"), {},
                         folder_label),
}
