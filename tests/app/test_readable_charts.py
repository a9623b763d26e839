"""Charts sized to be read from the back of a room, checked in the figure each page draws
(the Plotly JSON Streamlit sends the browser): lesson 3's picture of numbers has room for
every "255" and a colour bar as tall as the picture, and lesson 6's preview draws each
augmented picture at least 150 screen pixels a side. The layer viewer's titles are checked
with its lessons' trained runs, in test_tensorboard_and_layer_viewer.py; the sizes on a real
screen, in tests/browser/test_readable_charts.py."""

from tests.app import helpers

# "255" in the page's type: three digits, each half the font size wide (measured in
# Chromium: 17.9 px in 12 px type), and room so that neighbouring numbers do not touch.
DIGITS_WIDTH = 3 * 0.5


def plot_area(figure: dict) -> tuple:
    """(width, height) in screen pixels of the figure's plot area: its size minus margins."""
    layout = figure["layout"]
    margin = layout["margin"]
    return (layout["width"] - margin["l"] - margin["r"],
            layout["height"] - margin["t"] - margin["b"])


def test_lesson_3_numbers_fit_their_cells_beside_a_colour_bar_as_tall(classroom_data_dir):
    page = helpers.run_page("lessons/fashion_mnist.py")
    figure = helpers.chart_figure(page, "pixel-heatmap")
    heatmap = figure["data"][0]
    rows, columns = helpers.plotly_array(heatmap["z"]).shape
    assert (rows, columns) == (28, 28)
    width, height = plot_area(figure)
    assert width == height  # square: the picture fills the plot area, not a part of it
    cell = width / columns
    font = heatmap["textfont"]["size"]
    assert font >= 12 and cell >= DIGITS_WIDTH * font + 3, (cell, font)
    # The colour bar spans the plot area's height, which the picture fills, to the pixel.
    colour_bar = heatmap["colorbar"]
    assert colour_bar["len"] == 1 and colour_bar["lenmode"] == "fraction"
    assert colour_bar["ypad"] == 0
    assert figure["layout"]["yaxis"]["scaleanchor"] == "x"


def test_lesson_6_preview_draws_every_picture_at_least_150_pixels(classroom_data_dir):
    page = helpers.run_page("lessons/augmentation.py", timeout=300)
    figure = helpers.chart_figure(page, "augment-preview")
    width, height = plot_area(figure)
    layout = figure["layout"]
    pictures = [trace for trace in figure["data"] if trace["type"] == "image"]
    assert len(pictures) >= 6
    for index in range(1, len(pictures) + 1):
        suffix = "" if index == 1 else str(index)
        across = layout[f"xaxis{suffix}"]["domain"]
        down = layout[f"yaxis{suffix}"]["domain"]
        assert (across[1] - across[0]) * width >= 150, index
        assert (down[1] - down[0]) * height >= 150, index
    assert all(note["font"]["size"] >= 14 for note in layout["annotations"])
