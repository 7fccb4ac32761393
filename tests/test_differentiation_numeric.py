"""Finite differences meet the accuracy each scheme promises, and say what they cost."""
import warnings

import numpy as np
import pytest
import sympy

import diffkit as dk
from diffkit.differentiation import ConvergenceWarning, Numeric, NumericInfo, Reverse, RoundoffWarning

X = sympy.Symbol("x")
SMOOTH = {
    "sin·exp": (lambda x: dk.sin(x) * dk.exp(x), sympy.sin(X) * sympy.exp(X)),
    "log/cos + tanh³": (lambda x: dk.log(1 + x**2) / (2 + dk.cos(3 * x)) + dk.tanh(x) ** 3,
                        sympy.log(1 + X**2) / (2 + sympy.cos(3 * X)) + sympy.tanh(X) ** 3),
    "sigmoid·sqrt + atan": (lambda x: dk.sigmoid(x) * dk.sqrt(x) + dk.atan(x),
                            sympy.sqrt(X) / (1 + sympy.exp(-X)) + sympy.atan(X)),
}
TARGETS = {"forward": 1e-7, "backward": 1e-7, "central": 1e-9, "five-point": 1e-11, "richardson": 1e-12,
           "complex-step": 1e-15}


def _well_conditioned_points(expression):
    """Points of [0.3, 3] with exact derivatives, keeping those where |f'| >= |f|/2: every
    difference quotient loses eps·|f|/h, so the relative error of f' grows as |f/f'| wherever
    f' nearly vanishes, whatever the scheme."""
    derivative = sympy.diff(expression, X)
    points = []
    for x in np.linspace(0.3, 3.0, 19):
        exact = float(derivative.evalf(50, subs={X: sympy.Float(x, 50)}))
        if abs(exact) >= abs(float(expression.evalf(30, subs={X: x}))) / 2:
            points.append((x, exact))
    return points


@pytest.mark.parametrize("scheme", sorted(TARGETS))
@pytest.mark.parametrize("name", sorted(SMOOTH))
def test_accuracy_targets_on_smooth_functions(scheme, name):
    f, expression = SMOOTH[name]
    points = _well_conditioned_points(expression)
    assert len(points) >= 7
    derivative = Numeric(scheme).derivative(f)
    worst = max(abs(derivative(x) - exact) / abs(exact) for x, exact in points)
    assert worst <= TARGETS[scheme]


@pytest.mark.parametrize("scheme", ["forward", "central", "five-point", "richardson", "complex-step"])
def test_full_output_reports_error_evaluations_and_step(scheme):
    f, expression = SMOOTH["sin·exp"]
    exact = float(sympy.diff(expression, X).evalf(30, subs={X: 1.3}))
    value, info = Numeric(scheme, full_output=True).derivative(f)(1.3)
    assert isinstance(info, NumericInfo) and info.scheme == scheme
    assert abs(value - exact) <= max(info.error * 10, 1e-15 * abs(exact))  # the estimate bounds the error
    assert info.error < TARGETS[scheme] * abs(exact) * 100
    assert info.step > 0 and info.evaluations >= 1


def test_evaluation_counts():
    counts = {s: 0 for s in TARGETS}
    for scheme in counts:
        backend = Numeric(scheme)
        backend.derivative(dk.sin)(0.7)
        counts[scheme] = backend.cost["evaluations"]
    assert counts == {"forward": 2, "backward": 2, "central": 2, "five-point": 4, "complex-step": 1,
                      "richardson": 14}
    backend = Numeric("forward")
    backend.grad(lambda x: dk.sum(x**2))(np.ones(5))
    assert backend.cost["evaluations"] == 6  # f(x) once, shared by the five directions


def test_auto_step_balances_truncation_and_round_off():
    eps = np.finfo(float).eps
    assert Numeric("forward").step(np.float64(0.5)) == pytest.approx(eps**0.5, rel=1e-6)
    assert Numeric("central").step(np.float64(0.5)) == pytest.approx(0.5 * eps ** (1 / 3), rel=1e-6)
    assert Numeric("five-point").step(np.float64(0.5)) == pytest.approx(0.2 * eps ** (1 / 5), rel=1e-6)
    assert Numeric("central").step(np.float64(100.0)) == pytest.approx(50 * eps ** (1 / 3), rel=1e-6)  # scaled
    h = Numeric("central").step(np.float64(0.3))
    assert (0.3 + h) - 0.3 == h  # exactly representable


def test_explicit_step_shows_the_error_vs_h_trade_off():
    f, exact = dk.exp, np.exp(1.0)
    with pytest.warns(RoundoffWarning, match="round-off dominates"):  # only h=1e-14 warns
        errors = {h: abs(Numeric("forward", h=h).derivative(f)(1.0) - exact) for h in (1e-2, 1e-8, 1e-14)}
    assert errors[1e-8] < errors[1e-2] / 1e4  # truncation dominates at large h
    assert errors[1e-8] < errors[1e-14] / 1e4  # round-off at small h
    assert abs(Numeric("complex-step", h=1e-100).derivative(f)(1.0) - exact) < 1e-15 * exact


def test_vector_gradient_jacobian_hessian():
    f = lambda x: dk.sum(dk.sin(x) * x**2) + x[0] * dk.exp(x[1])  # noqa: E731
    x = np.array([0.4, 1.1, -0.6])
    reverse = Reverse()
    grad, hess = reverse.grad(f)(x), reverse.hessian(f)(x)
    accuracy = {"forward": (1e-7, 1e-4), "central": (1e-9, 1e-7), "five-point": (1e-11, 1e-9),
                "complex-step": (1e-15, 1e-9), "richardson": (1e-12, 1e-11)}
    for scheme, (grad_tol, hess_tol) in accuracy.items():
        numeric = Numeric(scheme)
        assert numeric.grad(f)(x) == pytest.approx(grad, rel=grad_tol, abs=grad_tol)
        assert numeric.hessian(f)(x) == pytest.approx(hess, rel=hess_tol, abs=hess_tol)
    g = lambda x: [x[0] * x[1], dk.tanh(x[2]) + x[0]]  # noqa: E731
    assert Numeric("complex-step").jacobian(g)(x) == pytest.approx(reverse.jacobian(g)(x), rel=1e-15)


def test_rejects_unknown_scheme_and_bad_step():
    with pytest.raises(ValueError, match="scheme"):
        Numeric("sideways")
    with pytest.raises(ValueError, match="h must be"):
        Numeric("central", h=-1.0)


def test_richardson_near_a_kink_reports_an_infinite_error_and_says_why():
    """Every step straddles the kink of |x| at x = 1e-3: D(h) = x/h doubles per halving, and the
    table's own error estimate (8e-5 for a value of 0.62, true 1) must not be believed."""
    richardson = Numeric("richardson", full_output=True)
    with pytest.warns(ConvergenceWarning, match="did not settle"):
        value, info = richardson.derivative_at(np.abs, np.array([1e-3, 0.5, -1e-4]))
    assert np.isinf(info.error[[0, 2]]).all() and info.error[1] < 1e-12 and value[1] == pytest.approx(1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # smooth, or a kink outside every stencil: no warning
        for f, x in [(np.abs, 0.3), (np.exp, 10.0), (lambda t: np.sin(100 * t), 0.3), (lambda t: t**2, 3.0)]:
            _, info = richardson.derivative_at(f, x)
            assert info.error < 1e-8


def test_hessian_error_estimates_bound_the_error_and_zero_entries_do_not_look_like_kinks():
    """The outer level of a numeric Hessian differences gradients that are estimates, so their
    round-off, not eps, is its noise floor. Before: Richardson took the noise of the zero mixed
    partials of a separable f for a kink (ConvergenceWarning, error inf), and the five-point
    error estimate was 14 times below the actual error."""
    f = lambda x: dk.sum(dk.sin(x) * dk.exp(x))  # noqa: E731 - separable: off-diagonal zeros
    x = np.array([0.3, 1.0, 2.0])
    exact = np.diag(2 * np.exp(x) * np.cos(x))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for scheme in ("central", "five-point", "complex-step", "richardson"):
            hessian, info = Numeric(scheme, full_output=True).hessian(f)(x)
            error = np.abs(hessian - exact)
            assert np.isfinite(info.error).all() and (error <= info.error).all(), scheme
            assert info.error.max() < {"central": 1e-6, "five-point": 3e-8, "complex-step": 1e-9,
                                       "richardson": 1e-9}[scheme]
        assert np.abs(Numeric("richardson").hessian(f)(x) - exact).max() < 1e-10


def test_richardson_reports_its_finest_step_for_gradients_too():
    f = lambda x: dk.sum(x**3)  # noqa: E731
    _, info = Numeric("richardson", full_output=True).grad(f)(np.array([0.5, 4.0]))
    _, scalar = Numeric("richardson", full_output=True).derivative(f)(4.0)
    assert info.step.tolist() == [0.125 / 64, 0.5 / 64] and scalar.step == 0.5 / 64
