"""Experiment 1: symbolic derivatives swell exponentially, the tape grows linearly."""
import pytest
import sympy

from diffkit.analysis.swell import growth, swell, table1


@pytest.fixture(scope="module")
def logistic():
    return swell("logistic", 8, expand_max=5)


def test_logistic_map_derivative_grows_exponentially(logistic):
    naive = growth(logistic, "derivative_nodes")
    assert naive["ratio"] > 2.3                                    # ×2.5 per step: exponential
    sizes = [r["derivative_nodes"] for r in logistic]
    ratios = [b / a for a, b in zip(sizes[3:], sizes[4:])]
    assert max(ratios) / min(ratios) < 1.3                         # a steady ratio, not a slowing one
    assert growth(logistic, "expression_nodes")["ratio"] == pytest.approx(2.0, abs=0.05)  # the tree doubles


def test_logistic_map_tape_grows_linearly(logistic):
    tape = growth(logistic, "tape_nodes", last=6)
    assert tape["steps"] == [3] * 6                                # exactly three nodes per step
    assert [r["tape_nodes"] for r in logistic] == [3 * (n - 1) for n in range(1, 9)]


def test_cse_and_expansion_sit_between(logistic):
    cse = growth(logistic, "cse_nodes")
    assert cse["ratio"] < 1.5 and cse["power"] < 2.5               # polynomial once shared
    assert growth(logistic, "expanded_nodes")["ratio"] > 1.8       # a polynomial of degree 2^(n-1)
    assert [r["expanded_nodes"] is None for r in logistic] == [False] * 5 + [True] * 3
    last = logistic[-1]
    assert last["tape_nodes"] < last["cse_nodes"] < last["derivative_nodes"]


def test_product_gradient_is_quadratic_and_tape_linear():
    records = swell("product", 12, expand_max=0)
    assert [r["derivative_nodes"] for r in records][2:] == [n * n for n in range(3, 13)]  # n entries of n nodes
    assert [r["tape_nodes"] for r in records] == [2 * n - 1 for n in range(1, 13)]


def test_nested_sin_derivative_is_quadratic():
    records = swell("nested-sin", 16, expand_max=0)
    assert [r["derivative_nodes"] for r in records][1:] == [(n + 1) * (n + 2) // 2 for n in range(2, 17)]
    assert growth(records, "derivative_nodes")["power"] == pytest.approx(2, abs=0.3)
    assert growth(records, "tape_nodes")["steps"] == [1, 1, 1, 1]


def test_table1_is_baydins():
    rows = table1(4)
    x = rows[0]["l"]
    assert sympy.expand(rows[1]["derivative"] - (4 - 8 * x)) == 0
    expected = 64 * (1 - 42 * x + 504 * x**2 - 2640 * x**3 + 7040 * x**4 - 9984 * x**5 + 7168 * x**6 - 2048 * x**7)
    assert sympy.expand(rows[3]["expanded"] - expected) == 0


def test_unknown_family_and_bad_n():
    with pytest.raises(ValueError, match="unknown family"):
        swell("fibonacci")
    with pytest.raises(ValueError, match="at least 1"):
        swell("logistic", 0)
