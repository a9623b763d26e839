"""Lesson 1: Rules vs data. Rules + data -> answers, then answers + data -> rules."""

import pathlib

import streamlit as st

from engine import caps
from engine import recipes
from engine import rules
from engine import take_home_scripts
from engine import training
from engine import training_charts
from engine import typed_numbers
from ui import code
from ui import job_view
from ui import projector
from ui import tables
from ui import take_it_with_you
from ui import teacher_panel
from ui import tensorboard_option
from ui import understanding
from ui import url_state

DIAGRAM = pathlib.Path(__file__).parent.parent / "assets" / "rules_vs_data.svg"
OWN_RULE = "Write my own"


def preset_values(preset: str) -> dict:
    """The rule and xs a preset starts from."""
    return {"rule": rules.PRESET_RULES.get(preset, "3 * x + 1"),
            "xs": rules.default_xs_text(preset)}


# A new visitor starts from the preset and epochs of rules.default_job(), the run `python -m
# engine.prepare` trains (tests/app/test_prepared_lessons.py checks they agree).
LINK = url_state.Link.with_prefix(
    "rules-vs-data", {"preset": rules.DEFAULT_PRESET, **preset_values(rules.DEFAULT_PRESET),
                      "epochs": rules.DEFAULT_EPOCHS, "tensorboard": False},
    {"preset": [*rules.PRESET_RULES, OWN_RULE], "xs": typed_numbers.is_number_list,
     "epochs": range(50, rules.MOST_EPOCHS + 1, 50)},
    "")

st.title("Rules vs data")
projector.narrative(
    "In **traditional programming** a person writes the rules, and the computer applies "
    "them to data to produce answers. In **machine learning** we turn this around: we give "
    "the computer data *and the answers*, and it works out the rules."
)
st.image(str(DIAGRAM), caption="The two pipelines, as the course draws them.", width=760)

st.header("1. You write the rule")
LINK.start()
rule_column, data_column = st.columns([2, 3], gap="large")
with rule_column:
    preset = LINK.control("preset", st.selectbox, "Pick a rule", LINK.options["preset"],
                          on_change=lambda: LINK.use(preset_values(st.session_state["preset"])))
    rule_text = LINK.control("rule", st.text_input, "y =", disabled=preset != OWN_RULE,
                             help="Numbers, x, + - * / ** and parentheses, e.g. 3 * x + 1.")
    xs_text = LINK.control("xs", st.text_input, "data: the xs")
# Before the rule is checked, so that a link keeps even a rule with a mistake in it; the
# epochs slider below has its value in the session already.
LINK.write()
teacher_panel.show(LINK)

try:
    xs = typed_numbers.parse_numbers(xs_text, "xs")
    answers = rules.apply_rule(rule_text, xs)
    # The same limits as lesson 2's.
    typed_numbers.parse_examples(xs_text, typed_numbers.format_numbers(answers))
except ValueError as problem:
    with data_column:
        st.error(str(problem), icon=":material/edit_note:")
    st.stop()

with data_column:
    st.markdown("Traditional programming: **rules + data → answers**")
    tables.show({"x (data)": xs, "y (answer from your rule)": answers},
                hide_index=True, width="stretch")

st.header("2. A model finds the rule")
projector.narrative(
    "Now hide the rule. The model gets only the table above, data and answers, and must "
    "come up with a rule of its own: one neuron computing **y = w · x + b**, nudging `w` "
    "and `b` until its answers match yours. Machine learning: **answers + data → rules**."
)
epochs = LINK.control("epochs", st.slider, "how long it practises (epochs)", 50,
                      rules.MOST_EPOCHS, step=50)
tensorboard = tensorboard_option.checkbox(LINK)
st.caption(caps.sentence(rules.RUN_KIND))

rule_settings = rules.rule_settings(rule_text, xs, epochs, tensorboard)
run = job_view.train_on_opening(rules.job(rule_settings))
found = rules.found_from_run(run)
if found.history.diverged_at_epoch is not None:
    st.error("The answers are too large for this neuron to learn from: training blew up. "
             "Use smaller xs or a gentler rule.", icon=":material/warning:")
    st.stop()

line = rules.straight_line(rule_text, xs)
learned, truth = st.columns(2)
with learned:
    st.subheader("The rule the model found")
    st.markdown(f"### y = {found.weight:.4f} · x {'+' if found.bias >= 0 else '−'} "
                f"{abs(found.bias):.4f}")
with truth:
    st.subheader("Your rule")
    st.markdown(f"### y = {rule_text.split('=', 1)[-1].strip()}")
    if line is not None:
        st.caption(f"as a straight line: slope {line[0]:.4f}, intercept {line[1]:.4f}")

if line is None:
    st.info("Your rule is not a straight line, and one neuron can only draw straight lines: "
            "it found the straight line closest to your answers. Lessons 3 and 4 stack "
            "many neurons, which can bend.", icon=":material/lightbulb:")
else:
    verdict = rules.judge(found, line, xs, answers, epochs)
    if verdict.recovered:
        st.success(verdict.message, icon=":material/check_circle:")
    else:
        st.warning(verdict.message, icon=":material/lightbulb:")

chart_column, loss_column = st.columns(2)
chart_column.plotly_chart(training_charts.examples_and_line(xs, answers, found.weight,
                                                            found.bias), key="line")
loss_column.plotly_chart(training_charts.loss_curve(found.history.losses), key="loss")
tensorboard_option.show_logs(rule_settings)

with projector.code_expander("The code that ran"):
    code.show_code(rules.apply_rule, rules.find_rule, recipes.one_neuron_model,
                   recipes.rule_finder_model,
                   *([training.full_batch_tensorboard_logs] if tensorboard else []))

st.subheader("Take it with you")
take_it_with_you.offer_neuron("rules_vs_data", run,
                              take_home_scripts.rules_script(rule_settings), "rules-take-home")

understanding.section("rules-vs-data", run)
