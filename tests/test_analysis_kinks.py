"""Experiment 5: what each method returns at and near a kink, and why."""
import pytest

from diffkit.analysis.kinks import CASES, classify, kinks


@pytest.fixture(scope="module")
def table():
    return {(r["case"], r["offset"], r["method"]): r for r in kinks()}


def _at(table, case, method, offset=0.0):
    return table[(case, offset, method)]


def test_conventions_at_the_kink(table):
    assert _at(table, "|x|", "reverse")["value"] == 0.0               # sign(0) = 0, as PyTorch
    assert _at(table, "maximum(x, 0)", "reverse")["value"] == 0.5     # a tie splits the gradient
    assert _at(table, "relu(x)", "reverse")["value"] == 0.0           # relu'(0) = 0
    assert _at(table, "where(x > 0, x², −x)", "reverse")["class"] == "left"   # the branch taken at 0
    for case in CASES:
        assert _at(table, case.label, "numeric:forward")["class"] == "right"
        assert _at(table, case.label, "numeric:backward")["class"] == "left"
        assert _at(table, case.label, "numeric:central")["class"] == "mean"
        assert _at(table, case.label, "reverse")["value"] == _at(table, case.label, "forward")["value"]


def test_loop_and_branch(table):
    kink = _at(table, "loop + branch (if y < 1)", "reverse")
    assert kink["left"] == pytest.approx(8, rel=1e-6) and kink["right"] == pytest.approx(27)
    assert kink["value"] == 27                                        # y < 1 is False at 1: the else branch
    symbolic = _at(table, "loop + branch (if y < 1)", "symbolic")
    assert symbolic["class"] == "error" and "where" in symbolic["error"]
    assert _at(table, "loop + branch (if y < 1)", "numeric:central")["value"] == pytest.approx(17.5, rel=1e-4)


def test_near_the_kink_every_smooth_method_agrees(table):
    for case in CASES:
        for offset in (-1e-3, 1e-3):
            for method in ("numeric:forward", "numeric:backward", "numeric:central", "reverse", "forward"):
                assert _at(table, case.label, method, offset)["class"] == "exact", (case.label, offset, method)


def test_richardson_says_when_its_steps_straddle_the_kink(table):
    """Its coarsest step is 0.125 and its finest 0.002: 1e-3 off the kink, every step straddles it.
    At an asymmetric kink its differences carry an odd power of h, which it also notices; at the
    symmetric kink of |x| every difference is exactly 0, the mean of the two sides."""
    for case in CASES[:4]:
        for offset in (-1e-3, 1e-3):
            record = _at(table, case.label, "numeric:richardson", offset)
            assert record["warning"] == "ConvergenceWarning", (case.label, offset)
        assert _at(table, case.label, "reverse", 1e-3)["warning"] == ""
    assert _at(table, "where(x > 0, x², −x)", "numeric:richardson")["warning"] == "ConvergenceWarning"
    symmetric = _at(table, "|x|", "numeric:richardson")
    assert symmetric["warning"] == "" and symmetric["value"] == 0.0


def test_complex_step_is_wrong_off_analytic_functions(table):
    assert _at(table, "|x|", "numeric:complex-step", 1e-3)["value"] == 0.0   # |x + ih| has no imaginary part
    assert _at(table, "|x|", "numeric:complex-step", 1e-3)["class"] == "wrong"


def test_classify():
    assert classify(None, 0, 1) == "error"
    assert classify(0.5, 0, 1) == "mean"
    assert classify(2.0, 2.0, 2.0) == "exact"
    assert classify(3.0, 2.0, 2.0) == "wrong"
