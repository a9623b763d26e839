"""Charts of what training did: the loss, a neuron's numbers and its line, a run's curves, and
runs compared. Built one at a time and kept as engine/charts.py says."""

import plotly.graph_objects as go

from engine import charts


@charts.shared_curve
def loss_curve(losses, title: str = "Loss after each epoch") -> go.Figure:
    """Mean squared error per epoch on a log scale, where both the first big drop and
    the slow final approach stay visible."""
    epochs = list(range(1, len(losses) + 1))
    figure = go.Figure(go.Scatter(x=epochs, y=losses, mode="lines", name="loss",
                                  line=dict(color=charts.PALETTE[0])))
    charts.base_layout(figure, title, "epoch", "loss (log scale)")
    figure.update_yaxes(type="log", exponentformat="power")
    return figure


@charts.shared_curve
def weight_and_bias_curve(weights, true_weight=None, true_bias=None) -> go.Figure:
    """w and b after every epoch, with dotted lines at the values that generated the data."""
    epochs = list(range(1, len(weights) + 1))
    figure = go.Figure()
    for index, name in enumerate(["weight w", "bias b"]):
        figure.add_trace(go.Scatter(x=epochs, y=[pair[index] for pair in weights],
                                    mode="lines", name=name,
                                    line=dict(color=charts.PALETTE[index + 1])))
    for value, name in ((true_weight, "true w"), (true_bias, "true b")):
        if value is not None:
            figure.add_hline(y=value, line_dash="dot", line_color=charts.TRUE_COLOR,
                             annotation_text=f"{name} = {value:g}")
    return charts.base_layout(figure, "The neuron's numbers converging", "epoch", "value")


@charts.one_at_a_time
def examples_and_line(xs, ys, weight=None, bias=None, query_x=None,
                      query_prediction=None) -> go.Figure:
    """The examples as dots and, once learned, the neuron's line y = w x + b."""
    figure = go.Figure(go.Scatter(x=list(xs), y=list(ys), mode="markers", name="examples",
                                  marker=dict(size=10, color=charts.PALETTE[0])))
    if weight is not None and bias is not None:
        points = list(xs) + ([query_x] if query_x is not None else [])
        low, high = min(points), max(points)
        figure.add_trace(go.Scatter(
            x=[low, high], y=[weight * low + bias, weight * high + bias], mode="lines",
            name=f"learned: y = {weight:.4f} x {'+' if bias >= 0 else '-'} {abs(bias):.4f}",
            line=dict(color=charts.PALETTE[1]),
        ))
    if query_x is not None and query_prediction is not None:
        figure.add_trace(go.Scatter(
            x=[query_x], y=[query_prediction], mode="markers+text", name="prediction",
            text=[f"{query_prediction:.4f}"], textposition="middle left",
            marker=dict(size=13, symbol="star", color=charts.PALETTE[3]),
        ))
    return charts.base_layout(figure, "Examples and the learned line", "x", "y")


@charts.shared_curve
def history_curves(history: dict, metric: str, title: str,
                   validation_label: str = "validation") -> go.Figure:
    """Training and validation values of one metric per epoch, e.g. 'loss' or 'accuracy'.
    `validation_label` names what was held out, e.g. "validation (test set)"."""
    figure = go.Figure()
    for name, label, color in ((metric, "training", charts.PALETTE[0]),
                               (f"val_{metric}", validation_label, charts.PALETTE[1])):
        values = history.get(name, [])
        figure.add_trace(go.Scatter(x=list(range(1, len(values) + 1)), y=values,
                                    mode="lines+markers", name=label, line=dict(color=color)))
    figure.update_xaxes(dtick=1)
    return charts.base_layout(figure, title, "epoch", metric)


GAP_SHADED_TITLE = "Accuracy: training (solid), validation (dotted), gap shaded"


@charts.shared_curve
def comparison_curves(histories: dict, metric: str, title: str,
                      gap_shaded: bool = False) -> go.Figure:
    """Several runs' training (solid) and validation (dotted) curves on one chart. With
    `gap_shaded`, for runs side by side (with and without dropout, or augmentation): lines
    without markers and the gap between each run's two curves shaded, so overfitting is
    visible at a glance (title them GAP_SHADED_TITLE)."""
    figure = go.Figure()
    mode = "lines" if gap_shaded else "lines+markers"
    for index, (name, history) in enumerate(histories.items()):
        color = charts.PALETTE[index % len(charts.PALETTE)]
        shade = dict(fill="tonexty", fillcolor=_transparent(color)) if gap_shaded else {}
        curves = [(metric, "training", "solid", shade), (f"val_{metric}", "validation", "dot", {})]
        if gap_shaded:
            curves.reverse()  # validation first: fill="tonexty" shades down to the trace before
        for key, label, dash, fill in curves:
            values = history.get(key, [])
            figure.add_trace(go.Scatter(x=list(range(1, len(values) + 1)), y=values, mode=mode,
                                        name=f"{name}: {label}",
                                        line=dict(color=color, dash=dash), **fill))
    return charts.base_layout(figure, title, "epoch", metric)


def _transparent(hex_color: str, alpha: float = 0.15) -> str:
    red, green, blue = (int(hex_color[index:index + 2], 16) for index in (1, 3, 5))
    return f"rgba({red}, {green}, {blue}, {alpha})"
