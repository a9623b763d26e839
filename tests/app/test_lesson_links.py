"""Links a teacher hands out: every lesson's settings travel in the address bar and come back
into its controls; a value a control does not offer is ignored with a warning; locked controls
are drawn disabled, hidden ones not at all, and a lock that does not parse is reported."""

import pathlib

import pytest
from streamlit.testing.v1 import AppTest

from engine import hello_neuron
from tests.app import helpers

def link(page: str, prefix: str, values: dict, bad: tuple, keys: dict = None,
         also: dict = None):
    """One lesson's row of LINKS: its page, a link's parameters, the value each should put
    into its control (widget key -> value), and one parameter with a value the lesson does
    not offer. `values` maps a parameter to the value its control shows, or to (its text in
    the link, the value its control shows) when the two differ. A control's key is `prefix`
    and the parameter's name unless `keys` names another; `also`: other controls the link
    sets (widget key -> value)."""
    values = {name: shown if isinstance(shown, tuple) else (shown, shown)
              for name, shown in values.items()}
    keys = {name: (keys or {}).get(name, prefix + name) for name in values}
    expected = {keys[name]: shown for name, (_, shown) in values.items()}
    return pytest.param(page, {name: text for name, (text, _) in values.items()},
                        {**expected, **(also or {})}, bad,
                        id=pathlib.Path(page).stem.replace("_", "-"))


LINKS = [
    link("lessons/rules_vs_data.py", "",
         {"preset": "Write my own", "rule": "5 * x - 2", "xs": "0, 1, 2, 3"},
         ("epochs", "75"), also={"epochs": 1000}),  # the slider moves in steps of 50
    link("lessons/hello_neuron.py", "",
         {"ys": "2, 3, 4, 5, 6, 7", "epochs": ("300", 300), "learning_rate": ("0.03", 0.03)},
         ("seed", "-1")),
    link("lessons/fashion_mnist.py", "setting-",
         {"callback": ("false", False),  # the callback is on by default: off here
          "target_accuracy": ("0.9", 0.9), "normalise": ("false", False),
          "training_images": ("6000", 6000)},
         ("batch_size", "100")),
    link("lessons/convolutions.py", "cnn-",
         {"filters": ("16", 16), "conv_blocks": ("1", 1), "epochs": ("3", 3),
          "seed": ("9", 9)},
         ("batch_size", "100")),
    link("lessons/real_world_images.py", "real-",
         {"dataset": ("cats_and_dogs_filtered", "Cats vs dogs (filtered)"),
          "image_size": ("100", 100), "epochs": ("2", 2)},
         ("conv_blocks", "9")),
    link("lessons/augmentation.py", "augment-",
         {"rotation_range": ("90", 90), "horizontal_flip": ("false", False),
          "fill_mode": "reflect", "epochs": ("4", 4),
          "dataset": ("horse-or-human", "Horses or humans"),
          "experiment": ("horse-or-human", "Horses or humans")},
         ("zoom_range", "0.33")),
    link("lessons/transfer_learning.py", "transfer-",
         {"dataset": ("cats_and_dogs_filtered", "Cats vs dogs (filtered)"),
          "batch_size": ("32", 32), "seed": ("3", 3)},
         ("views", "5"), keys={"batch_size": "transfer-batch"}),
]


def open_link(page: str, parameters: dict) -> AppTest:
    """A new learner opening the page with these query parameters (a list repeats one)."""
    app = AppTest.from_file(str(helpers.REPOSITORY / page), default_timeout=180)
    for name, value in parameters.items():
        app.query_params[name] = value
    app.run()
    helpers.assert_no_exception(app)
    return app


def widget(app: AppTest, key: str):
    return next(element for element in helpers.controls(app) if element.key == key)


def address(app: AppTest) -> dict:
    """The address bar's parameters as name -> list of values."""
    return {name: value if isinstance(value, list) else [value]
            for name, value in dict(app.query_params).items()}


@pytest.mark.parametrize(("page", "parameters", "expected", "bad"), LINKS)
def test_a_link_lands_in_the_controls_and_stays_in_the_address(classroom_data_dir, page,
                                                               parameters, expected, bad):
    assert bad[0] not in parameters
    app = open_link(page, {**parameters, bad[0]: bad[1]})
    assert {key: widget(app, key).value for key in expected} == expected
    warnings = [warning.value for warning in app.warning]
    assert any(f"{bad[0]}={bad[1]} is not a value this lesson offers" in warning
               for warning in warnings), warnings
    link = address(app)
    assert {name: link.get(name) for name in parameters} == {
        name: [value] for name, value in parameters.items()}
    assert bad[0] not in link  # the address no longer carries what was not used


def test_a_link_names_the_run_the_controls_name(classroom_data_dir):
    """Opening a link shows the same run as setting its values by hand."""
    settings = {"epochs": "120", "learning_rate": "0.03", "seed": "5"}
    by_link = open_link("lessons/hello_neuron.py", settings)
    helpers.wait_for_jobs()
    by_link.run()
    by_hand = helpers.set_controls(helpers.run_page("lessons/hello_neuron.py"),
                                   {"epochs": 120, "learning_rate": 0.03, "seed": 5})
    helpers.wait_for_jobs()
    by_hand.run()
    curve = helpers.chart_figure(by_link, "loss")["data"][0]["y"]
    assert len(helpers.plotly_array(curve)) == 120
    assert helpers.metric_values(by_link) == helpers.metric_values(by_hand)


NEURON = "lessons/hello_neuron.py"


def test_locked_controls_are_disabled_and_hidden_ones_absent(classroom_data_dir):
    app = open_link(NEURON, {"epochs": "60", "lock": ["epochs:60"],
                             "hide": ["learning_rate:0.03"]})
    assert app.slider(key="epochs").disabled and app.slider(key="epochs").value == 60
    assert any(caption.value.endswith("epochs: set by your teacher") for caption in app.caption)
    assert "learning_rate" not in [element.key for element in helpers.controls(app)]
    assert not app.number_input(key="seed").disabled
    helpers.wait_for_jobs()
    app.run()
    expected = hello_neuron.train_hello_neuron(hello_neuron.COURSE_XS, hello_neuron.COURSE_YS,
                                               epochs=60, learning_rate=0.03, seed=0)
    assert float(helpers.metric_values(app)["weight w"]) == pytest.approx(
        expected.weight, abs=1e-4)  # the hidden learning rate is the one that trained
    assert address(app)["lock"] == ["epochs:60"] and address(app)["hide"] == [
        "learning_rate:0.03"]


def test_a_learner_cannot_undo_a_lock_with_other_parameters(classroom_data_dir):
    app = open_link(NEURON, {"epochs": "50", "lock": ["epochs:3", "", "epochs:9"],
                             "hide": ["seeds:1"]})
    assert app.slider(key="epochs").value == 3 and app.slider(key="epochs").disabled
    warnings = " ".join(warning.value for warning in app.warning)
    assert "The link's epochs=50 is ignored: your teacher set epochs to 3." in warnings
    assert "The link's lock= locks nothing: it names no control" in warnings
    assert "lock=epochs:9 is ignored: an earlier lock sets epochs to 3" in warnings
    assert "The link's hide=seeds:1 locks nothing: this lesson has no control called 'seeds'" in (
        warnings)
    assert not app.number_input(key="seed").disabled  # the broken hide locks nothing


def test_a_lock_that_does_not_parse_locks_nothing_and_says_so(classroom_data_dir):
    app = open_link(NEURON, {"lock": ["epochs:many"]})
    assert not app.slider(key="epochs").disabled and app.slider(key="epochs").value == 500
    assert any("lock=epochs:many locks nothing: many is not a value the epochs control offers"
               in warning.value for warning in app.warning)
    assert "lock" not in address(app)


def test_a_bare_lock_takes_the_link_s_value_and_the_teacher_s_buttons_cannot_move_it(
        classroom_data_dir):
    app = open_link("lessons/convolutions.py", {"epochs": "3", "lock": ["epochs"]})
    assert app.slider(key="cnn-epochs").value == 3 and app.slider(key="cnn-epochs").disabled
    app.button(key="cnn-course").click().run()  # the course's recipe: 5 epochs, 64 filters
    assert app.slider(key="cnn-epochs").value == 3
    assert app.select_slider(key="cnn-filters").value == 64


def lesson_or_elsewhere(page: str) -> None:
    """The lesson, or (while the session's "elsewhere" is set) another page without its
    controls, as when the learner opens another lesson in the sidebar."""
    import runpy

    import streamlit as st

    if st.session_state.get("elsewhere"):
        st.title("Another lesson")
    else:
        runpy.run_path(page, run_name="__main__")


def test_locks_stay_when_the_learner_comes_back_through_the_sidebar(classroom_data_dir):
    app = AppTest.from_function(lesson_or_elsewhere, args=(str(helpers.REPOSITORY / NEURON),),
                                default_timeout=180)
    app.query_params["lock"] = ["epochs:40"]
    app.run()
    assert app.slider(key="epochs").disabled
    app.session_state["elsewhere"] = True
    app.query_params.clear()  # another page: Streamlit forgets this one's controls
    app.run()
    assert not app.slider
    app.session_state["elsewhere"] = False  # back through the sidebar: a bare address
    app.run()
    helpers.assert_no_exception(app)
    assert app.slider(key="epochs").value == 40 and app.slider(key="epochs").disabled
    assert address(app)["lock"] == ["epochs:40"]


def test_the_teacher_panel_builds_a_link_that_locks_and_hides(classroom_data_dir):
    app = helpers.run_page(NEURON)
    app.slider(key="epochs").set_value(80).run()
    app.multiselect(key="teacher-lock-hello-neuron").set_value(["epochs"]).run()
    app.multiselect(key="teacher-hide-hello-neuron").set_value(["seed"]).run()
    link = app.sidebar.code[0].value
    assert link == "?lock=epochs:80&hide=seed:0"
    assert address(app) == {"epochs": ["80"]}  # the teacher's own page stays unlocked
    learner = open_link(NEURON, {"lock": ["epochs:80"], "hide": ["seed:0"]})
    assert learner.slider(key="epochs").disabled and learner.slider(key="epochs").value == 80
    assert "seed" not in [element.key for element in helpers.controls(learner)]
    assert not learner.sidebar.multiselect  # no teacher panel to build an unlocked link


def test_projector_mode_folds_the_narrative_and_unfolds_the_code(classroom_data_dir):
    plain = helpers.run_page("lessons/rules_vs_data.py")
    projected = open_link("lessons/rules_vs_data.py", {"projector": "true"})
    story = "In **traditional programming** a person writes the rules"
    assert any(markdown.value.startswith(story) for markdown in plain.main.markdown)
    folded = [expander for expander in projected.expander
              if expander.label == "The lesson's text"]
    assert any(markdown.value.startswith(story) for expander in folded
               for markdown in expander.markdown)
    assert not any(expander.label == "The lesson's text" for expander in plain.expander)
    code_that_ran = {app: next(expander for expander in app.expander
                               if expander.label == "The code that ran")
                     for app in (plain, projected)}
    assert code_that_ran[projected].proto.expanded and not code_that_ran[plain].proto.expanded


def test_a_locked_pixel_scaling_stays_when_the_learner_changes_network(classroom_data_dir):
    # MobileNet's own default is -1..1: the teacher locks the course's 0..1 instead.
    app = open_link("lessons/transfer_learning.py", {"network": "MobileNet 0.25",
                                                     "lock": ["pixel_scaling:course"]})
    scaling = app.radio(key="transfer-scaling")
    assert scaling.disabled and scaling.value == "course"
    app.radio(key="transfer-base").set_value("InceptionV3").run()
    assert app.radio(key="transfer-scaling").value == "course"
    app.radio(key="transfer-base").set_value("MobileNet 0.25").run()
    helpers.assert_no_exception(app)
    assert app.radio(key="transfer-scaling").value == "course"
    assert address(app)["lock"] == ["pixel_scaling:course"]


def test_an_unlocked_pixel_scaling_follows_the_network(classroom_data_dir):
    app = open_link("lessons/transfer_learning.py", {"network": "MobileNet 0.25"})
    assert app.radio(key="transfer-scaling").value == "network"  # MobileNet's own default
    app.radio(key="transfer-base").set_value("InceptionV3").run()
    assert app.radio(key="transfer-scaling").value == "course"  # the course's way
    assert "pixel_scaling" not in address(app)  # each network's default: nothing to write


def test_a_lock_on_numbers_the_page_cannot_read_locks_nothing_and_says_so(classroom_data_dir):
    # Free-text boxes too: a locked xs of "abc" would leave a greyed-out box with an error.
    app = open_link(NEURON, {"lock": ["xs:abc"]})
    assert not app.text_input(key="xs").disabled
    assert app.text_input(key="xs").value == "-1, 0, 1, 2, 3, 4"  # the course's xs
    assert any("lock=xs:abc locks nothing" in warning.value for warning in app.warning)
    assert not app.error  # nothing the learner cannot fix


def test_lesson_7s_link_carries_the_weights_and_the_augmentation(classroom_data_dir):
    app = open_link("lessons/transfer_learning.py", {"network": "MobileNet 0.25",
                                                     "weights": "random",
                                                     "augmentation": "course",
                                                     "lock": ["weights:random"]})
    helpers.assert_no_exception(app)
    weights = app.radio(key="transfer-weights-source")
    assert weights.value == "no pretrained knowledge (random weights)" and weights.disabled
    assert app.radio(key="transfer-augmentation").value == "the course's values"
    assert address(app)["augmentation"] == ["course"]
    assert address(app)["lock"] == ["weights:random"]
    # A learner's own file cannot travel in a link: the address leaves the weights out.
    plain = open_link("lessons/transfer_learning.py", {"network": "MobileNet 0.25"})
    plain.radio(key="transfer-weights-source").set_value("a weights file on this computer").run()
    assert "weights" not in address(plain)
