"""Plotly figure builders. Pure functions: data in, figure out; pages decide where to draw.

Every builder holds BUILDING while it builds: see one_at_a_time. Grids, the slow ones,
training curves, redrawn by every live view's poll, and a run's small charts are also kept for
the whole server: see shared_in."""

import base64
import functools
import hashlib
import io
import threading

import cachetools
import numpy
import PIL.Image
import plotly.graph_objects as go

# Plotly 7 builds each property's validator once per process and caches it
# (plotly/validator_cache.py). For a subplot axis it first writes the axis' name into a
# parameters dict that every axis of that kind shares (xaxis, xaxis2, ... xaxis24), then
# builds: two sessions building grids at once could cache xaxis24's validator under another
# axis' name, and from then on every 24-picture grid in the server raised "Invalid child
# with name: xaxis24" (seen in a cluster test, two learners drawing lesson 3's results).
# So the server builds figures one at a time; most take milliseconds.
BUILDING = threading.Lock()

# A grid of small pictures is a subplot per cell, which Plotly validates property by property:
# 0.24 s for 24 cells, 0.44 s for 64 (timed on this 2-core machine), and every learner on the
# same run draws the same one. So grids are kept, the most recently used at most, for the whole
# server (cachetools' LRU; figures of a few MiB each). Pages only pass them to
# st.plotly_chart, which copies a figure to a dict and never changes it.
SHARED_FIGURES = cachetools.LRUCache(maxsize=24)
# Training curves too: every learner watching a run polls its live view twice a second, and the
# curves change once an epoch. Small figures, so more of them; the small per-view charts of
# a run (confusion matrix, bars, a picture's pixels, the filter lab's four steps) share them.
SHARED_CURVES = cachetools.LRUCache(maxsize=256)


def one_at_a_time(build):
    """Decorator: `build` runs holding BUILDING, never beside another figure's building."""
    @functools.wraps(build)
    def locked(*arguments, **keywords):
        with BUILDING:
            return build(*arguments, **keywords)
    return locked

class KeptFigure(go.Figure):
    """A figure kept for the whole server and never changed after it is built. Streamlit asks
    every figure for `to_dict()` on every view (plotly deep-copies it and turns its arrays into
    base64 text: 0.1 s for a grid of pictures, py-spy under 30 learners), so a kept figure
    makes that dict once; the dict is only read (st.plotly_chart encodes it as JSON)."""

    _kept_dict = None

    def to_dict(self) -> dict:
        if self._kept_dict is None:
            self._kept_dict = super().to_dict()
        return self._kept_dict


def content_key(value):
    """A hashable key for a builder's argument: arrays by shape, dtype and a digest of their
    bytes, so equal pictures give the same key whichever array object holds them; other
    values with their type, since 1, 1.0 and True are equal but are drawn differently."""
    if isinstance(value, numpy.ndarray):
        array = numpy.ascontiguousarray(value)
        return ("array", array.shape, str(array.dtype),
                hashlib.blake2b(array.tobytes(), digest_size=16).hexdigest())
    if isinstance(value, dict):
        return ("dict",) + tuple((content_key(key), content_key(item))
                                 for key, item in value.items())
    if isinstance(value, (list, tuple)):
        return (type(value).__name__,) + tuple(content_key(item) for item in value)
    return (type(value).__name__, value)


def shared_in(figures: cachetools.Cache):
    """Decorator: one figure per distinct content for the whole server, kept in `figures`,
    built one at a time; the figure returned (a KeptFigure) must not be changed by its caller.

    A caller that knows what determines the figure passes `shared_as=` a hashable naming all
    of it (for example a run's key and the pictures picked): the arguments are then not
    hashed, which for a layer's feature maps costs more than drawing them (several MiB a view).
    """
    def decorate(build):
        @functools.wraps(build)
        def kept(*arguments, shared_as=None, **keywords):
            if shared_as is None:
                key = (build.__name__, content_key(arguments),
                       content_key(sorted(keywords.items())))
            else:
                key = (build.__name__, "shared as", shared_as)
            with BUILDING:
                figure = figures.get(key)
                if figure is None:
                    figure = build(*arguments, **keywords)
                    figure.__class__ = KeptFigure  # a go.Figure: the same object, kept
                    figures[key] = figure
            return figure
        return kept
    return decorate


shared = shared_in(SHARED_FIGURES)
shared_curve = shared_in(SHARED_CURVES)


# Room above a chart for Plotly's toolbar (the modebar a pointer over the chart shows, top
# right), so that no title sits under it.
TOOLBAR_ROOM = 40
TRUE_COLOR = "#7f7f7f"
PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd"]


def base_layout(figure: go.Figure, title: str, x_title: str, y_title: str) -> go.Figure:
    figure.update_layout(
        title=title, xaxis_title=x_title, yaxis_title=y_title, height=340,
        margin=dict(l=10, r=10, t=50, b=10), legend=dict(orientation="h", y=-0.25),
    )
    return figure


@shared_curve
def loss_curve(losses, title: str = "Loss after each epoch") -> go.Figure:
    """Mean squared error per epoch on a log scale, where both the first big drop and
    the slow final approach stay visible."""
    epochs = list(range(1, len(losses) + 1))
    figure = go.Figure(go.Scatter(x=epochs, y=losses, mode="lines", name="loss",
                                  line=dict(color=PALETTE[0])))
    base_layout(figure, title, "epoch", "loss (log scale)")
    figure.update_yaxes(type="log", exponentformat="power")
    return figure


@shared_curve
def weight_and_bias_curve(weights, true_weight=None, true_bias=None) -> go.Figure:
    """w and b after every epoch, with dotted lines at the values that generated the data."""
    epochs = list(range(1, len(weights) + 1))
    figure = go.Figure()
    for index, name in enumerate(["weight w", "bias b"]):
        figure.add_trace(go.Scatter(x=epochs, y=[pair[index] for pair in weights],
                                    mode="lines", name=name,
                                    line=dict(color=PALETTE[index + 1])))
    for value, name in ((true_weight, "true w"), (true_bias, "true b")):
        if value is not None:
            figure.add_hline(y=value, line_dash="dot", line_color=TRUE_COLOR,
                             annotation_text=f"{name} = {value:g}")
    return base_layout(figure, "The neuron's numbers converging", "epoch", "value")


@one_at_a_time
def examples_and_line(xs, ys, weight=None, bias=None, query_x=None,
                      query_prediction=None) -> go.Figure:
    """The examples as dots and, once learned, the neuron's line y = w x + b."""
    figure = go.Figure(go.Scatter(x=list(xs), y=list(ys), mode="markers", name="examples",
                                  marker=dict(size=10, color=PALETTE[0])))
    if weight is not None and bias is not None:
        points = list(xs) + ([query_x] if query_x is not None else [])
        low, high = min(points), max(points)
        figure.add_trace(go.Scatter(
            x=[low, high], y=[weight * low + bias, weight * high + bias], mode="lines",
            name=f"learned: y = {weight:.4f} x {'+' if bias >= 0 else '-'} {abs(bias):.4f}",
            line=dict(color=PALETTE[1]),
        ))
    if query_x is not None and query_prediction is not None:
        figure.add_trace(go.Scatter(
            x=[query_x], y=[query_prediction], mode="markers+text", name="prediction",
            text=[f"{query_prediction:.4f}"], textposition="middle left",
            marker=dict(size=13, symbol="star", color=PALETTE[3]),
        ))
    return base_layout(figure, "Examples and the learned line", "x", "y")


@shared_curve
def history_curves(history: dict, metric: str, title: str,
                   validation_label: str = "validation") -> go.Figure:
    """Training and validation values of one metric per epoch, e.g. 'loss' or 'accuracy'.
    `validation_label` names what was held out, e.g. "validation (test set)"."""
    figure = go.Figure()
    for name, label, color in ((metric, "training", PALETTE[0]),
                               (f"val_{metric}", validation_label, PALETTE[1])):
        values = history.get(name, [])
        figure.add_trace(go.Scatter(x=list(range(1, len(values) + 1)), y=values,
                                    mode="lines+markers", name=label, line=dict(color=color)))
    figure.update_xaxes(dtick=1)
    return base_layout(figure, title, "epoch", metric)


def keep_aspect_ratio(figure: go.Figure, subplot_count: int) -> None:
    """Every subplot's y axis tied to its x axis: a map of h x w values is drawn h:w, not
    stretched to the cell's shape."""
    for index in range(1, subplot_count + 1):
        suffix = "" if index == 1 else str(index)
        figure.layout[f"yaxis{suffix}"].update(scaleanchor=f"x{suffix}", constrain="domain")
        figure.layout[f"xaxis{suffix}"].update(constrain="domain")


@shared
def image_grid(images, titles, columns: int = 8, height_per_row: int = 120,
               font_size: int = 10) -> go.Figure:
    """Small grayscale pictures in a grid, each titled (e.g. with its class name) in type of
    `font_size` px, the first row's titles below the toolbar's room."""
    from plotly import subplots

    rows = max(1, -(-len(images) // columns))
    figure = subplots.make_subplots(rows=rows, cols=columns, subplot_titles=list(titles),
                                    horizontal_spacing=0.01, vertical_spacing=0.06)
    for index, image in enumerate(images):
        figure.add_trace(go.Heatmap(z=image[::-1], colorscale="gray", showscale=False,
                                    hovertemplate="x %{x}, y %{y}: %{z}<extra></extra>"),
                         row=index // columns + 1, col=index % columns + 1)
    figure.update_xaxes(visible=False)
    figure.update_yaxes(visible=False)
    keep_aspect_ratio(figure, len(images))
    figure.update_annotations(font_size=font_size)
    top = TOOLBAR_ROOM + font_size + 6
    figure.update_layout(height=rows * height_per_row + top, margin=dict(l=0, r=0, t=top, b=0))
    return figure


# Lesson 3's 28 x 28 numbers: each pixel's cell has room for "255" in type that a back row
# can read, and the figure is exactly as wide as the square plus the colour bar, so the bar
# spans the square's height (Streamlit draws it at this width: width="content").
PIXEL_CELL = 23  # pixels on screen per picture pixel: 28 of them fit 1280 x 720's page
PIXEL_FONT = 13  # px; "255" is 19.4 px wide in it (measured in Chromium: 0.5 em a digit)
PIXEL_MARGIN = dict(l=40, r=90, t=70, b=10)  # r: the colour bar and its numbers


@shared_curve
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


@shared_curve
def confusion_matrix(matrix, class_names) -> go.Figure:
    """Counts of test images by true class (rows) and predicted class (columns)."""
    figure = go.Figure(go.Heatmap(
        z=matrix, x=list(class_names), y=list(class_names), colorscale="Blues",
        text=matrix, texttemplate="%{text}",
        hovertemplate="true %{y}, predicted %{x}: %{z} images<extra></extra>"))
    figure.update_yaxes(autorange="reversed")
    return base_layout(figure, "Confusion matrix (test set)", "predicted class", "true class")


NUMBER_WORDS = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
                "ten", "eleven", "twelve"]


def count_in_words(count: int) -> str:
    """3 -> 'three', as a sentence spells small counts; larger ones stay digits."""
    return NUMBER_WORDS[count] if 0 <= count < len(NUMBER_WORDS) else str(count)


def output_count_for(class_count: int) -> int:
    """How many numbers a classifier of this app outputs: a two-class model ends in one
    sigmoid neuron (the course's class_mode='binary'), any other in one softmax per class."""
    return 1 if class_count == 2 else class_count


@shared_curve
def probability_bars(probabilities, class_names, true_label=None) -> go.Figure:
    """One picture's class probabilities (one per class), titled after what the model really
    outputs: N softmax numbers, or for two classes one sigmoid p, drawn as 1 - p and p."""
    colors = [PALETTE[2] if index == true_label else PALETTE[0]
              for index in range(len(class_names))]
    figure = go.Figure(go.Bar(x=list(class_names), y=list(probabilities), marker_color=colors,
                              text=[f"{value:.3f}" for value in probabilities],
                              textposition="outside"))
    figure.update_yaxes(range=[0, 1.1])
    outputs = output_count_for(len(class_names))
    if outputs == 1:
        first, second = class_names
        title = f"The one number the model outputs, p = P({second}); {first} gets 1 - p"
    else:
        title = f"The {count_in_words(outputs)} numbers the model outputs"
    return base_layout(figure, title, "class", "probability")


@shared_curve
def per_class_bars(accuracies, class_names) -> go.Figure:
    figure = go.Figure(go.Bar(x=list(class_names), y=list(accuracies),
                              text=[f"{value:.0%}" for value in accuracies],
                              textposition="outside", marker_color=PALETTE[0]))
    figure.update_yaxes(range=[0, 1.1], tickformat=".0%")
    return base_layout(figure, "Accuracy per class (test set)", "class", "accuracy")


@shared_curve
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


@shared
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
    figure.update_layout(height=190 * rows + TOOLBAR_ROOM + title_height,
                         margin=dict(l=0, r=120 if slanted else 30,
                                     t=TOOLBAR_ROOM + title_height, b=0))
    return figure


@shared_curve
def comparison_curves(histories: dict, metric: str, title: str) -> go.Figure:
    """Several runs' training (solid) and validation (dotted) curves on one chart."""
    figure = go.Figure()
    for index, (name, history) in enumerate(histories.items()):
        color = PALETTE[index % len(PALETTE)]
        for key, dash, label in ((metric, "solid", "training"),
                                 (f"val_{metric}", "dot", "validation")):
            values = history.get(key, [])
            figure.add_trace(go.Scatter(x=list(range(1, len(values) + 1)), y=values,
                                        mode="lines+markers", name=f"{name}: {label}",
                                        line=dict(color=color, dash=dash)))
    return base_layout(figure, title, "epoch", metric)


def png_data_uri(picture) -> str:
    """A picture (height, width, 3) uint8 as a PNG data URI, for go.Image's `source`. The
    browser decodes a PNG natively, where an Image trace's `z` has Plotly's script paint
    every pixel into a canvas: on lesson 5's 16-picture grid that painting held up every
    chart of the page (BENCHMARKS.md, "What a new session spends its time on")."""
    buffer = io.BytesIO()
    PIL.Image.fromarray(numpy.asarray(picture, dtype="uint8")).save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


@shared
def colour_grid(pictures, titles, columns: int = 8, tile_pixels: int = None) -> go.Figure:
    """Colour pictures (n, height, width, 3) uint8 in a grid, each titled with its label, the
    first row's titles below the toolbar's room. With `tile_pixels`, every picture is drawn
    that many screen pixels wide and the figure's layout holds its whole size (draw it with
    width="content"); without, rows of 120 px across whatever width the page gives."""
    from plotly import subplots

    rows = max(1, -(-len(pictures) // columns))
    font_size = 10 if tile_pixels is None else 14
    title_room, gap = font_size + 12, 8  # above each row, between pictures
    spacing = dict(horizontal_spacing=0.01, vertical_spacing=0.08)
    if tile_pixels is not None:
        grid_width = columns * tile_pixels + (columns - 1) * gap
        grid_height = rows * tile_pixels + (rows - 1) * title_room
        spacing = dict(horizontal_spacing=gap / grid_width,
                       vertical_spacing=title_room / grid_height if rows > 1 else 0)
    figure = subplots.make_subplots(rows=rows, cols=columns, subplot_titles=list(titles),
                                    **spacing)
    for index, picture in enumerate(pictures):
        figure.add_trace(go.Image(source=png_data_uri(picture), hoverinfo="skip"),
                         row=index // columns + 1, col=index % columns + 1)
    figure.update_xaxes(visible=False)
    figure.update_yaxes(visible=False)
    figure.update_annotations(font_size=font_size)
    top = TOOLBAR_ROOM + title_room
    if tile_pixels is None:
        figure.update_layout(height=rows * 120 + top, margin=dict(l=0, r=0, t=top, b=0))
    else:
        figure.update_layout(autosize=False, width=grid_width, height=grid_height + top,
                             margin=dict(l=0, r=0, t=top, b=0))
    return figure


@shared_curve
def gap_comparison(histories: dict) -> go.Figure:
    """Two runs side by side (with and without dropout, or augmentation): each run's
    training (solid) and validation (dotted) accuracy, with the gap between them shaded,
    so overfitting is visible at a glance."""
    figure = go.Figure()
    for index, (name, history) in enumerate(histories.items()):
        color = PALETTE[index % len(PALETTE)]
        epochs = list(range(1, len(history.get("accuracy", [])) + 1))
        figure.add_trace(go.Scatter(x=epochs, y=history.get("val_accuracy", []),
                                    mode="lines", name=f"{name}: validation",
                                    line=dict(color=color, dash="dot")))
        figure.add_trace(go.Scatter(x=epochs, y=history.get("accuracy", []), mode="lines",
                                    name=f"{name}: training", line=dict(color=color),
                                    fill="tonexty", fillcolor=_transparent(color)))
    return base_layout(figure, "Accuracy: training (solid), validation (dotted), gap shaded",
                       "epoch", "accuracy")


def _transparent(hex_color: str, alpha: float = 0.15) -> str:
    red, green, blue = (int(hex_color[index:index + 2], 16) for index in (1, 3, 5))
    return f"rgba({red}, {green}, {blue}, {alpha})"


@one_at_a_time
def head_size_by_cut(layer_names, head_parameters, chosen: str) -> go.Figure:
    """How big the new classifier gets for each place the network can be cut."""
    colors = [PALETTE[1] if name == chosen else PALETTE[0] for name in layer_names]
    figure = go.Figure(go.Bar(x=list(layer_names), y=list(head_parameters), marker_color=colors,
                              text=[f"{value / 1e6:.1f} M" for value in head_parameters],
                              textposition="outside"))
    figure.update_yaxes(type="log")
    return base_layout(figure, "Parameters of the new head, by where the network is cut",
                       "cut after layer", "parameters (log scale)")
