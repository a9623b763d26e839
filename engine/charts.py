"""Plotly figure builders. Pure functions: data in, figure out; pages decide where to draw."""

import plotly.graph_objects as go

TRUE_COLOR = "#7f7f7f"
PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd"]


def base_layout(figure: go.Figure, title: str, x_title: str, y_title: str) -> go.Figure:
    figure.update_layout(
        title=title, xaxis_title=x_title, yaxis_title=y_title, height=340,
        margin=dict(l=10, r=10, t=50, b=10), legend=dict(orientation="h", y=-0.25),
    )
    return figure


def loss_curve(losses, title: str = "Loss after each epoch") -> go.Figure:
    """Mean squared error per epoch on a log scale, where both the first big drop and
    the slow final approach stay visible."""
    epochs = list(range(1, len(losses) + 1))
    figure = go.Figure(go.Scatter(x=epochs, y=losses, mode="lines", name="loss",
                                  line=dict(color=PALETTE[0])))
    base_layout(figure, title, "epoch", "loss (log scale)")
    figure.update_yaxes(type="log", exponentformat="power")
    return figure


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
            text=[f"{query_prediction:.4f}"], textposition="top left",
            marker=dict(size=13, symbol="star", color=PALETTE[3]),
        ))
    return base_layout(figure, "Examples and the learned line", "x", "y")
