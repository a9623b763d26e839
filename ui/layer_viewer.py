"""Looking inside a trained convnet, the same view on every lesson that trains one (lessons 4,
5 and 6): the course's "visualizing intermediate representations". One filter of every
convolution and pooling layer for a few pictures, then every filter of one layer."""

import streamlit as st

from engine import activations
from engine import picture_charts
from ui import code
from ui import shared_caches
from ui import tables


def show(run, pictures, labels, prepare, key_prefix: str, default_pictures=None,
         with_summary: bool = False) -> None:
    """Draw the view for `run.model` (a trained Keras convnet, engine/run_cache.Run).

    pictures: the pictures the learner picks from, as stored (lesson 4: (n, 28, 28); lessons 5
        and 6: (n, size, size, 3); values 0..255). labels: a name for each picture.
    prepare(pictures) -> the pictures as `model` takes them (shown as code: it runs).
    key_prefix: the start of every widget key. default_pictures: the three picked at first
        (default: the first, the middle and the last of `pictures`).
    with_summary: also show the model's summary, whose layer names the view uses (lesson 4
        shows its summary above, lessons 5 and 6 here)."""
    model = run.model
    if with_summary:
        st.markdown("`model.summary()` of the model you trained:")
        tables.show(activations.layer_table(model), hide_index=True, width="stretch")
    code.show_code(activations.activation_maps, prepare)
    if default_pictures is None:
        default_pictures = (0, len(pictures) // 2, len(pictures) - 1)
    columns = st.columns(len(default_pictures) + 1)
    chosen = [column.number_input(f"picture {index + 1}", 0, len(pictures) - 1, default,
                                  key=f"{key_prefix}-{index}")
              for index, (column, default) in enumerate(zip(columns, default_pictures))]
    if run.complete:
        maps, first_filter = shared_caches.maps_and_first_lively_filter(
            run.key, key_prefix, tuple(chosen), model, pictures, prepare)
        # What determines the figures below, so that the server keeps them by it rather than
        # by hashing several MiB of maps on every view.
        shown = (run.key, key_prefix, tuple(chosen))
    else:  # a stopped run: another stop of the same settings keeps other weights
        maps, first_filter = activations.maps_and_first_lively_filter(
            model, prepare(pictures[chosen]))
        shown = None  # the figures are then kept by their content
    fewest_filters = min(array.shape[-1] for array in maps.values())
    filter_index = columns[-1].number_input(
        "filter number", 0, fewest_filters - 1, min(first_filter, fewest_filters - 1),
        key=f"{key_prefix}-filter")
    titles = [f"#{index} {labels[index]}" for index in chosen]
    st.plotly_chart(picture_charts.activation_grid(
        maps, titles, filter_index, shared_as=_named(shown, filter_index)),
        key=f"{key_prefix}-activations")
    st.caption("A cell of one flat colour is a filter that gives 0 everywhere for that "
               "picture (its ReLU cut every value): try another filter number.")

    layer_name = st.selectbox("every filter of one layer, for picture 1", list(maps),
                              key=f"{key_prefix}-layer")
    layer_maps = maps[layer_name][0]
    # Titled by number alone: "filter 12" in readable type does not fit 16 pictures a row.
    st.plotly_chart(picture_charts.picture_grid(
        [layer_maps[:, :, index] for index in range(layer_maps.shape[-1])],
        [str(index) for index in range(layer_maps.shape[-1])], columns=16,
        height_per_row=80, font_size=14, shared_as=_named(shown, layer_name)),
        key=f"{key_prefix}-all-filters")
    st.caption("Each picture is titled with its filter number.")


def _named(shown, choice):
    """The name a kept figure is shared as: what is shown plus the learner's `choice`, or
    None (kept by content) when what is shown has no name."""
    return None if shown is None else (*shown, choice)
