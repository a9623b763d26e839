"""What a run weighs in the server's store of runs (ui/shared_caches.py): the store's size limit
is only as good as this measure."""

import keras
import numpy

from engine import run_cache
from ui import shared_caches


def test_a_run_weighs_its_models_weights_and_optimizer_state_and_arrays():
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    model.compile(optimizer="rmsprop", loss="mse")
    model.fit(numpy.zeros((4, 3)), numpy.zeros((4, 2)), epochs=1, verbose=0)
    run = run_cache.Run(model={"a": model}, history={}, extras={},
                        arrays={"x": numpy.zeros(10, numpy.float64)}, settings={}, key="k",
                        from_cache=True)
    weights = (3 * 2 + 2) * 4  # float32 kernel and bias
    optimizer = sum(int(numpy.prod(variable.shape)) * numpy.dtype(variable.dtype).itemsize
                    for variable in model.optimizer.variables)
    assert optimizer >= weights  # RMSprop keeps a velocity per weight
    assert shared_caches.run_bytes(run) == weights + optimizer + 80
