"""A server strangers share, in a real browser: `streamlit run` reads .streamlit/config.toml
(the uploader says Streamlit's own limit, the same as engine/caps.py's), and with
KERAS_CLASSROOM_SHARED_SERVER=1 lesson 5 offers no folder of the server and shows no data
directory, in the sidebar or anywhere. (The home page's share of it is an AppTest.)"""

import importlib.util

import pytest

from engine import caps
from tests.browser import test_pages as pages
from ui import picture_choice

pytestmark = [pytest.mark.browser]
if importlib.util.find_spec("pytest_timeout") is not None:
    pytestmark.append(pytest.mark.timeout(300))


def test_a_shared_server_hides_its_folders_and_caps_uploads(
        browser_page, shared_streamlit_server, classroom_data_dir, screenshot_dir):
    page = browser_page
    page.goto(f"{shared_streamlit_server}/real-world-images")
    pages.wait_for_app_idle(page)
    page.locator('[data-testid="stSelectbox"]').filter(has_text="pictures").first.click()
    options = page.get_by_role("option")
    options.first.wait_for()
    offered = options.all_inner_texts()
    assert picture_choice.OWN in offered and picture_choice.LOCAL not in offered
    page.keyboard.press("Escape")
    pages.choose_option(page, "pictures", "My own pictures")
    zip_uploader = page.locator('[data-testid="stFileUploader"]').filter(
        has_text="a .zip with one folder per class")
    zip_uploader.wait_for(timeout=pages.RUN_TIMEOUT_MS)
    pages.wait_for_app_idle(page)
    pages.assert_no_exception(page)
    # Streamlit's own words for server.maxUploadSize, read from .streamlit/config.toml.
    assert f"{caps.UPLOAD_MEGABYTES}MB per file" in zip_uploader.inner_text()
    shown = page.locator(pages.APP).inner_text()
    assert "A shared server" in shown and str(classroom_data_dir) not in shown  # sidebar too
    pages.full_page_screenshot(page, screenshot_dir / "shared-server-own-pictures.png")
