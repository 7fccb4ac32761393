"""Experiment 3: reverse mode's gradient costs a bounded multiple of f; numeric and forward
mode grow linearly with n. Counts are exact; wall-time slopes are fitted over three decades."""
import numpy as np
import pytest

from diffkit.analysis.cost import cost_vs_inputs, rosenbrock, slope

SIZES = (1, 10, 100, 1000)


@pytest.fixture(scope="module")
def records():
    return cost_vs_inputs(sizes=SIZES, methods=("numeric", "forward", "reverse"), budget=5.0)


def _column(records, method, key):
    return [r[key] for r in records if r["method"] == method]


def test_counts_are_exact(records):
    assert _column(records, "numeric", "count") == [2 * n for n in SIZES]       # central: 2n evaluations
    assert _column(records, "forward", "count") == list(SIZES)                   # one pass per input
    assert _column(records, "reverse", "count") == [1] * len(SIZES)              # one backward pass
    tape = _column(records, "reverse", "tape_nodes")
    assert len(set(tape)) == 1                                                   # the tape does not grow with n


def test_reverse_ratio_is_bounded_and_numeric_grows_linearly(records):
    assert slope(records, "reverse") < 0.3
    assert max(_column(records, "reverse", "ratio")) < 100                       # the cheap gradient principle
    assert slope(records, "numeric") > 0.7
    assert slope(records, "forward") > 0.7
    assert slope(records, "numeric", "count") == pytest.approx(1.0)


def test_symbolic_writes_n_expressions():
    records = cost_vs_inputs(sizes=(1, 5), methods=("symbolic",))
    assert _column(records, "symbolic", "count") == [1, 5]
    assert all(r["compiled_time"] <= r["time"] for r in records)


def test_budget_stops_a_slow_method():
    records = cost_vs_inputs(sizes=(1, 10, 100), methods=("numeric",), budget=0.0)
    assert [r["n"] for r in records] == [1]


def test_rosenbrock_gradient_at_one_is_zero():
    from diffkit import grad

    assert np.allclose(grad(rosenbrock)(np.ones(5)), 0)
