"""The one place where engine results meet Streamlit's caches.

`st.cache_resource` objects are shared by every session in the server process: a result
computed for one learner is reused by the next. Treat everything returned here as read-only.
"""

import collections
import threading

import streamlit


class ResultStore:
    """A small thread-safe least-recently-used map from settings to finished results."""

    def __init__(self, capacity: int = 256):
        self.capacity = capacity
        self.results = collections.OrderedDict()
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            if key not in self.results:
                return None
            self.results.move_to_end(key)
            return self.results[key]

    def put(self, key, result):
        with self.lock:
            self.results[key] = result
            self.results.move_to_end(key)
            while len(self.results) > self.capacity:
                self.results.popitem(last=False)


@streamlit.cache_resource
def result_store() -> ResultStore:
    return ResultStore()
