"""A file from outside never runs code on the server: a stored model that holds code (a Lambda
layer's) is refused by Keras' safe mode, and an uploaded weights file is read as weights only,
whatever else it holds."""

import keras
import pytest

from engine import run_cache
from engine import weights_files


def model_with_code(flag):
    """A model whose Lambda layer touches `flag` whenever it runs: marshalled Python code in
    the saved file, which only an unsafe load would bring back to life."""
    touch = eval(f"lambda x: (__import__('pathlib').Path({str(flag)!r}).touch(), x)[1]")
    model = keras.Sequential([keras.Input((2,)), keras.layers.Lambda(touch),
                              keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    flag.unlink()  # building the model ran it once, here
    return model


def test_a_stored_model_with_code_is_refused_and_its_code_never_runs(empty_data_dir, tmp_path):
    flag = tmp_path / "ran"
    key = run_cache.save_run("safe-mode-test", {"seed": 1}, 1,
                             run_cache.RunResult(model_with_code(flag), {"loss": [1.0]}))
    assert run_cache.run_folder("safe-mode-test", key).is_dir()
    assert run_cache.load_run("safe-mode-test", key) is None  # unreadable: safe mode refused
    assert not flag.exists()
    assert not run_cache.run_folder("safe-mode-test", key).exists()  # forgotten, to retrain


def test_an_uploaded_model_with_code_is_read_as_weights_only_and_refused(empty_data_dir,
                                                                      tmp_path):
    flag = tmp_path / "ran"
    saved = tmp_path / "model.h5"
    model_with_code(flag).save(saved)  # Keras 2's whole-model HDF5, config and all
    with pytest.raises(ValueError, match="This file holds weights for a different network"):
        weights_files.resolve_weights("MobileNet 0.25", saved.read_bytes())
    assert not flag.exists()
    assert not list((empty_data_dir / "uploads" / "weights").glob("*.h5"))

