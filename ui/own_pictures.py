"""A learner's own pictures through a trained classifier: shared by the lessons on real
pictures, so every one of them refuses bad files the same way."""

import streamlit as st

from engine import charts
from engine import images


def classify(key: str, image_size: int, predict, class_names) -> None:
    """An uploader for several pictures; each one decoded and resized exactly as the training
    pictures were (engine.images.picture_pixels) and shown with `predict(pictures)`'s class
    probabilities, or a sentence saying why it was refused."""
    uploads = st.file_uploader(
        f"pictures to classify (at most {images.TRAINING_PICTURE_BYTES / 1e6:g} MB each)",
        accept_multiple_files=True, key=key)
    for upload in uploads or []:
        try:
            picture = images.picture_pixels(upload.getvalue(), (image_size, image_size))
        except ValueError as problem:
            st.error(f"{upload.name}: {problem}", icon=":material/image_not_supported:")
            continue
        probabilities = predict(picture[None].astype("float32"))[0]
        picture_column, bars_column = st.columns([1, 3])
        picture_column.image(picture, caption=upload.name)
        bars_column.plotly_chart(charts.probability_bars(probabilities, class_names),
                                 key=f"{key}-{upload.file_id}")
