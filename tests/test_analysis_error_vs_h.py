"""Experiment 2: the measured error curves have the slopes and the optimum theory predicts."""
import math

import numpy as np
import pytest

import diffkit as dk
from diffkit.analysis.error_vs_h import SMOOTH, error_vs_h, optimal_step

FIXED_ORDER = {"forward": 1, "central": 2, "five-point": 4}


@pytest.fixture(scope="module")
def l4():
    return error_vs_h()


def test_exact_derivative_is_the_papers(l4):
    assert l4.exact == pytest.approx(9.0660864, abs=1e-12)
    assert l4.x0 == 0.2


@pytest.mark.parametrize("scheme,order", [*FIXED_ORDER.items(), ("complex-step", 2)])
def test_truncation_slopes(l4, scheme, order):
    assert l4.curve(scheme).truncation_slope == pytest.approx(order, abs=0.15)


@pytest.mark.parametrize("scheme", FIXED_ORDER)
def test_roundoff_slope_is_minus_one(l4, scheme):
    assert l4.curve(scheme).roundoff_slope == pytest.approx(-1, abs=0.2)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("scheme", FIXED_ORDER)
def test_best_h_is_within_10x_of_theory(l4, scheme, dtype):
    curve = l4.curve(scheme, dtype)
    assert 0.1 < curve.best_h / curve.theory_h < 10


def test_best_errors_follow_the_order(l4):
    best = {s: l4.curve(s).best_error for s in ("forward", "central", "five-point", "complex-step")}
    assert best["forward"] > 100 * best["central"] > 100 * best["five-point"]
    assert best["complex-step"] < 1e-14
    assert math.isnan(l4.curve("complex-step").roundoff_slope)  # no round-off branch to fit


def test_float32_is_worse_by_the_ratio_of_epsilons(l4):
    for scheme, order in FIXED_ORDER.items():
        ratio = l4.curve(scheme, "float32").best_error / l4.curve(scheme).best_error
        expected = (np.finfo(np.float32).eps / np.finfo(np.float64).eps) ** (order / (order + 1))
        assert expected / 30 < ratio < expected * 30


def test_theory_reduces_to_the_rules_of_thumb():
    eps = np.finfo(float).eps
    # f and its derivatives of order one: h* ≈ √ε, ε^(1/3), ε^(1/5) up to constants of order one
    for scheme, order in FIXED_ORDER.items():
        assert 0.3 < optimal_step(scheme, 1.0, 1.0, eps) / eps ** (1 / (order + 1)) < 3
    assert math.isnan(optimal_step("complex-step", 1.0, 1.0, eps))


@pytest.mark.parametrize("label,f,x0", SMOOTH)
def test_other_smooth_functions(label, f, x0):
    result = error_vs_h(f, x0, label, schemes=tuple(FIXED_ORDER), dtypes=("float64",))
    for scheme, order in FIXED_ORDER.items():
        curve = result.curve(scheme)
        assert curve.truncation_slope == pytest.approx(order, abs=0.2)
        assert 0.1 < curve.best_h / curve.theory_h < 10


@pytest.mark.parametrize("f,what", [(abs, "derivative of order 3"), (lambda x: 1 / x, "value"),
                                    (lambda x: dk.sqrt(x), "derivative of order 1")])
def test_no_error_model_at_a_kink_a_pole_or_a_domain_edge(f, what):
    """The truncation term needs f^(p+1)(x0): DiracDelta(0), 1/0 or sqrt's infinite slope said
    'Cannot convert expression to float' or raised an empty ZeroDivisionError."""
    with pytest.raises(ValueError, match=f"no finite {what} at x = 0: .* away from kinks, poles"):
        error_vs_h(f, 0.0, schemes=("central",), dtypes=("float64",))


def test_unknown_scheme_or_dtype():
    with pytest.raises(ValueError, match="unknown scheme"):
        error_vs_h(schemes=("sideways",))
    with pytest.raises(ValueError, match="unknown dtype"):
        error_vs_h(dtypes=("float16",), schemes=("central",))
