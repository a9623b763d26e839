import pytest

from tests.app import helpers

PAGE = "lessons/real_world_images.py"


@pytest.fixture
def page(classroom_data_dir):
    app = helpers.run_page(PAGE, timeout=300)
    app.select_slider(key="real-image_size").set_value(100).run()
    app.slider(key="real-epochs").set_value(1).run()
    app.select_slider(key="real-conv_blocks").set_value(3).run()
    return app


def test_folders_become_labels_and_a_batch_is_shown(page):
    labels = page.dataframe[0].value
    assert list(labels["folder"]) == ["horses", "humans"] and list(labels["label"]) == [0, 1]
    assert "500 training and 256 validation pictures" in page.caption[0].value
    grid = helpers.chart_figure(page, "batch-grid")
    assert len(grid["data"]) == 16
    assert any("it is **binary**" in caption.value for caption in page.caption)


def test_cats_and_dogs_are_binary_too(page):
    page.selectbox(key="real-dataset").set_value("Cats vs dogs (filtered)").run()
    helpers.assert_no_exception(page)
    assert list(page.dataframe[0].value["folder"]) == ["cats", "dogs"]


def test_training_reports_time_and_accuracy_and_lists_the_run(page):
    helpers.train(page)
    metrics = helpers.metric_values(page)
    assert 0.0 <= float(metrics["validation accuracy"]) <= 1.0
    runs = next(frame.value for frame in page.dataframe if "seconds" in frame.value)
    assert list(runs["image size"]) == [100] and list(runs["blocks"]) == [3]
    assert "folder-becomes-label" in helpers.asked_questions(page, "real-world-images")
    assert len(helpers.plotly_array(helpers.chart_figure(page, "real-loss")["data"][0]["y"])) == 1


def test_a_missing_dataset_says_how_to_get_it(page, classroom_data_dir):
    page.selectbox(key="real-dataset").set_value("Rock, paper, scissors (three classes)").run()
    helpers.assert_no_exception(page)
    message = page.error[0].value
    assert "python -m engine.prepare" in message and str(classroom_data_dir) not in message


def test_a_folder_on_this_computer_can_be_used(page, classroom_data_dir):
    from engine import registry

    page.selectbox(key="real-dataset").set_value(
        "A folder on this computer (when the classroom runs on it)").run()
    page.text_input(key="real-folder").set_value(
        str(registry.image_folder("cats_and_dogs_filtered", "validation"))).run()
    helpers.assert_no_exception(page)
    assert list(page.dataframe[0].value["folder"]) == ["cats", "dogs"]
    assert "160 training and 40 validation pictures" in page.caption[0].value  # 80/20 split
    page.text_input(key="real-folder").set_value("/no/such/folder").run()
    assert "There is no folder at /no/such/folder" in page.error[0].value


def a_png_picture() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 120, 40)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_a_two_class_model_s_chart_is_titled_after_its_one_sigmoid_output(page):
    if "train" in [button.key for button in page.button]:
        page.button(key="train").click().run()
    uploader = next(widget for widget in page.get("file_uploader") if widget.key == "real-predict")
    uploader.set_value(("brown.png", a_png_picture(), "image/png")).run()
    helpers.assert_no_exception(page)
    titles = [json_title(chart) for chart in page.get("plotly_chart")]
    assert "The one number the model outputs, p = P(humans); horses gets 1 - p" in titles
    assert not any("ten numbers" in title for title in titles)


def json_title(chart) -> str:
    import json

    title = json.loads(chart.proto.spec)["layout"].get("title", {})
    return title.get("text", "") if isinstance(title, dict) else str(title)
