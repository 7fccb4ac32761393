"""Experiment 4: every method's error and cost, for f' and for a Hessian."""
import pytest

from diffkit.analysis import accuracy, hessian_accuracy


def _by_method(records):
    return {r["method"]: r for r in records}


def test_first_derivative_accuracy():
    rows = _by_method(accuracy())
    assert not any(r["failed"] for r in rows.values())
    assert rows["reverse"]["value"] == pytest.approx(3.7560492270947274, rel=1e-15)
    for exact in ("symbolic", "reverse", "forward", "numeric:complex-step"):
        assert rows[exact]["rel_error"] < 1e-15
    assert 1e-10 < rows["numeric:forward"]["rel_error"] < 1e-6
    assert rows["numeric:central"]["rel_error"] < 1e-9
    assert rows["numeric:central"]["cost"] == {"evaluations": 2}
    assert rows["reverse"]["cost"]["backward_passes"] == 1


def test_hessian_accuracy_and_cost():
    rows = _by_method(hessian_accuracy())
    assert not any(r["failed"] for r in rows.values())
    for exact in ("symbolic", "reverse", "forward"):
        assert rows[exact]["abs_error"] < 1e-13
    assert 1e-12 < rows["numeric:central"]["abs_error"] < 1e-5     # a difference of differences
    assert rows["numeric:richardson"]["abs_error"] < rows["numeric:central"]["abs_error"]
    assert rows["forward"]["cost"]["forward_passes"] == 6          # n(n+1)/2 nested-dual passes, n = 3
    assert rows["reverse"]["cost"]["backward_passes"] == 4         # one for ∇f, then one per row
    assert len(rows["reverse"]["value"]) == 3
