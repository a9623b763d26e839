"""Lesson 7's verdict on the dropout pair (engine/dropout_gaps.py), on crafted histories: the
sentence names the classifier with the larger gap, with the gaps the histories give, and says
when dropout did not narrow the gap and why."""

import pytest

from engine import dropout_gaps
from engine import dropout_pair
from engine import questions


def pair(without: tuple, with_dropout: tuple) -> dict:
    """Histories of three epochs ending at (training accuracy, validation accuracy)."""
    def history(final):
        training, validation = final
        return {"accuracy": [0.5, 0.7, training], "val_accuracy": [0.5, 0.6, validation],
                "loss": [0.7, 0.5, 0.1], "val_loss": [0.7, 0.6, 0.4]}
    return {dropout_pair.WITHOUT_DROPOUT: history(without),
            dropout_pair.WITH_DROPOUT: history(with_dropout)}


def test_final_gaps_come_from_the_last_epoch():
    gaps = dropout_gaps.final_gaps(pair((1.0, 0.85), (0.96, 0.88)))
    assert gaps[dropout_pair.WITHOUT_DROPOUT].training_accuracy == 1.0
    assert gaps[dropout_pair.WITHOUT_DROPOUT].gap == pytest.approx(0.15)
    assert gaps[dropout_pair.WITH_DROPOUT].gap == pytest.approx(0.08)
    assert dropout_gaps.narrowing(pair((1.0, 0.85), (0.96, 0.88))) == pytest.approx(0.07)


# (final accuracies without dropout, with it, the dropout rate, how the sentence starts,
#  what it must say, what it must not say)
VERDICTS = [
    pytest.param((1.0, 0.85), (0.96, 0.88), 0.2,
                 "The classifier without dropout has the larger gap",
                 ["15.0 points without dropout, 8.0 points with Dropout(0.2)",
                  "Dropout narrowed it by 7.0 points"],
                 ["did not narrow"],
                 id="when_dropout_narrows_the_gap_the_sentence_says_so_with_both_gaps"),
    # Horses or humans with MobileNet's features: both near perfect on both sets.
    pytest.param((1.0, 0.9961), (1.0, 0.9922), 0.2, "The two gaps are about the same",
                 ["0.4 points without dropout, 0.8 points with Dropout(0.2)",
                  "Dropout did not narrow the gap here because neither classifier overfits",
                  "features already separate these classes so easily"],
                 [], id="easy_features_the_gaps_are_about_the_same_and_the_sentence_says_why"),
    pytest.param((1.0, 0.90), (1.0, 0.86), 0.5, "The classifier with dropout has the larger gap",
                 ["10.0 points without dropout, 14.0 points with Dropout(0.5)",
                  "Dropout(0.5) did not narrow the gap here: both classifiers got"],
                 ["so easily"],
                 id="a_larger_gap_with_dropout_is_named_and_not_blamed_on_easy_features"),
    pytest.param((1.0, 0.895), (1.0, 0.895), 0.2, "The two gaps are about the same (10.5 points",
                 ["both classifiers got their training pictures right (1.000 and 1.000)"],
                 ["so easily"],
                 id="overfitting_alike_on_both_sides_is_about_the_same_but_not_easy"),
    pytest.param((0.95, 0.90), (0.95, 0.90 + dropout_gaps.SAME_GAP / 2), 0.2,
                 "The two gaps are about the same", ["did not narrow the gap in this run"], [],
                 id="just_under_the_tolerance_is_about_the_same"),
    # After one epoch: training accuracy (averaged while it learned) under validation's.
    pytest.param((0.742, 0.775), (0.706, 0.825), 0.2,
                 "The classifier without dropout has the larger gap "
                 "(-3.3 points without dropout, -11.9 points with Dropout(0.2))",
                 ["neither classifier overfits yet"], ["narrowed it", "so easily"],
                 id="no_overfitting_yet_is_not_called_narrowing"),
]


@pytest.mark.parametrize("without, with_dropout, rate, start, said, not_said", VERDICTS)
def test_the_verdict_names_the_larger_gap_and_says_why(without, with_dropout, rate, start,
                                                       said, not_said):
    sentence = dropout_gaps.verdict(pair(without, with_dropout), rate)
    assert sentence.startswith(start)
    for words in said:
        assert words in sentence
    for words in not_said:
        assert words not in sentence


def test_the_page_and_the_larger_gap_question_share_one_tolerance():
    """The question "which classifier shows the larger gap?" calls gaps closer than its
    tolerance "about the same"; the page's sentence must draw the line at the same place."""
    question, = [question for question in questions.load_lesson("transfer-learning")
                 if question.id == "larger-gap"]
    assert dict(question.options)["tolerance"] == dropout_gaps.SAME_GAP
