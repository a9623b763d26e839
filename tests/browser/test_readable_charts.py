"""Charts read from the back of a room, measured on a real 1280 x 720 screen (a projector's),
as the page draws them and in projector mode: lesson 3's picture of numbers (every number in
its own cell, the colour bar as tall as the picture) and lesson 6's augmentation preview
(every picture at least 150 screen pixels a side). Screenshots: readable-<page>-<mode>.png."""

import importlib.util

import pytest

from tests.browser.test_pages import assert_no_exception, wait_for_app_idle

pytestmark = [pytest.mark.browser]
if importlib.util.find_spec("pytest_timeout") is not None:
    pytestmark.append(pytest.mark.timeout(300))

PROJECTOR = {"width": 1280, "height": 720}
MODES = {"page": "", "projector": "?projector=true"}

# Screen boxes of what Plotly drew in the chart with this Streamlit key: the picture
# (heatmaps and pictures are embedded images), the colour bar's fill, every number written.
BOXES = """key => {
    const chart = document.querySelector(`.st-key-${key} .js-plotly-plot`);
    const box = element => {
        const r = element.getBoundingClientRect();
        return {left: r.left, right: r.right, top: r.top, bottom: r.bottom,
                width: r.width, height: r.height};
    };
    return {
        chart: box(chart),
        pictures: Array.from(chart.querySelectorAll(".heatmaplayer image, .imagelayer image"))
                       .map(box),
        colourBar: Array.from(chart.querySelectorAll(".colorbar .cbfills")).map(box),
        numbers: Array.from(chart.querySelectorAll(".heatmaplayer text"))
                      .filter(text => text.textContent.trim() !== "").map(box),
        mainRight: document.querySelector('[data-testid="stMainBlockContainer"]')
                           .getBoundingClientRect().right,
    };
}"""


def overlapping(boxes: list) -> int:
    """How many pairs of boxes on the same line touch or overlap (a row of numbers)."""
    rows = {}
    for box in boxes:
        rows.setdefault(round(box["top"]), []).append(box)
    return sum(1 for row in rows.values()
               for left, right in zip(sorted(row, key=lambda box: box["left"]),
                                      sorted(row, key=lambda box: box["left"])[1:])
               if left["right"] >= right["left"])


def chart_boxes(page, url: str, key: str) -> dict:
    page.goto(url)
    wait_for_app_idle(page)
    page.locator(f".st-key-{key} .js-plotly-plot").wait_for(timeout=60_000)
    assert_no_exception(page)
    page.locator(f".st-key-{key}").scroll_into_view_if_needed()
    return page.evaluate(BOXES, key)


@pytest.mark.parametrize("mode", MODES)
def test_numbers_and_augmented_pictures_are_large_enough_on_a_projector(
        chromium_browser, streamlit_server, screenshot_dir, mode):
    context = chromium_browser.new_context(viewport=PROJECTOR)
    page = context.new_page()
    try:
        heatmap = chart_boxes(page, f"{streamlit_server}/fashion-mnist{MODES[mode]}",
                              "pixel-heatmap")
        page.screenshot(path=str(screenshot_dir / f"readable-fashion-mnist-{mode}.png"))
        picture, = heatmap["pictures"]
        assert picture["width"] >= 28 * 22 and abs(picture["width"] - picture["height"]) <= 2
        bar, = heatmap["colourBar"]
        assert abs(bar["height"] - picture["height"]) <= 3, (bar, picture)
        assert len(heatmap["numbers"]) == 28 * 28
        assert overlapping(heatmap["numbers"]) == 0
        assert heatmap["chart"]["right"] <= heatmap["mainRight"] + 1

        preview = chart_boxes(page, f"{streamlit_server}/augmentation{MODES[mode]}",
                              "augment-preview")
        page.screenshot(path=str(screenshot_dir / f"readable-augmentation-{mode}.png"))
        assert len(preview["pictures"]) == 9
        assert all(min(box["width"], box["height"]) >= 150 for box in preview["pictures"]), (
            preview["pictures"])
        assert preview["chart"]["right"] <= preview["mainRight"] + 1
    finally:
        context.close()
