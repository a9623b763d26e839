"""Lesson 4, part 1: a 3x3 filter by hand. Pick a picture and a kernel, see the picture
convolved, after ReLU and after 2x2 max pooling, with the size at every step."""

import pandas
import streamlit as st

from engine import downloads
from engine import filters
from engine import images
from engine import picture_charts
from ui import data_status
from ui import shared_caches

SOURCES = ["a built-in picture", "a Fashion-MNIST picture", "my own picture"]


def choose_picture():
    source = st.radio("picture", SOURCES, horizontal=True, key="filter-source")
    if source == SOURCES[0]:
        name = st.selectbox("which one", filters.BUILTIN_IMAGE_NAMES, key="filter-builtin")
        return filters.load_builtin_image(name)
    if source == SOURCES[1]:
        try:
            (training_images, _), _ = shared_caches.fashion_mnist_data()
        except downloads.MissingDataError as problem:
            data_status.say_missing(problem)
            return None
        index = st.number_input("picture #", 0, len(training_images) - 1, 0,
                                key="filter-fashion-index")
        return training_images[index]
    upload = st.file_uploader(f"a picture (at most {images.PICTURE_BYTES / 1e6:g} MB)",
                              key="filter-upload")
    if upload is None:
        st.info("Choose a picture file.", icon=":material/upload:")
        return None
    try:
        return filters.grayscale_picture(images.open_upload(upload.getvalue()))
    except ValueError as problem:
        st.error(str(problem), icon=":material/image_not_supported:")
        return None


def choose_kernel():
    preset = st.selectbox("filter", list(filters.PRESETS), index=1, key="filter-preset")
    cells = pandas.DataFrame([[f"{value:g}" for value in row]
                              for row in filters.preset_cells(preset)],
                             columns=["left", "middle", "right"]).astype("string")
    edited = st.data_editor(cells, key=f"filter-cells-{preset}", hide_index=True,
                            width="stretch")
    weight = st.number_input("weight (every result is multiplied by it)", value=1.0,
                             key="filter-weight", format="%g")
    st.caption(filters.PRESET_EXPLANATIONS[preset])
    return edited, weight


def render() -> None:
    picture_column, kernel_column = st.columns(2, gap="large")
    with picture_column:
        picture = choose_picture()
    with kernel_column:
        cells, weight = choose_kernel()
    if picture is None:
        return
    try:
        kernel = filters.parse_kernel(cells)
        steps = filters.pipeline(picture, kernel, weight)
    except ValueError as problem:
        st.error(str(problem), icon=":material/grid_on:")
        return
    st.markdown(filters.describe_kernel(kernel, weight))
    def size(step):
        height, width = steps.shapes[step]
        return f"{height} x {width}"

    stages = [(steps.image, f"input {size('image')}", False),
              (steps.convolved, f"convolved {size('convolved')}", True),
              (steps.after_relu, f"after ReLU {size('after_relu')}", False),
              (steps.pooled, f"2x2 max pooling {size('pooled')}", False)]
    for column, (values, title, signed) in zip(st.columns(4), stages):
        column.plotly_chart(picture_charts.filter_stage(values, title, signed),
                            key=f"filter-stage-{title.split()[0]}")
    st.caption("A 3x3 filter has no neighbours to use for the outermost pixels, so "
               "each side loses one: n becomes n - 2. Pooling keeps the largest of "
               "each 2x2 block: n becomes n / 2, rounded down. Hover for values.")
