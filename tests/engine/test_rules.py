import pytest

from engine import rules


def test_presets_apply_and_the_straight_ones_are_recognised():
    xs = [-40, 0, 100]
    assert list(rules.apply_rule(rules.PRESET_RULES["Celsius to Fahrenheit"], xs)) == [-40, 32, 212]
    assert rules.straight_line("1.8 * x + 32", xs) == pytest.approx((1.8, 32.0))
    assert rules.straight_line("y = 2 * x - 1", [0, 1, 2]) == pytest.approx((2.0, -1.0))
    assert rules.straight_line("x ** 2", [-1, 0, 1, 2]) is None


@pytest.mark.parametrize("rule, message", [
    ("", "empty"),
    ("2x + 1", "not a formula"),
    ("__import__('os').system('true')", "only numbers"),
    ("z * 2", "Unknown name 'z'"),
    ("'a' * x", "only numbers"),
    ("x ** 1000", "Keep powers small"),
    ("1 / x", "divides by zero at x = 0"),
    ("(-1) ** 0.5 * x", "no ordinary number"),
])
def test_unsafe_or_broken_rules_are_refused_with_a_sentence(rule, message):
    with pytest.raises(ValueError, match=message):
        rules.apply_rule(rule, [0, 1, 2])


def test_a_neuron_finds_celsius_to_fahrenheit_from_examples_alone():
    xs = [-40, -20, 0, 20, 40, 60, 80, 100]
    found = rules.find_rule(xs, rules.apply_rule("1.8 * x + 32", xs))
    assert found.weight == pytest.approx(1.8, abs=1e-3)
    assert found.bias == pytest.approx(32.0, abs=1e-2)
    assert found.history.diverged_at_epoch is None


def test_success_is_judged_against_the_rule_s_own_scale():
    """A weight off by 0.0001 is a miss for 0.001 * x (10% of it), while the neuron's own
    answer is a success, however small the rule's numbers."""
    xs = [-1.0, 0.0, 1.0, 2.0, 3.0, 4.0]
    answers = rules.apply_rule("0.001 * x", xs)
    line = rules.straight_line("0.001 * x", xs)
    learned = rules.find_rule(xs, answers, epochs=1000)
    assert rules.judge(learned, line, xs, answers, 1000).recovered
    nearly = rules.FoundRule(0.0011, 0.0, learned.history)
    assert not rules.judge(nearly, line, xs, answers, 1000).recovered  # 0.0001 * 4 > 1% of 0.004


def test_the_advice_s_step_size_is_the_recipe_s_learning_rate():
    import inspect

    from engine import recipes

    default = inspect.signature(recipes.rule_finder_model).parameters["learning_rate"].default
    assert rules.ADAM_STEP == default
