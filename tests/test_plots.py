"""Every figure has a title, labelled axes, a legend, log scales where the data span decades,
and draws exactly the data the analysis computed."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from diffkit import analysis, plots  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _data_axes(fig):
    return [ax for ax in fig.axes if ax.axison]


def _check_labelled(fig, legends=True):
    assert fig.get_suptitle() or all(ax.get_title() for ax in fig.axes)
    for ax in _data_axes(fig):
        assert ax.get_title(), "every panel has a title"
        assert ax.get_xlabel() and ax.get_ylabel(), "both axes are labelled"
        if legends:
            assert ax.get_legend() is not None, "every panel has a legend"


def _line(ax, label):
    return next(line for line in ax.get_lines() if line.get_label() == label)


def test_trace_tables_figure_shows_the_three_traces():
    fig = plots.plot_trace_tables(analysis.trace_tables())
    text = " ".join(t.get_text() for ax in fig.axes for t in ax.texts)
    assert "ln v_-1" in text and "5.5" in text and "1.7163" in text
    assert [ax.get_title(loc="left") for ax in fig.axes] == [
        "Forward primal trace", "Forward tangent trace (seeded on x1)", "Reverse adjoint trace"]
    assert "11.652" in fig.get_suptitle()


def test_swell_figure():
    data = {"logistic": analysis.swell("logistic", 6, expand_max=4), "product": analysis.swell("product", 6, 0)}
    fig = plots.plot_swell(data)
    _check_labelled(fig)
    logistic, product = fig.axes
    assert logistic.get_yscale() == "log" and product.get_xscale() == "log"
    tape = _line(logistic, "reverse mode: tape nodes")
    assert list(tape.get_ydata()) == [r["tape_nodes"] for r in data["logistic"] if r["tape_nodes"]]
    assert list(_line(logistic, "derivative as SymPy builds it").get_ydata()) == \
        [r["derivative_nodes"] for r in data["logistic"]]


@pytest.fixture(scope="module")
def l4():
    return analysis.error_vs_h(h=np.logspace(-16, -1, 46))


def test_error_vs_h_figure(l4):
    fig = plots.plot_error_vs_h(l4)
    _check_labelled(fig)
    assert len(fig.axes) == 2 and [ax.get_title().split(", ")[-1] for ax in fig.axes] == ["float64", "float32"]
    ax = fig.axes[0]
    assert ax.get_xscale() == ax.get_yscale() == "log"
    central = l4.curve("central")
    line = next(li for li in ax.get_lines() if li.get_label().startswith("central"))
    keep = np.isfinite(central.error) & (central.error > 0)
    assert np.array_equal(line.get_ydata(), central.error[keep])
    verticals = [li.get_xdata()[0] for li in ax.get_lines() if len(set(li.get_xdata())) == 1]
    assert any(np.isclose(v, central.theory_h) for v in verticals), "the optimal h is marked"
    references = [t.get_text() for t in ax.texts]
    assert {"slope 1", "slope 2", "slope 4", "slope -1"} <= set(references)


def test_error_vs_h_functions_figure():
    results = [analysis.error_vs_h(f, x0, label, schemes=("central",), dtypes=("float64",), h=np.logspace(-16, -1, 31))
               for label, f, x0 in analysis.error_vs_h.__globals__["SMOOTH"][:2]]
    fig = plots.plot_error_vs_h_functions(results)
    _check_labelled(fig)
    assert len(fig.axes) == 2


def test_cost_figure():
    records = analysis.cost_vs_inputs(sizes=(1, 10, 100), methods=("numeric", "reverse"))
    fig = plots.plot_cost(records)
    _check_labelled(fig)
    time_ax, ratio_ax, count_ax = fig.axes
    for ax in fig.axes:
        assert ax.get_xscale() == ax.get_yscale() == "log"
    assert list(_line(count_ax, "numeric: f evaluations").get_ydata()) == [2, 20, 200]
    assert list(_line(count_ax, "reverse: backward passes").get_ydata()) == [1, 1, 1]
    assert "f itself" in [li.get_label() for li in time_ax.get_lines()]


@pytest.mark.parametrize("records", [analysis.accuracy, analysis.hessian_accuracy])
def test_accuracy_figures(records):
    data = records()
    fig = plots.plot_accuracy(data, title="t")
    _check_labelled(fig, legends=False)
    error_ax, time_ax = fig.axes
    assert error_ax.get_xscale() == "log"
    labels = {t.get_text(): t.get_position()[1] for t in error_ax.get_yticklabels()}
    assert sorted(labels, key=labels.get, reverse=True) == [r["method"] for r in data]  # top to bottom
    widths = sorted(p.get_width() + p.get_x() for p in error_ax.patches)
    assert np.allclose(widths, sorted(max(r["abs_error"], plots.accuracy.FLOOR) for r in data))


def test_kinks_figure():
    records = analysis.kinks()
    fig = plots.plot_kinks(records)
    ax = fig.axes[0]
    assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel() and ax.get_legend() is not None
    cells = [t.get_text() for t in ax.texts]
    assert "SymbolicBranchError" in cells and "0.5" in cells and "17.5" in cells
    assert len(cells) == len(records) + 1  # one per record, and the explained error beneath


def test_drawing_on_given_axes():
    fig, axes = plt.subplots(1, 3)
    assert plots.plot_trace_tables(analysis.trace_tables(), ax=axes) is fig


def test_training_figure_and_confusion_matrix():
    confusion = plots.confusion_matrix([0, 1, 1, 2, 2, 2], [0, 1, 2, 2, 2, 1], 3)
    assert confusion.tolist() == [[1, 0, 0], [0, 1, 1], [0, 1, 2]]
    history = [{"epoch": e, "loss": 1 / e, "train_accuracy": 1 - 0.5 / e, "test_accuracy": 1 - 0.6 / e}
               for e in range(1, 4)]
    fig = plots.plot_training(history, confusion)
    loss_ax, accuracy_ax, matrix_ax = fig.axes[:3]
    for ax in (loss_ax, accuracy_ax, matrix_ax):
        assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
    assert loss_ax.get_yscale() == "log" and loss_ax.get_legend() is not None
    assert list(_line(accuracy_ax, "test accuracy").get_ydata()) == [r["test_accuracy"] for r in history]
    assert sorted(t.get_text() for t in matrix_ax.texts) == ["1", "1", "1", "1", "2"]


def test_analysis_and_plots_are_attributes_loaded_on_first_use() -> None:
    import subprocess
    import sys

    code = ("import sys, diffkit as dk; before = 'matplotlib' in sys.modules; "
            "print(before, dk.plots.__name__, dk.analysis.__name__, 'plots' in dir(dk))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "diffkit.plots", "diffkit.analysis", "True"]
