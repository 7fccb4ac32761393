"""``autograd.Function``, ``autograd.grad`` (higher order, allow_unused) and the evaluation
trace of Baydin et al. (2018), tables 2 and 3."""
from __future__ import annotations

import re

import numpy as np
import pytest

import diffkit as dk


class Cube(dk.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 3

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return 3 * x ** 2 * grad


class ScaledProduct(dk.autograd.Function):
    @staticmethod
    def forward(ctx, x, y, scale):
        ctx.scale = scale
        ctx.save_for_backward(x, y)
        return x * y * scale

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        assert ctx.needs_input_grad == (True, False, False)
        return grad * y * ctx.scale, None, None


def test_function_records_a_node_named_after_it() -> None:
    x = dk.tensor([1.0, 2.0], requires_grad=True)
    y = Cube.apply(x)
    assert type(y.grad_fn).__name__ == "CubeBackward"
    assert repr(y) == "tensor([1., 8.], grad_fn=<CubeBackward>)"
    assert type(y.grad_fn.next_functions[0][0]).__name__ == "AccumulateGrad"
    y.sum().backward()
    assert x.grad.tolist() == [3.0, 12.0]


def test_function_with_constants_and_inputs_without_grad() -> None:
    x = dk.tensor([1.0, 2.0], requires_grad=True)
    y = dk.tensor([3.0, 4.0])
    out = ScaledProduct.apply(x, y, 0.5)
    out.sum().backward()
    assert out.tolist() == [1.5, 4.0] and x.grad.tolist() == [1.5, 2.0] and y.grad is None


def test_function_saved_tensors_are_freed_and_checked() -> None:
    x = dk.tensor([1.0, 2.0], requires_grad=True)
    y = Cube.apply(x)
    y.sum().backward()
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        y.sum().backward()
    h = x * 1
    z = Cube.apply(h)
    h.add_(1)
    with pytest.raises(RuntimeError, match="inplace operation"):
        z.sum().backward()


def test_function_backward_is_differentiable_with_create_graph() -> None:
    x = dk.tensor([2.0], dtype=dk.float64, requires_grad=True)
    (g,) = dk.autograd.grad(Cube.apply(x).sum(), x, create_graph=True)
    (h,) = dk.autograd.grad(g.sum(), x)
    assert g.item() == 12.0 and h.item() == 12.0  # 3x^2 and 6x at 2
    assert dk.autograd.gradcheck(Cube.apply, (x,)) and dk.autograd.gradgradcheck(Cube.apply, (x,))


def test_function_without_grad_returns_plain_output() -> None:
    out = Cube.apply(dk.tensor([2.0]))
    assert out.grad_fn is None and not out.requires_grad and out.tolist() == [8.0]


class SquareAndDouble(dk.autograd.Function):
    """Several outputs, one of them not differentiable."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * 2, x ** 2, (x > 0).long()

    @staticmethod
    def backward(ctx, g_double, g_square, g_sign):
        (x,) = ctx.saved_tensors
        assert g_sign is not None and not g_sign.any()  # materialised as zeros, as PyTorch
        return 2 * g_double + 2 * x * g_square


def test_function_with_several_outputs() -> None:
    """Each output gets the gradient of its own uses; outputs without any get zeros; integer outputs
    carry no grad_fn; second derivatives go through the Function's backward."""
    x = dk.tensor([1.0, -2.0, 3.0], dtype=dk.float64, requires_grad=True)
    double, square, sign = SquareAndDouble.apply(x)
    assert type(double.grad_fn).__name__ == "SquareAndDoubleBackward" and not sign.requires_grad
    (double.sum() + 3 * square.sum()).backward()
    assert x.grad.tolist() == [8.0, -10.0, 20.0]
    x.grad = None
    double, square, _ = SquareAndDouble.apply(x)
    (double * square).sum().backward()  # both outputs reach the loss through one product
    assert x.grad.tolist() == [6.0, 24.0, 54.0]
    (g,) = dk.autograd.grad(SquareAndDouble.apply(x)[1].sum(), x, create_graph=True)
    (h,) = dk.autograd.grad(g.sum(), x)
    assert g.tolist() == [2.0, -4.0, 6.0] and h.tolist() == [2.0, 2.0, 2.0]


def test_function_gradients_are_checked_as_pytorch_checks_them() -> None:
    """A gradient of the wrong shape is an error naming both shapes; one that broadcasts from the
    input is summed down to it; a saved output modified in place is detected."""
    def function(result):
        class F(dk.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * 2

            @staticmethod
            def backward(ctx, g):
                return result

        return F

    x = dk.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"FBackward returned an invalid gradient at index 0 - got \[5\] but "
                                           r"expected shape compatible with \[2\]"):
        function(dk.ones(5)).apply(x).sum().backward()
    function(dk.ones(3, 2)).apply(x).sum().backward()
    assert x.grad.tolist() == [3.0, 3.0]

    class Exp(dk.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            y = x.exp()
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, g):
            (y,) = ctx.saved_tensors
            return g * y

    y = Exp.apply(dk.zeros(2, requires_grad=True))
    y.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


def test_function_in_pytorch_2_style_with_setup_context() -> None:
    class Mul(dk.autograd.Function):
        @staticmethod
        def forward(x, k):
            return x * k

        @staticmethod
        def setup_context(ctx, inputs, output):
            ctx.k = inputs[1]

        @staticmethod
        def backward(ctx, g):
            return g * ctx.k, None

    x = dk.tensor([1.0], requires_grad=True)
    Mul.apply(x, 2.0).sum().backward()
    assert x.grad.tolist() == [2.0]


def test_hessian_vector_product_with_create_graph() -> None:
    x = dk.tensor([1.0, 2.0, 3.0], dtype=dk.float64, requires_grad=True)
    y = (x ** 3).sum() + (x[0] * x[1])
    (g,) = dk.autograd.grad(y, x, create_graph=True)
    assert g.requires_grad and g.tolist() == [3.0 + 2.0, 12.0 + 1.0, 27.0]
    v = dk.tensor([1.0, 0.5, -1.0], dtype=dk.float64)
    (hv,) = dk.autograd.grad((g * v).sum(), x)
    hessian = np.diag([6.0, 12.0, 18.0]) + np.array([[0, 1, 0], [1, 0, 0], [0, 0, 0.0]])
    np.testing.assert_allclose(hv.numpy(), hessian @ v.numpy())
    assert x.grad is None  # grad() does not touch .grad


def test_second_derivatives_of_elementwise_functions() -> None:
    x = dk.tensor([0.3, 0.7], dtype=dk.float64, requires_grad=True)
    for f, second in [(dk.sin, lambda t: -np.sin(t)), (dk.exp, np.exp),
                      (dk.tanh, lambda t: -2 * np.tanh(t) / np.cosh(t) ** 2),
                      (dk.sigmoid, lambda t: np.exp(-t) * (np.exp(-t) - 1) / (1 + np.exp(-t)) ** 3),
                      (dk.log, lambda t: -1 / t ** 2), (dk.sqrt, lambda t: -0.25 * t ** -1.5)]:
        (g,) = dk.autograd.grad(f(x).sum(), x, create_graph=True)
        (h,) = dk.autograd.grad(g.sum(), x)
        np.testing.assert_allclose(h.numpy(), second(x.detach().numpy()), rtol=1e-12, err_msg=f.__name__)


def test_grad_allow_unused_and_grad_outputs() -> None:
    x = dk.tensor([1.0, 2.0], requires_grad=True)
    unused = dk.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="allow_unused=True"):
        dk.autograd.grad((x * 2).sum(), [x, unused])
    gx, gu = dk.autograd.grad((x * 2).sum(), [x, unused], allow_unused=True)
    assert gx.tolist() == [2.0, 2.0] and gu is None
    (g,) = dk.autograd.grad(x * x, x, grad_outputs=dk.tensor([1.0, 3.0]))
    assert g.tolist() == [2.0, 12.0]


def test_grad_with_respect_to_an_intermediate_and_retain_graph() -> None:
    x = dk.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    z = (y * y).sum()
    (gy,) = dk.autograd.grad(z, y, retain_graph=True)
    assert gy.tolist() == [4.0, 8.0]
    (gx,) = dk.autograd.grad(z, x)
    assert gx.tolist() == [8.0, 16.0]
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        dk.autograd.grad(z, x)


def test_autograd_backward_function() -> None:
    x = dk.tensor([1.0, 2.0], requires_grad=True)
    dk.autograd.backward([(x * x).sum(), x * 3], [None, dk.tensor([1.0, 1.0])])
    assert x.grad.tolist() == [5.0, 7.0]


# ------------------------------------------------------------------------ evaluation trace
def _baydin():
    return dk.autograd.trace(lambda x1, x2: dk.log(x1) + x1 * x2 - dk.sin(x2), 2.0, 5.0)


def _value(table: str, left: str) -> float:
    line = next(line for line in table.splitlines() if line.strip().startswith(left))
    return float(line.rsplit("=", 1)[1])


def test_primal_trace_of_baydin_table_2() -> None:
    tape = _baydin()
    table = str(tape)
    assert repr(tape) == "<Tape of 5 steps>"
    assert [line.split("=")[1].strip() for line in table.splitlines()[3:8]] == \
        ["ln v_-1", "v_-1 × v_0", "v_1 + v_2", "sin v_0", "v_3 - v_4"]
    assert _value(table, "v_-1") == 2 and _value(table, "v_0") == 5
    assert _value(table, "v_1") == pytest.approx(0.693, abs=1e-3)
    assert _value(table, "v_4") == pytest.approx(-0.959, abs=1e-3)
    assert _value(table, "y") == pytest.approx(11.652, abs=1e-3)


def test_tangent_trace_gives_the_derivative_along_x1() -> None:
    table = _baydin().tangent_trace("x1")
    assert table.splitlines()[0] == "Forward tangent trace (seeded on x1)"
    assert _value(table, "v̇_1") == 0.5 and _value(table, "v̇_2") == 5
    assert _value(table, "ẏ") == 5.5


def test_adjoint_trace_of_baydin_table_3() -> None:
    tape = _baydin()
    table = tape.adjoint_trace()
    assert table.splitlines()[0] == "Reverse adjoint trace"
    assert _value(table, "x1̄") == 5.5
    assert _value(table, "x2̄") == pytest.approx(1.716, abs=1e-3)
    assert re.search(r"v̄_0 = v̄_0 \+ v̄_2 ∂v_2/∂v_0 = v̄_0 \+ 1 × 2 = 1.716", table)
    assert tape.inputs[0].grad.item() == 5.5  # the same backward pass as the engine's


def test_adjoint_trace_of_the_users_own_backward_pass() -> None:
    """Record, call loss.backward() as usual, then print the adjoints: this raised 'backward
    through the graph a second time', and a step off the path to the output raised AttributeError."""
    from diffkit.autograd import tape_hooks

    x = dk.tensor(2.0, requires_grad=True)
    with dk.autograd.Tape([x], ["x"]) as tape:
        side = x * 5  # not on the path to the loss: no adjoint line
        loss = 2 * (x ** 2 + 3)
    unrelated = dk.tensor(1.0, requires_grad=True)
    (x * unrelated).backward()  # shares the leaf x, none of the tape's steps: not the tape's pass
    x.grad = None
    loss.backward()
    table = tape.adjoint_trace()
    assert table.splitlines()[1].strip() == "v̄_4 = ȳ = 1" and "v̄_1" not in table
    assert _value(table, "v̄_2") == 2 and _value(table, "x̄") == 8
    assert "v̄_0 = v̄_2 ∂v_2/∂v_0 = 2 × 4 = 8" in table
    assert x.grad.item() == 8.0 and side.item() == 10.0  # the user's pass only, not a second one
    assert all(ref() is not tape for ref in tape_hooks.listening)  # it heard its pass, and stopped listening


def test_backward_with_create_graph_leaves_a_differentiable_grad() -> None:
    x = dk.tensor([1.0, 2.0], dtype=dk.float64, requires_grad=True)
    (x ** 3).sum().backward(create_graph=True)
    assert x.grad.requires_grad and x.grad.tolist() == [3.0, 12.0]
    (h,) = dk.autograd.grad(x.grad.sum(), x)
    assert h.tolist() == [6.0, 12.0]
