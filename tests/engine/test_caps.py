"""Every training budget and every upload has a cap, the server enforces it however the
settings arrive, and the refusal says what the cap is (engine/caps.py)."""

import dataclasses
import pathlib
import tomllib

import pytest

from engine import caps
from engine import convolutions
from engine import dropout_pair
from engine import fashion_mnist
from engine import fine_tuning
from engine import hello_neuron
from engine import job_records
from engine import jobs
from engine import real_world
from engine import rules
from engine import uploads
from engine import weights_files

REPOSITORY = pathlib.Path(__file__).resolve().parents[2]
JOB_MODULES = (rules, hello_neuron, fashion_mnist, convolutions, real_world, dropout_pair,
               fine_tuning)


class RecordingRunner:
    """Stands in for engine/runner.py: records what it was asked to run, runs nothing."""

    def __init__(self):
        self.submitted = []

    def runner_id(self) -> str:
        return "recording"

    def submit(self, function, *arguments, key):
        self.submitted.append(key)


def test_every_kind_of_run_has_caps_and_no_others():
    assert set(caps.CAPS) == {module.RUN_KIND for module in JOB_MODULES}


def test_every_lesson_s_default_run_is_within_its_caps():
    for module in JOB_MODULES:
        if hasattr(module, "default_job"):
            job = module.default_job()
            assert caps.problem(job.kind, job.settings) is None, job.kind


def test_a_job_over_a_cap_is_refused_with_the_cap_and_nothing_is_queued(empty_data_dir):
    runner = RecordingRunner()
    too_long = hello_neuron.job(hello_neuron.HelloNeuronSettings(epochs=2001))
    with pytest.raises(ValueError, match="at most 2,000 epochs per run; choose 2,000 or fewer"):
        jobs.submit(too_long, "a-learner", runner)
    assert runner.submitted == []
    assert job_records.read_status(too_long.kind, too_long.key).state is None
    assert not job_records.queue_folder().exists() or not any(job_records.queue_folder().iterdir())
    at_the_cap = hello_neuron.job(hello_neuron.HelloNeuronSettings(epochs=2000))
    assert jobs.submit(at_the_cap, "a-learner", runner).state == job_records.QUEUED
    assert runner.submitted == [f"{at_the_cap.kind}-{at_the_cap.key}"]


def test_picture_size_views_and_fine_tuning_epochs_are_capped():
    pair = dropout_pair.default_job().settings
    assert "224 pixels a side" in caps.problem(
        dropout_pair.RUN_KIND, dataclasses.replace(pair, image_size=512))
    assert "8 augmented views per picture" in caps.problem(
        dropout_pair.RUN_KIND, dataclasses.replace(pair, views=16))
    tuned = fine_tuning.FineTuneSettings(pair, dropout_pair.WITH_DROPOUT, "mixed6", epochs=6)
    assert "5 fine-tuning epochs" in caps.problem(fine_tuning.RUN_KIND, tuned)
    # Fine-tuning starts from a pair, whose caps hold too.
    big_pair = fine_tuning.FineTuneSettings(dataclasses.replace(pair, image_size=512),
                                            dropout_pair.WITH_DROPOUT, "mixed6", epochs=1)
    assert "224 pixels a side" in caps.problem(fine_tuning.RUN_KIND, big_pair)
    pictures = dataclasses.replace(fashion_mnist.default_job().settings,
                                   training_images=70_000)
    assert "60,000 training pictures" in caps.problem(fashion_mnist.RUN_KIND, pictures)
    assert "300 pixels a side" in caps.problem(real_world.RUN_KIND, real_world.RealWorldSettings(
        image_size=600))


def test_the_page_s_sentence_names_every_cap():
    assert caps.sentence(dropout_pair.RUN_KIND) == (
        "Caps on this server, per run: at most 40 epochs, 224 pixels a side and 8 augmented "
        "views per picture.")
    assert caps.sentence(fine_tuning.RUN_KIND) == (
        "Caps on this server, per run: at most 5 fine-tuning epochs.")


def test_streamlit_s_upload_cap_is_the_one_the_server_checks():
    config = tomllib.loads((REPOSITORY / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] == caps.UPLOAD_MEGABYTES


def test_an_upload_over_the_cap_is_refused_with_the_cap(empty_data_dir):
    over = b"PK" + bytes(caps.UPLOAD_MEGABYTES * 2**20)
    with pytest.raises(ValueError, match=f"more than the {caps.UPLOAD_MEGABYTES} MB this "
                                         "server accepts for one upload"):
        uploads.extract_class_folders(over, empty_data_dir / "uploads")
    assert not (empty_data_dir / "uploads").exists()
    with pytest.raises(ValueError, match=f"The weights file is 100.0 MB, more than the "
                                         f"{caps.UPLOAD_MEGABYTES} MB"):
        weights_files.resolve_weights("MobileNet 0.25", over)
    assert not (empty_data_dir / "models").exists()
