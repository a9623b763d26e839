"""Settings `streamlit run` reads from .streamlit/config.toml, read back through Streamlit's
own config loader, as the server started from the repository root reads them."""

import pathlib
import subprocess
import sys

REPOSITORY = pathlib.Path(__file__).resolve().parents[1]


def streamlit_option(name: str) -> str:
    return subprocess.run(
        [sys.executable, "-c", f"from streamlit import config; print(config.get_option({name!r}))"],
        cwd=REPOSITORY, capture_output=True, text=True, check=True).stdout.strip()


def test_no_full_garbage_collection_after_every_page_view():
    """Streamlit's gc.collect() after each script run took 29% of the server's CPU under load
    (BENCHMARKS.md, "A class on one server")."""
    assert streamlit_option("runner.postScriptGC") == "False"
