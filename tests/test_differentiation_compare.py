"""diffkit.compare: one row per method against a 50-digit reference."""
import numpy as np
import pytest

import diffkit as dk
from diffkit.differentiation import Numeric
from diffkit.differentiation.compare import DEFAULT_METHODS


def f(x):
    return dk.sin(x) * dk.exp(x)


def test_compare_rows_errors_and_costs():
    table = dk.compare(f, at=1.0)
    assert [r["method"] for r in table.records] == list(DEFAULT_METHODS)
    assert float(table.reference[()]) == pytest.approx(np.exp(1) * (np.sin(1) + np.cos(1)), rel=1e-16)
    assert str(table.reference[()]).startswith("3.756049227094727548347139504")  # 50 digits, not a float
    for method in ("symbolic", "reverse", "forward", "numeric:complex-step"):
        assert table[method]["rel_error"] < 1e-15
    assert 1e-10 < table["numeric:forward"]["rel_error"] < 1e-7
    assert table["numeric:richardson"]["cost"] == {"evaluations": 14}
    assert table["reverse"]["cost"]["tape_nodes"] == 3
    assert all(r["time"] > 0 for r in table.records)


def test_compare_renders_as_text_and_html():
    table = dk.compare(f, at=0.5, methods=["reverse", Numeric("central")])
    text = repr(table)
    assert "rel error" in text and "numeric:central" in text and "tape nodes" in text
    lines = text.splitlines()
    assert len({line.index("abs error") for line in lines if "abs error" in line}) == 1
    html = table._repr_html_()
    assert html.count("<tr>") == 3 and "<table>" in html


def test_compare_a_gradient():
    table = dk.compare(lambda x: dk.sum(x**2 * dk.cos(x)), at=np.array([0.2, 1.4]))
    assert table.kind == "grad"
    assert table["forward"]["value"] == pytest.approx(2 * np.array([0.2, 1.4]) * np.cos([0.2, 1.4])
                                                      - np.array([0.2, 1.4]) ** 2 * np.sin([0.2, 1.4]))
    assert table["reverse"]["rel_error"] < 1e-15


def test_compare_without_a_symbolic_reference():
    def branchy(x):
        return x**2 if x > 0 else -x

    table = dk.compare(branchy, at=1.5, methods=["symbolic", "reverse"])
    assert table.reference is None and "SymbolicBranchError" in table.note
    assert table["symbolic"]["failed"].startswith("SymbolicBranchError")
    assert table["reverse"]["value"] == 3.0 and np.isnan(table["reverse"]["rel_error"])


def test_compare_where_the_exact_derivative_is_undefined():
    """(x/0)' is SymPy's complex infinity, which lambdify could not print (KeyError
    'ComplexInfinity' in the note, no symbolic row); sqrt'(0) made mpmath divide by zero (an empty
    ZeroDivisionError in the note). Now the symbolic value is nan and the note says why."""
    with np.errstate(divide="ignore", invalid="ignore"):
        pole = dk.compare(dk.parse("x/0"), at=1.0, methods=["symbolic", "reverse"])
        edge = dk.compare(dk.sqrt, at=0.0, methods=["symbolic", "reverse"])
    assert pole.reference is None and edge.reference is None
    assert pole.note == "no reference: the exact derivative at 1.0 is zoo, not a finite real number"
    assert edge.note == "no reference: the exact derivative at 0.0 divides by zero, it is not finite"
    assert not pole["symbolic"]["failed"] and np.isnan(pole["symbolic"]["value"])
    assert pole["reverse"]["value"] == edge["reverse"]["value"] == np.inf
    assert "zoo" in repr(pole) and "divides by zero" in edge._repr_html_()
