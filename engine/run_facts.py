"""What the questions of a lesson may know about the learner's run: plain facts (numbers,
names, histories) read from the run(s) the page shows (engine.run_cache.Run).

A lesson's questions name these facts (`needs`, or through a computed kind); a fact that is
missing or None means the question waits for a run that has it.

    facts = for_lesson("fashion-mnist", run)          # {"history": {...}}
    facts = for_lesson("augmentation", {"without": run_a, "with augmentation": run_b})
"""

import math

from engine import dropout_pair
from engine import hello_neuron


def neuron_facts(run) -> dict:
    """Lessons 1 and 2: the neuron's weight and bias (None when training blew up), and how
    many epochs and examples it had."""
    return {"weight": run.extras.get("weight"), "bias": run.extras.get("bias"),
            "epochs_done": len(run.history.get("loss", [])),
            "example_count": len(run.settings.get("xs", []))}


def rules_vs_data(run) -> dict:
    return neuron_facts(run)


def hello_neuron_facts(run) -> dict:
    """Also the prediction for x = 10, and, when the run learned from the course's own xs and
    ys (y = 2x - 1), the same prediction as `course_prediction_for_10` (whose 19 it misses)."""
    course_data = (list(run.settings.get("xs", [])) == hello_neuron.COURSE_XS
                   and list(run.settings.get("ys", [])) == hello_neuron.COURSE_YS)
    prediction = run.extras.get("prediction_for_10")
    # The question explains why a neuron that came close to y = 2x - 1 misses 19 a little;
    # after too few epochs, or a run that blew up, that explanation would be untrue.
    close = prediction is not None and math.isfinite(prediction) and abs(prediction - 19) < 0.5
    return {**neuron_facts(run), "prediction_for_10": prediction,
            "course_prediction_for_10": prediction if course_data and close else None}


def history_facts(run) -> dict:
    """A classifier's history: metric name -> one value per epoch."""
    return {"history": run.history}


def convolutions(run) -> dict:
    return {**history_facts(run), "conv_blocks": run.settings.get("conv_blocks")}


def real_world_images(run) -> dict:
    return {**history_facts(run), "class_names": run.extras.get("class_names")}


def augmentation(runs: dict) -> dict:
    """Both runs' histories (without and with augmentation), once both are there."""
    if any(run is None for run in runs.values()):
        return {}
    return {"histories": {name: run.history for name, run in runs.items()}}


def transfer_learning(run) -> dict:
    """The two classifiers' histories (without and with Dropout), from the pair's run."""
    return {"histories": dropout_pair.histories(run.history)}


FACTS = {
    "rules-vs-data": rules_vs_data,
    "hello-neuron": hello_neuron_facts,
    "fashion-mnist": history_facts,
    "convolutions": convolutions,
    "real-world-images": real_world_images,
    "augmentation": augmentation,
    "transfer-learning": transfer_learning,
}


def for_lesson(url_path: str, runs) -> dict:
    """The facts of the run(s) the page at /<url_path> shows: `runs` is a Run, None (no run
    yet: no facts), or for a page with several, a dictionary name -> Run or None.
    Facts whose value is None are left out."""
    if runs is None or (isinstance(runs, dict) and not any(runs.values())):
        return {}
    facts = FACTS[url_path](runs)
    return {name: value for name, value in facts.items() if value is not None}
