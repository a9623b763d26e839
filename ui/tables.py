"""Tables as every page draws them: `st.dataframe` of rows, each distinct table turned into
Arrow once for the whole server.

Streamlit turns a list of rows into a pandas DataFrame and then into Arrow on every view: 10%
of the server's CPU under 30 learners on lessons 4 and 5 (py-spy), for tables that are the same
for everyone on the same run. An Arrow table handed to `st.dataframe` is only serialised."""

import threading

import cachetools
import pandas
import pyarrow
import streamlit as st

from engine import charts

# Small tables (a model's layers, a dataset's folders, a run's figures): a few KiB each.
KEPT_TABLES = cachetools.LRUCache(maxsize=256)


@cachetools.cached(KEPT_TABLES, key=charts.content_key, lock=threading.Lock())
def arrow_table(rows) -> pyarrow.Table:
    """`rows` (a list of dicts, one per row, or a dict of columns) as the Arrow table
    Streamlit would make of it, without pandas' index. Pages must not change `rows` later
    (their content is the key)."""
    return pyarrow.Table.from_pandas(pandas.DataFrame(rows), preserve_index=False)


def show(rows, **options):
    """`st.dataframe(rows, **options)` through the server's kept Arrow tables."""
    try:
        table = arrow_table(rows)
    except (TypeError, pyarrow.ArrowException):  # a value that cannot be a key (a set, say),
        table = rows  # or a column of mixed types: Streamlit's own conversion handles those
    return st.dataframe(table, **options)
