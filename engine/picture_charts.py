"""Charts of pictures: grids of small pictures, one picture's numbers, a filter's steps, and
what the layers of a network make of pictures. Built one at a time and kept as
engine/charts.py says."""

import base64
import io

import numpy
import PIL.Image
import plotly.graph_objects as go

from engine import charts


def keep_aspect_ratio(figure: go.Figure, subplot_count: int) -> None:
    """Every subplot's y axis tied to its x axis: a map of h x w values is drawn h:w, not
    stretched to the cell's shape."""
    for index in range(1, subplot_count + 1):
        suffix = "" if index == 1 else str(index)
        figure.layout[f"yaxis{suffix}"].update(scaleanchor=f"x{suffix}", constrain="domain")
        figure.layout[f"xaxis{suffix}"].update(constrain="domain")


def png_data_uri(picture) -> str:
    """A picture (height, width, 3) uint8 as a PNG data URI, for go.Image's `source`. The
    browser decodes a PNG natively, where an Image trace's `z` has Plotly's script paint
    every pixel into a canvas: on lesson 5's 16-picture grid that painting held up every
    chart of the page (BENCHMARKS.md, "What a new session spends its time on")."""
    buffer = io.BytesIO()
    PIL.Image.fromarray(numpy.asarray(picture, dtype="uint8")).save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


@charts.shared
def picture_grid(pictures, titles, columns: int = 8, height_per_row: int = 120,
                 font_size: int = 10, tile_pixels: int = None,
                 colour: bool = False) -> go.Figure:
    """Small pictures in a grid, each titled (e.g. with its class name) in type of `font_size`
    px, the first row's titles below the toolbar's room. Grayscale pictures (n, height, width)
    are drawn as values a pointer can read; with `colour`, pictures (n, height, width, 3)
    uint8 are drawn as PNGs (png_data_uri). With `tile_pixels`, every picture is drawn that
    many screen pixels wide and the figure's layout holds its whole size (draw it with
    width="content"); without, rows of `height_per_row` px across whatever width the page
    gives."""
    from plotly import subplots

    rows = max(1, -(-len(pictures) // columns))
    title_room, gap = font_size + (12 if colour else 6), 8  # above each row, between pictures
    spacing = dict(horizontal_spacing=0.01, vertical_spacing=0.08 if colour else 0.06)
    if tile_pixels is not None:
        grid_width = columns * tile_pixels + (columns - 1) * gap
        grid_height = rows * tile_pixels + (rows - 1) * title_room
        spacing = dict(horizontal_spacing=gap / grid_width,
                       vertical_spacing=title_room / grid_height if rows > 1 else 0)
    figure = subplots.make_subplots(rows=rows, cols=columns, subplot_titles=list(titles),
                                    **spacing)
    for index, picture in enumerate(pictures):
        cell = (go.Image(source=png_data_uri(picture), hoverinfo="skip") if colour else
                go.Heatmap(z=picture[::-1], colorscale="gray", showscale=False,
                           hovertemplate="x %{x}, y %{y}: %{z}<extra></extra>"))
        figure.add_trace(cell, row=index // columns + 1, col=index % columns + 1)
    figure.update_xaxes(visible=False)
    figure.update_yaxes(visible=False)
    if not colour:  # an Image trace keeps its pictures' aspect ratio by itself
        keep_aspect_ratio(figure, len(pictures))
    figure.update_annotations(font_size=font_size)
    top = charts.TOOLBAR_ROOM + title_room
    if tile_pixels is None:
        figure.update_layout(height=rows * height_per_row + top, margin=dict(l=0, r=0, t=top, b=0))
    else:
        figure.update_layout(autosize=False, width=grid_width, height=grid_height + top,
                             margin=dict(l=0, r=0, t=top, b=0))
    return figure


# Lesson 3's 28 x 28 numbers: each pixel's cell has room for "255" in type that a back row
# can read, and the figure is exactly as wide as the square plus the colour bar, so the bar
# spans the square's height (Streamlit draws it at this width: width="content").
PIXEL_CELL = 23  # pixels on screen per picture pixel: 28 of them fit 1280 x 720's page
PIXEL_FONT = 13  # px; "255" is 19.4 px wide in it (measured in Chromium: 0.5 em a digit)
PIXEL_MARGIN = dict(l=40, r=90, t=70, b=10)  # r: the colour bar and its numbers


@charts.shared_curve
def pixel_heatmap(image, title: str) -> go.Figure:
    """One picture's raw numbers, written in every cell: what the model really sees. The
    plot area is square, PIXEL_CELL screen pixels per picture pixel, its colour bar as
    tall as the picture; the figure's layout holds its size in pixels."""
    rows, columns = image.shape[:2]
    figure = go.Figure(go.Heatmap(
        z=image, colorscale="gray", text=image, texttemplate="%{text}",
        textfont=dict(size=PIXEL_FONT),
        colorbar=dict(len=1, lenmode="fraction", ypad=0, thickness=20,
                      tickfont=dict(size=PIXEL_FONT)),
        hovertemplate="row %{y}, column %{x}: %{z}<extra></extra>"))
    figure.update_xaxes(constrain="domain", side="top", tickfont=dict(size=PIXEL_FONT))
    figure.update_yaxes(autorange="reversed", scaleanchor="x", constrain="domain",
                        tickfont=dict(size=PIXEL_FONT))
    figure.update_layout(
        title=dict(text=title, font_size=18), autosize=False,
        width=columns * PIXEL_CELL + PIXEL_MARGIN["l"] + PIXEL_MARGIN["r"],
        height=rows * PIXEL_CELL + PIXEL_MARGIN["t"] + PIXEL_MARGIN["b"], margin=PIXEL_MARGIN)
    return figure


@charts.shared_curve
def filter_stage(values, title: str, signed: bool = False) -> go.Figure:
    """One step of the filter pipeline as a picture whose pixels show their value on hover.
    Signed values (a convolution's raw output) get a scale that keeps negatives visible."""
    figure = go.Figure(go.Heatmap(
        z=values, colorscale="RdBu" if signed else "gray", zmid=0 if signed else None,
        reversescale=signed, showscale=signed,
        hovertemplate="row %{y}, column %{x}: %{z:.2f}<extra></extra>"))
    figure.update_xaxes(visible=False, constrain="domain")
    figure.update_yaxes(visible=False, autorange="reversed", scaleanchor="x",
                        constrain="domain")
    figure.update_layout(title=dict(text=title, font_size=13), height=300,
                         margin=dict(l=0, r=0, t=40, b=0))
    return figure


GRID_TITLE_FONT = 14  # px: a layer's name, readable from the back of a room
SLANTED_AFTER = 5  # columns: more, and long layer names side by side would overlap


@charts.shared
def activation_grid(maps: dict, picture_labels, filter_index: int) -> go.Figure:
    """The course's "visualizing the convolutions and pooling": one row per picture, one
    column per conv or pooling layer, each cell that layer's output for one filter, kept at
    its own aspect ratio. Column titles (the layer's name and its output's height x width)
    sit above the toolbar's room; with many columns they slant, so that long names do not
    overlap. Height in pixels: the figure's layout."""
    from plotly import subplots

    layer_names = list(maps)
    rows, columns = len(picture_labels), len(layer_names)
    slanted = columns > SLANTED_AFTER
    separator = " " if slanted else "<br>"
    figure = subplots.make_subplots(
        rows=rows, cols=columns, horizontal_spacing=0.02, vertical_spacing=0.05,
        column_titles=[f"{name}{separator}{maps[name].shape[1]}x{maps[name].shape[2]}"
                       for name in layer_names],
        row_titles=list(picture_labels))
    for row in range(rows):
        for column, name in enumerate(layer_names):
            figure.add_trace(go.Heatmap(
                z=maps[name][row, :, :, filter_index], colorscale="Viridis", showscale=False,
                hovertemplate="%{z:.2f}<extra></extra>"), row=row + 1, col=column + 1)
    figure.update_xaxes(visible=False)
    figure.update_yaxes(visible=False, autorange="reversed")
    keep_aspect_ratio(figure, rows * columns)
    figure.update_annotations(font_size=GRID_TITLE_FONT)
    # Row titles are the annotations make_subplots turns upright (textangle 90).
    column_titles = [note for note in figure.layout.annotations if note.textangle != 90]
    title_height = 2 * int(GRID_TITLE_FONT * 1.3)
    if slanted:
        longest = max(len(note.text) for note in column_titles)
        title_height = int(0.5 * longest * GRID_TITLE_FONT * 0.6) + GRID_TITLE_FONT + 6
        for note in column_titles:
            note.update(textangle=-30, xanchor="left")
    figure.update_layout(height=190 * rows + charts.TOOLBAR_ROOM + title_height,
                         margin=dict(l=0, r=120 if slanted else 30,
                                     t=charts.TOOLBAR_ROOM + title_height, b=0))
    return figure
