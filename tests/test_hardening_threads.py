"""Grad mode is thread-local, as in PyTorch: two threads training their own models at the same
time end with exactly the weights each gets alone, and a ``no_grad`` block in one thread never
switches recording off in another."""
from __future__ import annotations

import copy
import sys
import threading
import time

import numpy as np
import pytest

import diffkit as dk

STEPS = 60


@pytest.fixture(autouse=True)
def _switch_threads_often():
    """Make the interpreter switch threads every few microseconds, so the threads interleave."""
    previous = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(previous)


def _problem(seed: int):
    dk.manual_seed(seed)
    model = dk.nn.Sequential(dk.nn.Linear(4, 8), dk.nn.Tanh(), dk.nn.Linear(8, 1))
    rng = np.random.default_rng(seed)
    x = dk.tensor(rng.standard_normal((16, 4)), dtype=dk.float32)
    return model, x, (x.sum(1, keepdim=True) > 0).float()


def _train(model, x, y, evaluate_with_no_grad: bool) -> list:
    optimizer = dk.optim.SGD(model.parameters(), lr=0.1)
    losses = []
    for _ in range(STEPS):
        if evaluate_with_no_grad:  # a validation pass: must not switch off the other thread's tape
            with dk.no_grad():
                assert not model(x).requires_grad
        optimizer.zero_grad()
        loss = dk.nn.functional.binary_cross_entropy_with_logits(model(x), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


def test_two_threads_train_separate_models_without_interfering() -> None:
    problems = [_problem(1), _problem(2)]
    alone = []
    for i, (model, x, y) in enumerate(problems):  # the reference: each run by itself
        model = copy.deepcopy(model)
        alone.append((_train(model, x, y, evaluate_with_no_grad=i == 0), model.state_dict()))

    results, errors, spans = [None, None], [], [None, None]
    start = threading.Barrier(2)

    def worker(i: int) -> None:
        try:
            model, x, y = problems[i]
            start.wait()
            began = time.perf_counter()
            results[i] = (_train(model, x, y, evaluate_with_no_grad=i == 0), model.state_dict())
            spans[i] = (began, time.perf_counter())
        except BaseException as error:  # noqa: BLE001 - reported by the main thread
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert max(s[0] for s in spans) < min(s[1] for s in spans), "the threads did not run at the same time"
    for (losses, state), (expected_losses, expected_state) in zip(results, alone):
        assert losses == expected_losses
        assert losses[-1] < losses[0]
        for key in expected_state:
            np.testing.assert_array_equal(state[key].numpy(), expected_state[key].numpy())


def test_no_grad_and_set_grad_enabled_do_not_leak_across_threads() -> None:
    seen = {}
    inside = threading.Event()
    checked = threading.Event()

    def holder() -> None:
        with dk.no_grad():
            inside.set()
            checked.wait(5)
            seen["holder"] = dk.is_grad_enabled()
        seen["holder after"] = dk.is_grad_enabled()

    def other() -> None:
        inside.wait(5)
        x = dk.ones(2, requires_grad=True)
        seen["other"] = dk.is_grad_enabled() and (x * 2).requires_grad
        dk.set_grad_enabled(False)  # switched off for the rest of this thread only
        checked.set()

    threads = [threading.Thread(target=holder), threading.Thread(target=other)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen == {"holder": False, "holder after": True, "other": True}
    assert dk.is_grad_enabled()  # and the main thread never saw either switch
