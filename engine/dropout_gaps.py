"""Lesson 7's verdict on the dropout pair: each classifier's final gap between training and
validation accuracy, and one plain sentence saying which gap is larger and, when dropout did
not narrow it, why. The page prints it from the run's own history; benchmarks/dropout_gap.py
uses the same functions to choose the lesson's default.

Pure functions: histories in ({classifier: {"accuracy": [...], "val_accuracy": [...]}}, as
engine.dropout_pair.histories gives), numbers and sentences out.
"""

import dataclasses

from engine import dropout_pair
from engine import question_kinds

# Two gaps closer than this (accuracy as a fraction: 2 points) are "about the same": 4 of
# cats-vs-dogs' 200 validation pictures, 5 of horses-or-humans' 256. The lesson's question
# "which classifier shows the larger gap?" (lessons/questions/transfer-learning.toml) uses the
# same tolerance, so the page and the question never disagree.
SAME_GAP = 0.02
# Below this gap (3 points) a classifier does nearly as well on the validation pictures as on
# its training pictures: there is hardly any overfitting for dropout to remove.
SMALL_GAP = 0.03


@dataclasses.dataclass(frozen=True)
class FinalGap:
    """One classifier after its last epoch; accuracies are fractions (0..1)."""

    training_accuracy: float  # as Keras' history has it: averaged over the last epoch's
    # batches, with dropout active in the classifier that has it
    validation_accuracy: float

    @property
    def gap(self) -> float:
        """Training minus validation accuracy: how much better it does on pictures it has
        seen. Large is overfitting."""
        return self.training_accuracy - self.validation_accuracy


def final_gaps(histories: dict) -> dict:
    """{classifier: FinalGap} after each classifier's last epoch. Raises KeyError when a
    history lacks "accuracy" or "val_accuracy", IndexError when it has no epoch."""
    return {name: FinalGap(history["accuracy"][-1], history["val_accuracy"][-1])
            for name, history in histories.items()}


def narrowing(histories: dict) -> float:
    """The gap without dropout minus the gap with it (positive: dropout narrowed the gap),
    from the pair's histories (keys dropout_pair.WITHOUT_DROPOUT and WITH_DROPOUT)."""
    without, with_dropout = (question_kinds.final_gap(histories[name]) for name in (
        dropout_pair.WITHOUT_DROPOUT, dropout_pair.WITH_DROPOUT))
    return without - with_dropout


def dropout_narrows_the_gap(histories: dict) -> bool:
    """True when the gap without dropout is larger by at least SAME_GAP: the course's effect,
    clear of the noise of one seed."""
    return narrowing(histories) >= SAME_GAP


def points(fraction: float) -> str:
    """0.0525 -> '5.3 points' (accuracy points: hundredths)."""
    return f"{100 * fraction:.1f} points"


def verdict(histories: dict, dropout_rate: float) -> str:
    """Plain sentences on the pair's final gaps: the first says which classifier has the
    larger gap; when dropout did not narrow it by SAME_GAP or more, a second says so and why."""
    gaps = final_gaps(histories)
    without = gaps[dropout_pair.WITHOUT_DROPOUT].gap
    with_dropout = gaps[dropout_pair.WITH_DROPOUT].gap
    both = f"{points(without)} without dropout, {points(with_dropout)} with Dropout({dropout_rate})"
    if dropout_narrows_the_gap(histories):
        return (f"The classifier without dropout has the larger gap ({both}): dropout "
                f"narrowed it by {points(without - with_dropout)}, so the classifier with "
                "dropout learned its training pictures less by heart.")
    if without - with_dropout > -SAME_GAP:
        which = (f"The two gaps are about the same ({both}, less than {points(SAME_GAP)} "
                 "apart).")
    else:
        which = f"The classifier with dropout has the larger gap ({both})."
    if max(without, with_dropout) < SMALL_GAP:
        why = ("Dropout did not narrow the gap here because there is hardly any overfitting "
               "to remove: the frozen network's features already separate these classes so "
               "easily that both classifiers do nearly as well on the validation pictures as "
               "on their training pictures.")
    else:
        why = (f"Dropout({dropout_rate}) did not narrow the gap in this run: the seed "
               "(starting weights and the order of batches) moves the gaps too, so try "
               "another seed or a higher dropout rate.")
    return f"{which} {why}"
