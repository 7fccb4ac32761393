"""Experiment 0: Baydin et al.'s traces come from the tape, with the paper's numbers."""
import math

import pytest

import diffkit as dk
from diffkit.analysis import trace_tables


def test_the_papers_example_gives_the_papers_numbers():
    t = trace_tables()
    assert t.inputs == {"x1": 2.0, "x2": 5.0}
    assert t.value == pytest.approx(math.log(2) + 10 - math.sin(5))
    assert round(t.value, 3) == 11.652
    assert t.tangent == pytest.approx(5.5)                         # table 2: ẏ seeded on x1
    assert t.gradient["x1"] == pytest.approx(5.5)                  # table 3: x̄1
    assert t.gradient["x2"] == pytest.approx(2 - math.cos(5))      # x̄2 = x1 − cos x2
    assert round(t.gradient["x2"], 3) == 1.716


def test_the_tables_show_every_recorded_step():
    t = trace_tables()
    assert "v_1 = ln v_-1" in t.primal and "v_5 = v_3 - v_4" in t.primal
    assert t.tangent_trace.splitlines()[-1].split("=")[-1].strip() == "5.5"
    assert t.adjoint.splitlines()[-1].endswith("1.7163")
    assert str(t).count("trace") == 3


def test_any_user_function_and_seed():
    def f(a, b, c):
        return a * dk.exp(b) + dk.tanh(c) * a

    t = trace_tables(f, 0.5, -1.0, 2.0, names=["a", "b", "c"], seed="b")
    assert t.seed == "b"
    assert t.tangent == pytest.approx(0.5 * math.exp(-1.0))
    assert t.gradient["a"] == pytest.approx(math.exp(-1.0) + math.tanh(2.0))
    assert t.gradient["c"] == pytest.approx(0.5 / math.cosh(2.0) ** 2)
    assert "Forward tangent trace (seeded on b)" in t.tangent_trace
