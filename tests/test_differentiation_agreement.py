"""Rosenbrock and friends: grad, Jacobian and Hessian agree across all four methods; the
API takes names, options and user-written backends."""
import numpy as np
import pytest

import diffkit as dk
from diffkit.differentiation import Differentiator, Forward, Numeric, Reverse, Symbolic

POINTS = [np.array([1.2, 0.7, -0.3]), np.array([-1.5, 2.0, 0.4, 1.1])]
EXACT = ("symbolic", "reverse", "forward")
NUMERIC = {"numeric": (1e-10, 1e-8), "numeric:complex-step": (1e-15, 1e-10), "numeric:richardson": (1e-12, 1e-12)}


def rosenbrock(x):
    return dk.sum(100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2)


def residuals(x):  # Rosenbrock as a least-squares problem: f = |r|²
    return dk.cat([10 * (x[1:] - x[:-1] ** 2), 1 - x[:-1]])


def rosenbrock_grad(x):
    g = np.zeros_like(x)
    g[:-1] = -400 * x[:-1] * (x[1:] - x[:-1] ** 2) - 2 * (1 - x[:-1])
    g[1:] += 200 * (x[1:] - x[:-1] ** 2)
    return g


def rosenbrock_hessian(x):
    n = x.size
    h = np.zeros((n, n))
    for i in range(n - 1):
        h[i, i] += 1200 * x[i] ** 2 - 400 * x[i + 1] + 2
        h[i, i + 1] = h[i + 1, i] = -400 * x[i]
        h[i + 1, i + 1] += 200
    return h


def _close(a, b, rel):
    scale = np.abs(b).max()
    assert np.abs(np.asarray(a) - b).max() <= rel * scale, (a, b)


@pytest.mark.parametrize("x", POINTS, ids=["n3", "n4"])
def test_rosenbrock_grad_and_hessian_agree(x):
    grad, hess = rosenbrock_grad(x), rosenbrock_hessian(x)
    for method in EXACT:
        _close(dk.grad(rosenbrock, method=method)(x), grad, 1e-14)
        _close(dk.hessian(rosenbrock, method=method)(x), hess, 1e-14)
    for method, (grad_tol, hess_tol) in NUMERIC.items():
        _close(dk.grad(rosenbrock, method=method)(x), grad, grad_tol)
        _close(dk.hessian(rosenbrock, method=method)(x), hess, hess_tol)


@pytest.mark.parametrize("x", POINTS, ids=["n3", "n4"])
def test_rosenbrock_jacobian_agrees(x):
    n = x.size
    expected = np.zeros((2 * (n - 1), n))
    for i in range(n - 1):
        expected[i, i], expected[i, i + 1] = -20 * x[i], 10
        expected[n - 1 + i, i] = -1
    for method in EXACT:
        _close(dk.jacobian(residuals, method=method)(x), expected, 1e-14)
    for method, (tol, _) in NUMERIC.items():
        _close(dk.jacobian(residuals, method=method)(x), expected, tol)


def test_jacobian_of_a_list_result_and_of_a_scalar():
    f = lambda x: [x[0] * x[1], dk.sin(x[0]), 3.0]  # noqa: E731 - a constant entry too
    x = np.array([0.4, -1.3])
    expected = np.array([[-1.3, 0.4], [np.cos(0.4), 0.0], [0.0, 0.0]])
    for method in (*EXACT, "numeric:complex-step"):
        assert dk.jacobian(f, method=method)(x) == pytest.approx(expected, abs=1e-15)
        assert dk.jacobian(rosenbrock, method=method)(POINTS[0]).shape == (3,)


def test_torch_agrees():
    torch = pytest.importorskip("torch")
    from torch.autograd.functional import hessian

    x = POINTS[1]
    expected = hessian(lambda t: torch.sum(100 * (t[1:] - t[:-1] ** 2) ** 2 + (1 - t[:-1]) ** 2),
                       torch.tensor(x, dtype=torch.float64)).numpy()
    _close(dk.hessian(rosenbrock, method="forward")(x), expected, 1e-15)


def test_methods_by_name_options_and_defaults():
    f = lambda x: dk.exp(x) * x  # noqa: E731
    assert isinstance(dk.derivative(f).backend, Reverse)
    assert dk.derivative(f, method="numeric", scheme="five-point").backend.scheme == "five-point"
    assert dk.derivative(f, method="numeric:complex-step").backend.scheme == "complex-step"
    assert dk.derivative(f, method="symbolic", simplify=True)(1.0) == pytest.approx(2 * np.e, rel=1e-15)
    value, info = dk.derivative(f, method="numeric", full_output=True)(1.0)
    assert value == pytest.approx(2 * np.e, rel=1e-9) and info.evaluations == 4  # 2 more for the error
    with pytest.raises(ValueError, match="unknown method"):
        dk.derivative(f, method="magic")
    assert dk.autograd.grad is not dk.grad  # PyTorch's autograd.grad is untouched


def test_backends_are_interchangeable_and_report_their_cost():
    costs = {}
    for backend in (Symbolic(), Numeric(), Reverse(), Forward()):
        df = dk.grad(rosenbrock, method=backend)
        assert df(POINTS[0]) == pytest.approx(rosenbrock_grad(POINTS[0]), rel=1e-9)
        costs[backend.name] = df.cost
    assert costs["numeric"] == {"evaluations": 6}
    assert costs["reverse"]["backward_passes"] == 1 and costs["reverse"]["tape_nodes"] > 5
    assert costs["forward"]["forward_passes"] == 3
    assert costs["symbolic"]["derivative_nodes"] > 10


class FiniteDifferencesByHand(Differentiator):
    """A user's backend: only jacobian_at is written; the rest comes from the base class."""

    name = "by hand"

    def jacobian_at(self, f, x):
        h = 1e-6
        columns = [(np.asarray(f(x + h * e)) - np.asarray(f(x - h * e))) / (2 * h) for e in np.eye(x.size)]
        self.cost = {"evaluations": 2 * x.size}
        return np.stack(columns, axis=-1)


def test_a_user_backend_works_through_the_api():
    mine = FiniteDifferencesByHand()
    x = np.array([0.3, 0.9])
    f = lambda x: dk.sin(x[0]) * x[1] ** 2  # noqa: E731
    assert dk.grad(f, method=mine)(x) == pytest.approx(dk.grad(f)(x), rel=1e-8)
    assert dk.derivative(dk.tanh, method=mine)(0.5) == pytest.approx(1 - np.tanh(0.5) ** 2, rel=1e-8)
    assert dk.hessian(f, method=mine)(x) == pytest.approx(dk.hessian(f)(x), rel=1e-3)
    assert mine.cost == {"evaluations": 4}


def test_forward_jvp_is_one_pass():
    forward = Forward()
    value, tangent = forward.jvp(lambda x: x * dk.sin(x), np.array([0.5, 1.0]), np.array([1.0, 0.0]))
    assert tangent == pytest.approx([np.sin(0.5) + 0.5 * np.cos(0.5), 0.0])
    assert forward.cost["forward_passes"] == 1
