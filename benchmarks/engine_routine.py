"""One lesson's training routine alone, for comparing two versions of the engine: wall and CPU
seconds of lesson 3's dense network or lesson 4's convnet, with today's default arithmetic given
explicitly (so an older engine, whose defaults differ, trains the same thing).

    cd <checkout> && PYTHONPATH=<checkout> KERAS_CLASSROOM_DATA_DIR=<data dir> \\
        python <this file> dense|convnet SEED

Run it from each checkout in turn (for example the commit before issue 9 in a git worktree,
then today's), a fresh process per run, the two taking turns going first. It prints one line:
`RESULT <lesson> wall <s> cpu <s> accuracy <test accuracy>`. The data are loaded before the
clock starts. Settings: dense, 9 epochs, batch 512, Adam 0.004, the callback off; convnet, 32
filters, 4 epochs, batch 128, Adam 0.002 (BENCHMARKS.md, "Nothing else slower?")."""

import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from engine import datasets  # noqa: E402  (the engine of the checkout on PYTHONPATH)


def settings_and_routine(lesson: str, seed: int):
    if lesson == "dense":
        from engine import fashion_mnist
        return (fashion_mnist.FashionSettings(seed=seed, epochs=9, batch_size=512,
                                              learning_rate=0.004, target_accuracy=None),
                fashion_mnist.train_fashion_mnist)
    from engine import convolutions
    return (convolutions.CnnSettings(seed=seed, filters=32, epochs=4, batch_size=128,
                                     learning_rate=0.002),
            convolutions.train_fashion_cnn)


def test_accuracy(result) -> float:
    """The run's test accuracy, from today's Run or an older engine's result."""
    if hasattr(result, "extras"):
        return result.extras["test_accuracy"]
    return result[-1] if isinstance(result, tuple) else result.test_accuracy


def main() -> None:
    lesson, seed = sys.argv[1], int(sys.argv[2])
    data = datasets.load_fashion_mnist()
    settings, train = settings_and_routine(lesson, seed)
    started, cpu = time.perf_counter(), time.process_time()
    result = train(data, settings)
    print(f"RESULT {lesson} wall {time.perf_counter() - started:.2f} "
          f"cpu {time.process_time() - cpu:.2f} accuracy {test_accuracy(result)}")


if __name__ == "__main__":
    main()
