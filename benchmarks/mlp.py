"""One MLP training step (forward, cross-entropy, backward, SGD) per framework.

The small MLP measures per-operation overhead at realistic sizes; the large one is
BLAS-bound, so there the floor is the matrix products and any overhead shows as a ratio
above 1.
"""
from __future__ import annotations

from . import frameworks, minimal_tape, models, numpy_floor
from .harness import Config, Row, Setup, Timing, cells, measure, paired_ratio

NAME = "mlp"
LR = 0.01
SEED = 0

#: (layer sizes, batch) per run size
SIZES = {
    "tiny": [([8, 16, 16, 4], 8)],
    "quick": [([64, 256, 256, 10], 128), ([784, 1024, 1024, 10], 256)],
    "full": [([64, 256, 256, 10], 128), ([784, 1024, 1024, 10], 256)],
}


def cases(cfg: Config) -> list[tuple[str, models.Spec, tuple]]:
    """(label, spec, batch) of each MLP of this run size; memory.py measures the same ones."""
    out = []
    for sizes, batch in cfg.pick(SIZES):
        label = f"MLP {'-'.join(map(str, sizes))}, batch {batch}"
        out.append((label, models.mlp_spec(sizes), models.random_batch((sizes[0],), sizes[-1], batch)))
    return out


def step_rows(cfg: Config, labelled: list[tuple[str, models.Spec, tuple]], what: str) -> list[Row]:
    """Time one training step of each model in `labelled`; shared with the CNN benchmark."""
    rows = []
    for label, spec, batch in labelled:
        setups = {**models.trainer_setups(spec, LR, SEED, models.step_on(batch)), "tape": _tape_setup(spec, batch)}
        if "diffkit" in cfg.frameworks:
            setups["captured"] = _captured_setup(spec, batch)
            if "numpy" in cfg.frameworks and _one_thread() is not None:
                setups["floor, one thread"] = _one_thread_floor_setup(spec, batch)
        outcomes = measure(setups, cfg)
        note = "; ".join(filter(None, (_captured_note(outcomes), _tape_note(outcomes), _one_thread_note(outcomes))))
        rows.append(Row(f"{label}: {what}", "ms/step", cells(outcomes, cfg, 1e3), note=note))
    return rows


def _tape_setup(spec: models.Spec, batch: tuple) -> Setup:
    """The floor's layers behind a minimal tape (minimal_tape.py), timed beside the frameworks."""
    return lambda m: models.step_on(batch)(minimal_tape.Trainer(spec, models.init_params(spec, SEED), LR))


def _captured_setup(spec: models.Spec, batch: tuple) -> Setup:
    """diffkit's same step wrapped in diffkit.graphs.capture: recorded on two calls, then replayed."""

    def setup(_):
        diffkit = frameworks.load("diffkit")
        trainer = models.TorchLike(diffkit, spec, models.init_params(spec, SEED), LR)
        x, y = trainer.batch(*batch)
        step = diffkit.graphs.capture(lambda x, y: trainer.step((x, y)))
        return lambda: step(x, y)

    return setup


def _one_thread():
    """(set, get) of numpy's OpenBLAS thread count, as diffkit found them, or None."""
    from diffkit.ops import _blas

    return _blas._CONTROLS


def _one_thread_floor_setup(spec: models.Spec, batch: tuple) -> Setup:
    """The floor's step with numpy's OpenBLAS on one thread, as diffkit runs a small network's products.

    This host switches between a state where the second BLAS thread speeds the floor's products and one
    where its spinning slows what follows them (the floor's step took 0.60 and 1.35 ms in two runs of one
    day). Beside this column, diffkit's ratio reads without that state."""

    def setup(_):
        from diffkit.ops._blas import on_one_thread

        step = models.step_on(batch)(numpy_floor.Trainer(spec, models.init_params(spec, SEED), LR))
        return lambda: on_one_thread(step)

    return setup


def _captured_note(outcomes: dict) -> str:
    """The replayed step, and its ratios to the floor and to PyTorch measured in the same rounds."""
    captured = outcomes.get("captured")
    if not isinstance(captured, Timing):
        return f"diffkit.graphs.capture: {captured.text}" if captured is not None else ""
    ratios = [f"{paired_ratio(captured, outcomes[k]):.2f}× {label}" for k, label in
              (("numpy", "floor"), ("torch", "PyTorch")) if isinstance(outcomes.get(k), Timing)]
    return f"captured step (diffkit.graphs.capture) {captured.seconds * 1e3:.3g} ms = " + ", ".join(ratios)


def _step_note(outcomes: dict, key: str, label: str, ratio_of: tuple[str, str], form: str) -> str:
    """``label`` and the step time of ``outcomes[key]``, then ``form`` with the paired ratio of the two
    outcomes named in ``ratio_of`` when both were timed."""
    timing = outcomes.get(key)
    if not isinstance(timing, Timing):
        return ""
    a, b = (outcomes.get(k) for k in ratio_of)
    ratio = form.format(paired_ratio(a, b)) if isinstance(a, Timing) and isinstance(b, Timing) else ""
    return f"{label} {timing.seconds * 1e3:.3g} ms{ratio}"


def _tape_note(outcomes: dict) -> str:
    """What recording alone costs: the minimal tape's step, and its ratio to the floor's."""
    return _step_note(outcomes, "tape", "minimal tape over the floor's kernels", ("tape", "numpy"), " = {:.2f}× floor")


def _one_thread_note(outcomes: dict) -> str:
    """The floor on one BLAS thread, and diffkit's ratio to it."""
    return _step_note(outcomes, "floor, one thread", "floor on one BLAS thread", ("diffkit", "floor, one thread"),
                      " (diffkit {:.2f}× it)")


def run(cfg: Config) -> list[Row]:
    return step_rows(cfg, cases(cfg), "fwd+loss+bwd+SGD")
