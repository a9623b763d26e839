"""What a trained Fashion-MNIST classifier got right and wrong, shared by lessons 3 and 4:
confusion matrix with the images behind any cell, per-class accuracy, the ten numbers for
any test image, and the learner's own picture."""

import numpy
import streamlit as st

from engine import charts
from engine import datasets
from engine import fashion_mnist
from engine import images
from engine import picture_charts

CLASS_NAMES = datasets.FASHION_MNIST_CLASS_NAMES


def show_confusion(test_images, test_labels, probabilities, key: str) -> None:
    predicted = probabilities.argmax(axis=1)
    matrix = fashion_mnist.confusion_matrix(test_labels, predicted)
    matrix_column, bars_column = st.columns([3, 2])
    matrix_column.plotly_chart(charts.confusion_matrix(matrix, CLASS_NAMES), key=f"{key}-matrix")
    bars_column.plotly_chart(charts.per_class_bars(fashion_mnist.per_class_accuracy(matrix),
                                                   CLASS_NAMES), key=f"{key}-per-class")

    st.markdown("**Open a cell of the matrix**: which pictures are behind it?")
    true_column, predicted_column = st.columns(2)
    true_class = true_column.selectbox("true class", range(10), index=6, key=f"{key}-true",
                                       format_func=CLASS_NAMES.__getitem__)
    predicted_class = predicted_column.selectbox("predicted class", range(10), index=0,
                                                 key=f"{key}-predicted",
                                                 format_func=CLASS_NAMES.__getitem__)
    indices = numpy.flatnonzero((test_labels == true_class) & (predicted == predicted_class))
    st.caption(f"{len(indices)} test pictures are {CLASS_NAMES[true_class]} and were "
               f"called {CLASS_NAMES[predicted_class]}; showing up to 16.")
    if len(indices):
        shown = indices[:16]
        st.plotly_chart(picture_charts.picture_grid(test_images[shown],
                                                    [f"#{index}" for index in shown]),
                        key=f"{key}-cell-grid")


def show_probabilities(model, test_images, test_labels, probabilities, key: str) -> None:
    st.markdown("**What are the numbers?** The last layer has ten neurons, one per "
                "class; softmax turns their outputs into probabilities that add up to "
                "1, and the prediction is the largest.")
    index = st.number_input("test picture number", 0, len(test_images) - 1, 0,
                            key=f"{key}-index")
    picture_column, bars_column = st.columns([1, 3])
    label = int(test_labels[index])
    picture_column.plotly_chart(picture_charts.picture_grid([test_images[index]],
                                                            [f"truly: {CLASS_NAMES[label]}"],
                                                            columns=1, height_per_row=220),
                                key=f"{key}-picture")
    bars_column.plotly_chart(charts.probability_bars(probabilities[index], CLASS_NAMES, label),
                             key=f"{key}-bars")


def show_own_picture(model, key: str, normalise: bool = True) -> None:
    """The learner's photo made Fashion-MNIST-like, step by step, and classified; scaled as
    the model's training pictures were (`normalise`, lesson 3's setting)."""
    st.markdown("**Your own picture.** Photograph or draw one piece of clothing on a "
                "plain background; see it turned into what the model sees.")
    upload = st.file_uploader(f"a picture (at most {images.PICTURE_BYTES / 1e6:g} MB)",
                              type=None, key=f"{key}-upload")
    if upload is None:
        return
    try:
        steps = images.to_fashion_mnist_input(images.open_upload(upload.getvalue()))
    except ValueError as problem:
        st.error(str(problem), icon=":material/image_not_supported:")
        return
    columns = st.columns(4)
    columns[0].image(steps.grayscale, caption="grey", clamp=True)
    columns[1].image(steps.light_on_dark, caption="inverted: light on black" if steps.inverted
                     else "already light on black", clamp=True)
    columns[2].image(steps.cropped, caption="cropped to the item", clamp=True)
    columns[3].image(steps.canvas, caption="centred on 28 x 28", clamp=True, width=140)
    probabilities = fashion_mnist.predict_one(model, steps.canvas, normalise)
    best = int(probabilities.argmax())
    st.success(f"The model says: **{CLASS_NAMES[best]}** ({probabilities[best]:.0%}).")
    st.plotly_chart(charts.probability_bars(probabilities, CLASS_NAMES),
                    key=f"{key}-own-bars")
