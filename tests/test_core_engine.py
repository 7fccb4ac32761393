"""The backward pass: deep chains, shared nodes, retain_graph, accumulation, hooks, grad modes."""
from __future__ import annotations

import math
import time

import numpy as np
import pytest

import diffkit as dk


def test_a_chain_of_200000_operations_backpropagates_iteratively() -> None:
    x = dk.tensor(1.0, dtype=dk.float64, requires_grad=True)
    y = x
    start = time.perf_counter()
    for _ in range(200_000):
        y = y * 1.000001
    y.backward()
    elapsed = time.perf_counter() - start
    assert x.grad.item() == pytest.approx(1.000001 ** 200_000, rel=1e-9)
    assert elapsed < 30  # a few seconds; recursion would have failed long before


def test_a_diamond_graph_sums_both_paths() -> None:
    x = dk.tensor([0.5, -1.0], dtype=dk.float64, requires_grad=True)
    a = x.exp()  # used by three consumers
    y = (a * a + a.sin() + a).sum()
    y.backward()
    e = np.exp(x.detach().numpy())
    np.testing.assert_allclose(x.grad.numpy(), (2 * e + np.cos(e) + 1) * e, rtol=1e-12)


def test_fan_in_sums_in_place_only_into_a_gradient_no_one_else_sees() -> None:
    """The engine sums a value's incoming gradients into one buffer when that buffer is private.
    Here add's rule sends one array to both of its inputs, a hook keeps the gradient it saw, and an
    observer keeps every gradient of the pass: none of them may change afterwards."""
    x = dk.tensor([0.5, -1.0, 2.0], dtype=dk.float64, requires_grad=True)
    a = x * 2.0
    b = x * 3.0
    seen = []
    a.register_hook(lambda g: seen.append(g.numpy().copy()) or None)
    held = []
    a.register_hook(lambda g: held.append(g) or None)
    s = a + b  # one gradient array, sent to a and to b
    y = (s + a * a + b.exp() + a).sum()  # a and b each receive three more contributions
    y.backward()
    av, bv = 2.0 * x.detach().numpy(), 3.0 * x.detach().numpy()
    grad_a, grad_b = 1 + 2 * av + 1, 1 + np.exp(bv)
    np.testing.assert_allclose(seen[0], grad_a, rtol=1e-12)
    np.testing.assert_allclose(held[0].numpy(), grad_a, rtol=1e-12)  # not summed into later
    np.testing.assert_allclose(x.grad.numpy(), 2 * grad_a + 3 * grad_b, rtol=1e-12)


def test_an_input_used_twice_by_one_node() -> None:
    x = dk.tensor(3.0, requires_grad=True)
    (x * x).backward()
    assert x.grad.item() == 6.0


def test_second_backward_through_a_freed_graph_raises() -> None:
    x = dk.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match=r"retain_graph=True"):
        y.backward()


def test_retain_graph_allows_a_second_backward_that_accumulates() -> None:
    x = dk.tensor([1.0, 2.0], requires_grad=True)
    y = (x.exp() * x).sum()
    y.backward(retain_graph=True)
    first = x.grad.clone()
    y.backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * first.numpy())
    np.testing.assert_allclose(first.numpy(), (np.exp([1.0, 2.0]) * np.array([2.0, 3.0])), rtol=1e-6)


def test_non_scalar_backward_needs_a_gradient() -> None:
    x = dk.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar outputs"):
        (x * 2).backward()
    (x * x).backward(dk.tensor([1.0, 10.0]))
    assert x.grad.tolist() == [2.0, 40.0]


def test_gradients_accumulate_until_reset() -> None:
    x = dk.tensor([1.0, 2.0], requires_grad=True)
    (x * 2).sum().backward()
    (x * 3).sum().backward()
    assert x.grad.tolist() == [5.0, 5.0]
    x.grad = None
    (x * x).sum().backward()
    assert x.grad.tolist() == [2.0, 4.0]
    x.grad.zero_()
    assert x.grad.tolist() == [0.0, 0.0]


def test_gradients_are_summed_over_broadcast_dimensions() -> None:
    w = dk.ones(3, requires_grad=True)
    b = dk.tensor(0.5, requires_grad=True)
    (dk.ones(4, 3) * w + b).sum().backward()
    assert w.grad.tolist() == [4.0, 4.0, 4.0] and b.grad.item() == 12.0
    assert w.grad.shape == w.shape and b.grad.shape == b.shape


def test_backward_inputs_limits_accumulation() -> None:
    x = dk.tensor([1.0], requires_grad=True)
    y = dk.tensor([2.0], requires_grad=True)
    (x * y).sum().backward(inputs=[x])
    assert x.grad.tolist() == [2.0] and y.grad is None


def test_leaves_and_next_functions() -> None:
    x = dk.tensor([1.0], requires_grad=True)
    y = x * 2 + x.exp() * dk.tensor([3.0])
    assert x.is_leaf and x.grad_fn is None and not y.is_leaf
    (left, _), (right, _) = y.grad_fn.next_functions
    assert type(left).__name__ == "MulBackward0" and type(right).__name__ == "MulBackward0"
    accumulate, constant = right.next_functions
    assert type(left.next_functions[0][0]).__name__ == "AccumulateGrad"
    assert left.next_functions[0][0].variable is x
    assert type(accumulate[0]).__name__ == "ExpBackward0" and constant == (None, 0)


def test_non_differentiable_results_do_not_require_grad() -> None:
    x = dk.tensor([1.0, 2.0], requires_grad=True)
    assert not (x > 1).requires_grad and not x.argmax().requires_grad
    assert (x > 1).grad_fn is None


# ------------------------------------------------------------------------ in place
def test_in_place_on_a_leaf_that_requires_grad_raises() -> None:
    w = dk.tensor([1.0, 2.0], requires_grad=True)
    for modify in (lambda: w.add_(1), lambda: w.mul_(2), lambda: w.zero_(), lambda: w.__setitem__(0, 5.0),
                   lambda: w.copy_(dk.zeros(2)), lambda: w.clamp_(0, 1), lambda: w.fill_(3.0),
                   lambda: w.normal_(), lambda: w.uniform_(), lambda: w.bernoulli_()):  # these three wrote before
        with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in an in-place"):
            modify()
    assert w.tolist() == [1.0, 2.0]


def test_in_place_change_of_a_saved_tensor_makes_backward_raise() -> None:
    x = dk.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    z = y * y  # saves y
    y.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.sum().backward()


def test_in_place_change_of_a_saved_output_makes_backward_raise() -> None:
    x = dk.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()  # its node keeps the output
    y.mul_(2)
    with pytest.raises(RuntimeError, match="inplace operation"):
        y.sum().backward()


def test_in_place_operations_record_their_gradient() -> None:
    x = dk.tensor([1.0, 2.0], requires_grad=True)
    y = x * 1
    y += x  # 2x
    y *= x  # 2x^2
    y -= 1
    y /= 2  # x^2 - 1/2
    y.sum().backward()
    assert x.grad.tolist() == [2.0, 4.0]
    assert type(y.grad_fn).__name__ == "DivBackward0"

    x.grad = None
    z = x + 1
    z.mul_(3).clamp_(max=7.0)  # 3(x+1) = [6, 9] -> [6, 7]
    z.sum().backward()
    assert z.tolist() == [6.0, 7.0] and x.grad.tolist() == [3.0, 0.0]


def test_a_scalar_factor_is_not_pinned_against_later_in_place_changes() -> None:
    x = dk.tensor([1.0, 2.0], requires_grad=True)
    a = x * 2
    b = a * 3  # needs only the 3, as in PyTorch
    a.add_(1)
    b.sum().backward()
    assert x.grad.tolist() == [6.0, 6.0]


def test_in_place_through_a_view_is_refused_while_recording() -> None:
    x = dk.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 1
    with pytest.raises(RuntimeError, match="in-place operation on a view"):
        y[1:].mul_(2)
    y[1:] = y[1:] * 2  # the supported way: assignment on the base
    y.sum().backward()
    assert x.grad.tolist() == [1.0, 2.0, 2.0]


def test_views_and_detach_share_the_version_counter() -> None:
    """As PyTorch: an in-place change through a view or a detach() counts for the base, so the
    nodes that saved the base (or a view of it) see it. These gave wrong gradients silently."""
    x = dk.ones(2)
    x.view(2).add_(1)
    x.detach().mul_(2)
    assert x._version == 2 and x.tolist() == [4.0, 4.0]
    w = dk.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = w.exp()
    y.detach().zero_()  # exp's backward reads its output
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()
    a = w * 1
    b = a[:2]
    loss = (b * b).sum()  # saves the view b
    a.mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        loss.backward()
    assert w.data.tolist() == [1.0, 2.0, 3.0] and y.data.tolist() == [0.0, 0.0, 0.0]
    assert w.data._version == 0  # .data does not share the counter (PyTorch's documented difference)


def test_a_view_outdated_by_an_in_place_change_of_its_base() -> None:
    """PyTorch replays the view on the modified base; diffkit refuses to record with the stale
    history (it gave [1, 1, 0] for PyTorch's [2, 2, 0]). Uses that need no replay are unchanged."""
    w = dk.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = w * 1
    v = y[:2]
    total = v.sum()  # recorded before the change: its gradient needs no values of v
    y.mul_(2)
    with pytest.raises(RuntimeError, match="view .* modified in place"):
        v * 1
    total.backward(retain_graph=True)
    assert w.grad.tolist() == [1.0, 1.0, 0.0]  # PyTorch's too
    w.grad = None
    (y[:2] * 1).sum().backward()  # the view taken again after the change
    assert w.grad.tolist() == [2.0, 2.0, 0.0]
    with dk.no_grad():
        stale = y[:2]
        y.mul_(2)
    assert (stale * 1).tolist() == [4.0, 8.0]  # a view without history is never stale


def test_fill_zero_and_copy_cut_the_overwritten_history() -> None:
    """The old grad_fn stayed after fill_/zero_/copy_ of a constant: x.grad came out 2, not 0."""
    for modify, name in [(lambda y: y.fill_(3.0), "FillBackward2"), (lambda y: y.zero_(), "ZeroBackward0"),
                         (lambda y: y.copy_(dk.ones(2) * 3), "CopyBackwards")]:
        x = dk.tensor([1.0, 2.0], requires_grad=True)
        y = x * 2
        modify(y)
        y.sum().backward()
        assert type(y.grad_fn).__name__ == name and x.grad.tolist() == [0.0, 0.0]
    x, s = dk.tensor([1.0, 2.0], requires_grad=True), dk.tensor(5.0, requires_grad=True)
    y = x * 2
    y.copy_(s * dk.ones(2)).fill_(s)  # the source gets the gradient: FillBackward3 from a tensor
    (y * dk.tensor([1.0, 3.0])).sum().backward()
    assert y.tolist() == [5.0, 5.0] and x.grad.tolist() == [0.0, 0.0] and s.grad.item() == 4.0
    buffer = dk.zeros(3, 2)
    buffer.copy_(x)  # a plain tensor copying one that requires grad joins the graph
    buffer.sum().backward()
    assert type(buffer.grad_fn).__name__ == "CopyBackwards" and x.grad.tolist() == [3.0, 3.0]


def test_fill_through_a_view_is_refused_while_recording() -> None:
    """x[0].fill_(5) wrote into a leaf that requires grad; y[0].zero_() left y's gradient wrong."""
    x = dk.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    for modify in (lambda t: t[0].fill_(5.0), lambda t: t[0].zero_(), lambda t: t[:, 1].copy_(dk.zeros(2))):
        for t in (x, x * 1):
            with pytest.raises(RuntimeError, match="in-place operation on a view"):
                modify(t)
    assert x.tolist() == [[1.0, 2.0], [3.0, 4.0]]
    with dk.no_grad():
        x[0].fill_(5.0)  # as PyTorch: allowed outside recording
    assert x.tolist() == [[5.0, 5.0], [3.0, 4.0]]


def test_setitem_records_copy_slices() -> None:
    x = dk.tensor([1.0, 2.0, 3.0], requires_grad=True)
    v = dk.tensor(5.0, requires_grad=True)
    y = x * 1
    y[1] = v * 2
    (y * dk.tensor([1.0, 2.0, 3.0])).sum().backward()
    assert type(y.grad_fn).__name__ == "CopySlices"
    assert y.tolist() == [1.0, 10.0, 3.0] and x.grad.tolist() == [1.0, 0.0, 3.0] and v.grad.item() == 4.0


def test_sgd_step_under_no_grad_updates_the_leaf_in_place() -> None:
    w = dk.tensor([1.0, 2.0], requires_grad=True)
    storage = w.detach()
    for _ in range(3):
        (w * w).sum().backward()
        with dk.no_grad():
            w -= 0.25 * w.grad
        w.grad.zero_()
    assert w.is_leaf and w.requires_grad and w.grad_fn is None
    assert w.tolist() == [0.125, 0.25]  # halved each step
    assert storage.tolist() == w.tolist()  # the same memory was updated


# ------------------------------------------------------------------------ hooks
def test_hooks_see_and_replace_gradients() -> None:
    x = dk.tensor([1.0, 2.0], requires_grad=True)
    seen = []
    x.register_hook(lambda g: seen.append(g.tolist()))
    doubled = x.register_hook(lambda g: g * 2)
    y = x * 3
    y.register_hook(lambda g: g + 1)
    y.sum().backward()
    assert seen == [[6.0, 6.0]] and x.grad.tolist() == [12.0, 12.0]
    doubled.remove()
    x.grad = None
    (x * 3).sum().backward()
    assert x.grad.tolist() == [3.0, 3.0]


def test_retain_grad_keeps_a_non_leaf_gradient() -> None:
    x = dk.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    y.retain_grad()
    assert y.retains_grad and not x.retains_grad
    (y * y).sum().backward()
    assert y.grad.tolist() == [6.0, 12.0] and x.grad.tolist() == [18.0, 36.0]
    z = x * 3
    (z * z).sum().backward()
    assert z.grad is None


def test_hook_requires_grad() -> None:
    with pytest.raises(RuntimeError, match="doesn't require gradient"):
        dk.ones(2).register_hook(lambda g: g)


# ------------------------------------------------------------------------ grad modes
def test_grad_modes_as_context_managers_and_decorators() -> None:
    x = dk.tensor([1.0], requires_grad=True)
    with dk.no_grad():
        assert not dk.is_grad_enabled() and not (x * 2).requires_grad
        with dk.enable_grad():
            assert (x * 2).requires_grad
    with dk.set_grad_enabled(False):
        assert not (x * 2).requires_grad

    @dk.no_grad()
    def frozen():
        return x * 2

    assert not frozen().requires_grad and dk.is_grad_enabled()
    dk.set_grad_enabled(False)
    try:
        assert not (x * 2).requires_grad
    finally:
        dk.set_grad_enabled(True)
    assert (x * 2).requires_grad


def test_grad_mode_decorators_without_parentheses() -> None:
    """PyTorch accepts ``@no_grad``, ``@enable_grad`` and ``@inference_mode`` bare, as well as called."""
    x = dk.tensor([1.0], requires_grad=True)

    @dk.no_grad
    def frozen(scale):
        return x * scale

    @dk.inference_mode
    def inferred():
        return x * 2

    @dk.enable_grad
    def recorded():
        return x * 2

    y = frozen(3.0)
    assert isinstance(y, dk.Tensor) and not y.requires_grad and y.item() == 3.0 and frozen.__name__ == "frozen"
    assert isinstance(inferred(), dk.Tensor) and not inferred().requires_grad
    with dk.no_grad():
        assert recorded().requires_grad
    with dk.inference_mode(False):
        assert (x * 2).requires_grad
    assert dk.is_grad_enabled()


def test_integer_and_bool_results_leave_the_graph() -> None:
    """As PyTorch: casting to an integer or bool dtype gives a tensor without grad_fn, so
    ``w.long().float() * w`` differentiates only the second factor (it gave 2 instead of 1)."""
    w = dk.tensor([1.5], requires_grad=True)
    for cast in (lambda t: t.long(), lambda t: t.int(), lambda t: t.bool(), lambda t: t.to(dk.int64),
                 lambda t: t.round().int(), lambda t: t > 0):
        assert not cast(w).requires_grad and cast(w).grad_fn is None
    (w.long().float() * w).sum().backward()
    assert w.grad.tolist() == [1.0]
    with pytest.raises(RuntimeError, match="does not require grad"):
        w.long().sum().backward()


def test_grad_mode_decorators_cover_a_generators_body() -> None:
    """As PyTorch: the body runs in the decorator's mode at each resume, the caller's mode is
    back at each yield (the wrapper covered only creating the generator: every step recorded)."""
    x = dk.tensor([1.0], requires_grad=True)

    @dk.no_grad()
    def batches():
        sent = yield (x * 2).requires_grad
        try:
            yield sent, dk.is_grad_enabled()
        except ValueError:
            yield "thrown", dk.is_grad_enabled()
        return "done"

    steps = batches()
    assert next(steps) is False and dk.is_grad_enabled()
    assert steps.send(7) == (7, False) and (x * 2).requires_grad
    assert steps.throw(ValueError()) == ("thrown", False) and dk.is_grad_enabled()
    with pytest.raises(StopIteration, match="done"):
        next(steps)
    with dk.no_grad():
        assert next(dk.enable_grad()(lambda: (yield dk.is_grad_enabled()))()) is True
        assert not dk.is_grad_enabled()


def test_requires_grad_is_settable_on_leaves_only() -> None:
    x = dk.ones(2)
    x.requires_grad = True
    assert x.requires_grad_(False) is x and not x.requires_grad
    y = dk.ones(2, requires_grad=True) * 2
    with pytest.raises(RuntimeError, match="leaf variables"):
        y.requires_grad = False
    d = y.detach()
    assert not d.requires_grad and d.grad_fn is None


def test_exp_sum_gradient_of_the_tape_in_one_line() -> None:
    x = dk.tensor(0.3, dtype=dk.float64, requires_grad=True)
    (x.sin() * x.exp()).backward()
    assert x.grad.item() == pytest.approx(math.exp(0.3) * (math.cos(0.3) + math.sin(0.3)), rel=1e-14)
