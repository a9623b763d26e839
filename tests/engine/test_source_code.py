import inspect
import threading

from engine import recipes
from engine import source_code


def test_source_is_read_once_per_function_and_is_inspect_s(monkeypatch):
    expected = inspect.getsource(recipes.StopAtAccuracy)
    source_code.source_of.cache_clear()
    reads = []
    original = inspect.getsource
    monkeypatch.setattr(inspect, "getsource", lambda thing: reads.append(thing) or original(thing))
    assert source_code.source_of(recipes.StopAtAccuracy) == expected
    assert source_code.source_of(recipes.StopAtAccuracy) == expected
    assert reads == [recipes.StopAtAccuracy]


def test_a_parse_waits_while_another_holds_the_parser():
    """CPython 3.11's ast.parse can fail when two threads parse at once (gh-106905): a second
    parse must not run until the first is over."""
    done = threading.Event()
    with source_code.PARSING:
        worker = threading.Thread(target=lambda: (source_code.parse("2 * x - 1", "eval"),
                                                  done.set()))
        worker.start()
        worker.join(timeout=0.5)
        assert not done.is_set()
    worker.join(timeout=30)
    assert done.is_set()
