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
# Both classifiers at least this accurate on the validation pictures, with small gaps: the
# features are easy to separate (horses-or-humans with MobileNet's: 0.98 to 0.996).
EASY_ACCURACY = 0.95
# Final training accuracy at or above this on both sides: both learned their training
# pictures by heart, dropout or not (cats-vs-dogs' 500 pictures with MobileNet's features).
LEARNED_BY_HEART = 0.99


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


def points(fraction: float) -> str:
    """0.0525 -> '5.3 points' (accuracy points: hundredths)."""
    return f"{100 * fraction:.1f} points"


def verdict(histories: dict, dropout_rate: float) -> str:
    """Plain sentences on the pair's final gaps: the first says which classifier has the
    larger gap (or that they are within SAME_GAP); the second whether dropout narrowed it,
    and when it did not, why."""
    gaps = final_gaps(histories)
    without = gaps[dropout_pair.WITHOUT_DROPOUT].gap
    with_dropout = gaps[dropout_pair.WITH_DROPOUT].gap
    both = f"{points(without)} without dropout, {points(with_dropout)} with Dropout({dropout_rate})"
    if without - with_dropout >= SAME_GAP:
        which = f"The classifier without dropout has the larger gap ({both})."
    elif with_dropout - without >= SAME_GAP:
        which = f"The classifier with dropout has the larger gap ({both})."
    else:
        which = f"The two gaps are about the same ({both}, less than {points(SAME_GAP)} apart)."
    return f"{which} {why(gaps, dropout_rate)}"


def why(gaps: dict, dropout_rate: float) -> str:
    """The second sentence of verdict: what dropout did to the gap, and why."""
    without = gaps[dropout_pair.WITHOUT_DROPOUT].gap
    with_dropout = gaps[dropout_pair.WITH_DROPOUT].gap
    if max(without, with_dropout) < SMALL_GAP:
        if min(gap.validation_accuracy for gap in gaps.values()) >= EASY_ACCURACY:
            return ("Dropout did not narrow the gap here because neither classifier overfits: "
                    "the frozen network's features already separate these classes so easily "
                    "that both do as well on the validation pictures as on their training "
                    "pictures, so there is nothing for dropout to remove.")
        return ("Dropout did not narrow the gap here because neither classifier overfits yet "
                f"(both gaps under {points(SMALL_GAP)}): neither has learned its training "
                "pictures by heart; more epochs will show whether one does.")
    if without - with_dropout >= SAME_GAP:
        return (f"Dropout narrowed it by {points(without - with_dropout)}: the classifier "
                "with dropout learned its training pictures less by heart.")
    training = [gap.training_accuracy for gap in gaps.values()]
    if min(training) >= LEARNED_BY_HEART:
        return (f"Dropout({dropout_rate}) did not narrow the gap here: both classifiers got "
                f"their training pictures right ({training[0]:.3f} and {training[1]:.3f}), "
                "dropout only slowed that down, so the gaps differ by the validation pictures "
                "each gets right, which moved by up to 2.5 points from one seed to the next "
                "when measured on cats-vs-dogs.")
    return (f"Dropout({dropout_rate}) did not narrow the gap in this run; the seed (starting "
            "weights, order of batches) moved the gaps by up to 2.5 points when measured on "
            "cats-vs-dogs, so try another seed.")
