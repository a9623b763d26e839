"""ui/shared_caches.ResultStore.get_or_load: what a class opening one lesson at once relies
on."""

import threading
import time

from ui import shared_caches


def test_sessions_asking_at_once_load_once_and_share_the_result():
    store, calls, results = shared_caches.ResultStore(10), [], []
    start = threading.Barrier(8)

    def load():
        calls.append(1)
        time.sleep(0.3)  # a model read from disk: the others arrive while it loads
        return object()

    def session():
        start.wait()
        results.append(store.get_or_load("run", load))

    threads = [threading.Thread(target=session) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(calls) == 1
    assert len(results) == 8 and all(result is results[0] for result in results)


def test_nothing_to_load_is_not_kept():
    store = shared_caches.ResultStore(10)
    assert store.get_or_load("run", lambda: None) is None
    assert store.keys() == []
    trained = object()
    assert store.get_or_load("run", lambda: trained) is trained
    assert store.get_or_load("run", lambda: None) is trained


def test_a_result_heavier_than_the_store_is_returned_not_kept():
    store = shared_caches.ResultStore(10, weigh=len)
    heavy = "x" * 11
    assert store.get_or_load("run", lambda: heavy) is heavy
    assert store.keys() == []
