"""Plotly figure builders. Pure functions: data in, figure out; pages decide where to draw.

Every builder holds BUILDING while it builds: see one_at_a_time. Grids, the slow ones,
training curves, redrawn by every live view's poll, and a run's small charts are also kept for
the whole server: see shared_in.

This module holds that machinery, the charts' common layout and colours, and the charts of a
classifier's answers; engine/training_charts.py draws what training did, and
engine/picture_charts.py draws pictures."""

import functools
import hashlib
import threading

import cachetools
import numpy
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
