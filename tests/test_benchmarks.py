"""The benchmark suite runs: every benchmark on a tiny size, the harness, the table.

Benchmarks are never timed tests: these only check that each one produces positive finite
numbers where it should, text cells that say why where it cannot, and a well-formed table.
"""
from __future__ import annotations

import math
import re
import sys
import types
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # benchmarks/ is not an installed package

from benchmarks import __main__ as cli  # noqa: E402
from benchmarks import frameworks, harness, minimal_tape, models, numpy_floor, report, suite  # noqa: E402
from benchmarks.harness import Cell, Config, Missing, Row, Timing  # noqa: E402

TINY = Config(size="tiny", repeats=1, min_time=0.0, fresh=False)
ALLOWED_TEXT = ("—", "not installed", "n/a (missing: ")


@pytest.fixture(scope="module", params=suite.BENCHMARKS)
def rows(request) -> list[Row]:
    return suite.run(TINY, [request.param], progress=False)


def _problems(row: Row) -> list[str]:
    problems = []
    if list(row.cells) != list(TINY.frameworks):
        problems.append(f"columns {list(row.cells)}")
    for name, cell in row.cells.items():
        if cell.value is not None:
            lowest_ok = 0.0 if row.unit in ("MB", "B/op") else 1e-12
            if not (math.isfinite(cell.value) and cell.value >= lowest_ok):
                problems.append(f"{name}: {cell.value}")
        elif not cell.text.startswith(ALLOWED_TEXT):
            problems.append(f"{name}: {cell.text} {cell.detail}")
        elif name != "diffkit" and cell.text.startswith("n/a") and "scikit-learn" not in cell.text:
            problems.append(f"{name} lacks an API the benchmark uses: {cell.text}")
    return problems


def test_each_benchmark_runs_on_a_tiny_size(rows):
    assert rows
    for row in rows:
        assert row.name and row.unit
        assert not _problems(row), (row.name, _problems(row))
        assert "|" not in row.name + row.note
    timed = [row for row in rows if any(cell.ok for cell in row.cells.values())]
    assert timed, "no framework produced a number"


def test_step_rows_time_diffkits_captured_step(rows):
    """The MLP and CNN rows' notes report diffkit.graphs.capture's replayed step, not a failure."""
    for row in rows:
        if row.name.startswith(("MLP", "CNN")) and row.unit == "ms/step":
            assert re.search(r"captured step \(diffkit\.graphs\.capture\) [0-9.e+-]+ ms = [0-9.]+× floor", row.note), \
                row.note


def test_step_rows_time_the_floor_on_one_blas_thread(rows):
    """Beside the floor, the MLP and CNN rows time it with numpy's OpenBLAS on one thread, as diffkit runs a
    small network's products, and give diffkit's ratio to that too."""
    from diffkit.ops import _blas

    if _blas._CONTROLS is None:
        pytest.skip("numpy's OpenBLAS thread controls were not found")
    threads = _blas._CONTROLS[1]()
    for row in rows:
        if row.name.startswith(("MLP", "CNN")) and row.unit == "ms/step":
            assert re.search(r"floor on one BLAS thread [0-9.e+-]+ ms \(diffkit [0-9.]+× it\)", row.note), row.note
            tape = r"minimal tape over the floor's kernels [0-9.e+-]+ ms = [0-9.]+× floor"
            assert re.search(tape, row.note), row.note
    assert _blas._CONTROLS[1]() == threads  # the count is restored after the floor's steps


def test_reverse_mode_rows_time_diffkits_captured_gradient(rows):
    """The cheap-gradient rows of reverse mode report the captured step's t(∇f)/t(f) beside eager's."""
    reverse = [row for row in rows if row.name.startswith("t(∇f)/t(f), reverse mode")]
    assert reverse or not any(row.name.startswith("t(∇f)/t(f)") for row in rows)
    for row in reverse:
        assert re.search(r"captured step \(diffkit\.graphs\.capture\) [0-9.]+× t\(f\)", row.note), row.note


@pytest.mark.parametrize("n", [10, 1000])
def test_captured_gradient_is_the_hand_written_one(n):
    """What the captured column times is the gradient: the two recorded calls and each replay
    leave the floor's gradient in .grad (cleared, not accumulated) and return f's value."""
    from benchmarks import cheap_gradient

    x = np.random.default_rng(n).uniform(-2.0, 2.0, n)
    step = cheap_gradient.captured_setup(x)(None)
    expected_value, expected_grad = cheap_gradient.f_and_grad(x)
    for _ in range(4):
        value, grad = step()
        np.testing.assert_allclose(grad.numpy(), expected_grad, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(value.item(), expected_value, rtol=1e-12)


def test_the_floor_and_torch_produce_numbers_where_they_apply(rows):
    for row in rows:
        for name in ("numpy", "torch"):
            cell = row.cells[name]
            if frameworks.load(name) is not None and cell.text not in ("—",) and "scikit-learn" not in cell.text:
                assert cell.ok, (row.name, name, cell)


def test_table_has_one_header_and_equal_columns(rows):
    text = report.table(rows, TINY)
    lines = text.splitlines()
    width = lines[0].count("|")
    assert width == 2 + len(TINY.frameworks) + (len(TINY.frameworks) - 1) + 1 + 1
    assert all(line.count("|") == width for line in lines)
    assert len(lines) == len(rows) + 2


def test_round_robin_takes_the_median_and_reports_failures():
    calls = []

    def setup(name):
        return lambda m: lambda: calls.append(name)

    def broken(m):
        raise ValueError("boom")

    # "f" and "broken" are reference cases (not frameworks), so they run whatever peers are installed
    impls = {"numpy": setup("numpy"), "f": setup("f"), "broken": broken,
             "diffkit": lambda m: harness.require(types.SimpleNamespace(__name__="diffkit"), "nn.Linear")}
    cfg = Config(repeats=3, min_time=0.0, frameworks=("numpy", "diffkit", "autograd"))
    out = harness.measure(impls, cfg, number=1)
    assert isinstance(out["numpy"], Timing) and len(out["numpy"].samples) == 3
    assert calls[2:] == ["numpy", "f", "f", "numpy", "numpy", "f"]  # warm-ups, then rotated rounds
    assert out["diffkit"] == Cell(text="n/a (missing: diffkit.nn)")
    assert out["broken"].text == "error: ValueError" and "boom" in out["broken"].detail
    assert "autograd" not in impls and out["autograd"] == Cell(text="—")


def test_each_sample_starts_after_a_rest_and_an_untimed_call(monkeypatch):
    """With settle > 0 the harness sleeps before every sample (the previous framework's thread pools
    stop spinning) and runs the step once untimed, so a sample of 2 calls makes 3."""
    calls, sleeps = [], []
    monkeypatch.setattr(harness.time, "sleep", sleeps.append)
    impls = {"numpy": lambda m: lambda: calls.append("numpy"), "f": lambda m: lambda: calls.append("f")}
    cfg = Config(repeats=2, min_time=0.0, frameworks=("numpy",), settle=0.25)
    out = harness.measure(impls, cfg, number=2, warmup=False)
    assert sleeps == [0.25] * 4  # two frameworks, two rounds
    assert calls == ["numpy"] * 3 + ["f"] * 3 + ["f"] * 3 + ["numpy"] * 3
    assert len(out["numpy"].samples) == 2


def test_ratios_pair_the_samples_of_each_round():
    """A slow minute that falls on diffkit in one round and on the peer in another cancels in
    the per-round ratios; the ratio of the two medians would mix the minutes (here 0.4×)."""
    diffkit = Timing(1.2, [1.2, 3.6, 1.2])  # 1.2× the peer, the machine 3× slower in round 2 ...
    peer = Timing(3.0, [1.0, 3.0, 3.0])  # ... and in rounds 2 and 3 for the peer
    cfg = Config(frameworks=("diffkit", "torch"))
    row = harness.cells({"diffkit": diffkit, "torch": peer}, cfg, 1e3)
    assert row["diffkit"].rounds == pytest.approx((1.2e3, 3.6e3, 1.2e3))
    assert report.ratio(row["diffkit"], row["torch"]) == "1.20×"
    assert report.ratio(Cell(value=1.2), Cell(value=3.0)) == "0.40×"  # one measurement each: their values
    f = Timing(2.0, [2.0, 4.0, 8.0])
    relative = harness.cells({"diffkit": Timing(6.0, [5.0, 12.0, 16.0])}, Config(frameworks=("diffkit",)), per=f)
    assert relative["diffkit"].rounds == pytest.approx((2.5, 3.0, 2.0)) and relative["diffkit"].value == 2.5
    scaled = harness.cells({"diffkit": diffkit}, Config(frameworks=("diffkit",)), lambda name: 10.0)
    assert scaled["diffkit"].value == pytest.approx(12.0)


@pytest.mark.parametrize("spec", [models.mlp_spec([8, 16, 16, 4]), models.cnn_spec(2, 6, 3)], ids=["mlp", "cnn"])
def test_minimal_tape_trains_exactly_as_the_floor(spec):
    """The tape only records and replays the floor's layers: after three steps its parameters are
    the floor's bit for bit, so its time over the floor's is recording alone."""
    params = models.init_params(spec, 0)
    shape = (spec[0][1],) if spec[0][0] == "linear" else (1, 6, 6)
    x, y = models.random_batch(shape, 4 if spec[0][0] == "linear" else 3, 5)
    floor, tape = numpy_floor.Trainer(spec, params, 0.1), minimal_tape.Trainer(spec, params, 0.1)
    for _ in range(3):
        floor.step(floor.batch(x, y))
        tape.step(tape.batch(x, y))
    for (p, _), (value, _, _) in zip(floor.net.params_and_grads(), tape.params):
        np.testing.assert_array_equal(value.data, p)
    assert not np.array_equal(tape.params[0][0].data, params[0]["weight"])  # it did train
    np.testing.assert_array_equal(tape.predict(x), floor.predict(x))


@pytest.mark.parametrize("exc, text", [
    (Missing("diffkit.optim.SGD"), "n/a (missing: diffkit.optim.SGD)"),
    (AttributeError("module 'diffkit' has no attribute 'nn'"), "n/a (missing: diffkit.nn)"),
    (AttributeError("'Tensor' object has no attribute 'copy_'"), "n/a (missing: Tensor.copy_)"),
    (harness.NotApplicable(), "—"),
    (RecursionError("maximum recursion depth exceeded"), "RecursionError"),
])
def test_failures_become_the_cells_that_explain_them(exc, text):
    assert harness.failure(exc).text == text


def test_memory_probe_in_a_fresh_process():
    cfg = Config(size="tiny", frameworks=("numpy", "micrograd"))
    cells = harness.probe(cfg, "benchmarks.memory:step_peak", ["numpy", "micrograd"], "mlp", "tiny", 0)
    assert cells["numpy"].ok and cells["numpy"].value >= 0
    assert cells["micrograd"].text in ("—", "not installed")


def test_results_document_describes_the_machine():
    rows = [Row("example", "ms", {name: Cell(value=1.0) for name in TINY.frameworks})]
    text = report.document(rows, TINY, [("CPU", "test cpu")], "python -m benchmarks", 60.0)
    assert "**CPU**: test cpu" in text and "| example | ms |" in text and "1.00×" in text


def test_command_line_lists_the_benchmarks(capsys):
    assert cli.main(["--list"]) == 0
    assert capsys.readouterr().out.split() == list(suite.BENCHMARKS)


def test_instruction_counts_parse_callgrind_and_the_counted_program_runs(monkeypatch):
    """benchmarks/instructions.py: the count is read off callgrind's last line, the program it counts runs
    (natively here, at a tiny length: valgrind would take a minute), and without valgrind it says so."""
    import subprocess

    from benchmarks import instructions

    assert instructions.collected("==12== Events    : Ir\n==12== Collected : 1888922941\n==12==\n") == 1888922941
    with pytest.raises(RuntimeError, match="no instruction count"):
        instructions.collected("valgrind: command not found")
    assert instructions.command(5)[-4:] == [sys.executable, "-c", instructions.PROGRAM, "5"]
    for work in instructions.WORKLOADS.values():
        done = subprocess.run([sys.executable, "-c", work.program, "3"], cwd=instructions.ROOT,
                              capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
    monkeypatch.setattr(instructions.shutil, "which", lambda name: None)
    with pytest.raises(SystemExit, match="valgrind is not installed"):
        instructions.main([])
