"""Anomaly detection: the first node whose backward returns NaN raises an error naming it and
showing where its forward ran; off, the NaN flows silently (as in PyTorch)."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import diffkit as dk

pytestmark = pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning",
                                        "ignore:divide by zero encountered:RuntimeWarning")


def _nan_in_backward():
    """Forward values are all finite; backward: SqrtBackward0 of 0 gives inf, then the
    multiplication by 0 turns it into NaN -- so MulBackward0 is the first to return NaN."""
    x = dk.zeros(3, dtype=dk.float64, requires_grad=True)
    inner = dk.sqrt(x)
    mid = inner * 0.0  # the line anomaly mode must point at
    outer = dk.sqrt(mid)
    assert np.isfinite(outer.detach().numpy()).all()
    return x, outer.sum()


def test_the_first_nan_names_its_operation_and_forward_line() -> None:
    with dk.autograd.detect_anomaly():
        x, loss = _nan_in_backward()
        with pytest.raises(RuntimeError) as info:
            loss.backward()
    message = str(info.value)
    assert message.startswith("Function 'MulBackward0' returned nan values in its 0th output.")
    assert "SqrtBackward0" not in message.splitlines()[0]
    assert "test_hardening_anomaly.py" in message and "mid = inner * 0.0" in message
    assert x.grad is None  # the error stopped the pass before anything was accumulated


def test_without_anomaly_mode_the_nan_flows_silently() -> None:
    assert not dk.is_anomaly_enabled()
    x, loss = _nan_in_backward()
    loss.backward()
    assert np.isnan(x.grad.numpy()).all()


def test_set_detect_anomaly_switches_it_on_and_off() -> None:
    dk.autograd.set_detect_anomaly(True)
    try:
        assert dk.is_anomaly_enabled()
        _, loss = _nan_in_backward()
        with pytest.raises(RuntimeError, match="MulBackward0"):
            loss.backward()
    finally:
        dk.autograd.set_detect_anomaly(False)
    assert not dk.is_anomaly_enabled()
    with dk.autograd.set_detect_anomaly(True):  # also a context manager, restoring the old mode
        assert dk.is_anomaly_enabled()
    assert not dk.is_anomaly_enabled()


def test_as_a_decorator_and_with_create_graph() -> None:
    @dk.autograd.detect_anomaly()
    def second_derivative():
        x = dk.tensor([0.25, 1.0], dtype=dk.float64, requires_grad=True)
        (g,) = dk.autograd.grad((x ** 1.5).sum(), x, create_graph=True)  # 1.5 sqrt(x)
        g.sum().backward()  # 0.75 / sqrt(x), every node checked on the way
        return x

    np.testing.assert_allclose(second_derivative().grad.numpy(), [1.5, 0.75])
    assert not dk.is_anomaly_enabled()
    with dk.autograd.detect_anomaly(), pytest.raises(RuntimeError, match="returned nan values"):
        x = dk.zeros(2, dtype=dk.float64, requires_grad=True)
        (g,) = dk.autograd.grad(dk.sqrt(x).sum(), x, create_graph=True)  # inf: allowed
        (g * 0.0).sum().backward()  # inf * 0 in the graph of the derivative: NaN


def test_anomaly_mode_costs_nothing_when_off_and_keeps_results_when_on() -> None:
    x = dk.tensor([0.5, 2.0], dtype=dk.float64, requires_grad=True)
    with dk.autograd.detect_anomaly(), warnings.catch_warnings():
        warnings.simplefilter("error")
        (dk.log(x) * x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.log([0.5, 2.0]) + 1)
