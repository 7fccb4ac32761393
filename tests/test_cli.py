"""The ``diffkit`` command: the tour, the analysis subcommands, their help, one-line errors."""
import time

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402

from diffkit.cli import main  # noqa: E402
from diffkit.plots.gallery import FIGURES  # noqa: E402


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("options", [["--quick"], []], ids=["quick", "full"])
def test_tour_prints_the_example_the_tape_the_table_and_writes_every_figure(capsys, tmp_path, options):
    start = time.perf_counter()
    code, out, err = run(capsys, "tour", *options, "--out", str(tmp_path))
    assert time.perf_counter() - start < 60  # the issue: "it finishes in under a minute" (about 15 s here)
    assert code == 0, err
    assert "x.grad = 8.0" in out and "MulBackward0" in out
    assert "v_5 = v_3 - v_4" in out and "x2̄ = v̄_0 = 1.7163" in out
    assert "reference (symbolic, mpmath 50 digits) = 3.7560492270947274" in out
    assert "numeric:complex-step" in out
    assert f"Writing the figures into {tmp_path.resolve()}/" in out
    for name in FIGURES:
        assert (tmp_path / f"{name}.png").stat().st_size > 10_000
        assert f"wrote {tmp_path / name}.png" in out


def test_compare(capsys):
    code, out, _ = run(capsys, "compare", "x*y + sin(x)", "--at", "x=1,y=2", "--methods", "reverse", "numeric:central")
    assert code == 0
    assert "grad at array([1., 2.])" in out
    assert [line.split()[0] for line in out.splitlines()[3:]] == ["reverse", "numeric:central"]


def test_swell(capsys, tmp_path):
    code, out, _ = run(capsys, "swell", "--n", "6", "--out", str(tmp_path / "s.png"))
    assert code == 0
    assert "increments [3, 3, 3, 3]" in out          # the tape: three nodes per step
    assert (tmp_path / "s.png").exists()


def test_error_vs_h(capsys):
    code, out, _ = run(capsys, "error-vs-h", "--schemes", "central", "--dtype", "float64")
    assert code == 0
    assert "f'(0.2) = 9.0660864 (exact" in out
    row = next(line for line in out.splitlines() if line.strip().startswith("central"))
    assert row.split()[-2] == "2.00"                  # the fitted truncation slope


def test_cost(capsys):
    code, out, _ = run(capsys, "cost", "--max-n", "10", "--methods", "reverse,numeric")
    assert code == 0
    assert "20 f evaluations" in out and "1 backward passes" in out


@pytest.mark.parametrize("argv,message", [
    (["compare", "sin(x", "--at", "x=1"], "not a valid expression"),
    (["compare", "__import__('os').system('true')", "--at", "x=1"], "is not allowed"),
    (["compare", "sin(x)", "--at", "y=1"], "missing x"),
    (["compare", "sin(x)", "--at", "x=one"], "is not a number"),
    (["compare", "sin(x)", "--at", "x=1", "--methods", "psychic"], "unknown method"),
    (["compare", "2 + 3", "--at", "x=1"], "no variable"),
    (["swell", "--n", "40"], "between 1 and 12"),
    (["error-vs-h", "x*y", "--at", "x=1,y=2"], "one variable"),
    (["error-vs-h", "abs(x)", "--at", "x=0"], "no finite derivative of order 2 at x = 0"),
    (["cost", "--methods", "magic"], "unknown method"),
])
def test_errors_are_one_clear_line(capsys, argv, message):
    code, out, err = run(capsys, *argv)
    assert code == 1
    assert err.count("\n") == 1 and err.startswith("diffkit: error: ") and message in err
    assert "Traceback" not in err


@pytest.mark.parametrize("command", ["tour", "compare", "swell", "error-vs-h", "cost", "train"])
def test_help(capsys, command):
    with pytest.raises(SystemExit) as exit_:
        main([command, "--help"])
    out = capsys.readouterr().out
    assert exit_.value.code == 0
    assert out.startswith(f"usage: diffkit {command}")
    assert command == "tour" or "examples:" in out
    if command == "train":  # every option says what it does
        assert "digits" in out and "learning rate" in out and "examples per step" in out and "split" in out
