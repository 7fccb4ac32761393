"""Tutorial boilerplate against PyTorch: torch.backends.cudnn flags, use_deterministic_algorithms and
set_num_threads / get_num_threads behave (and fail) as PyTorch's on a CPU."""
import importlib

import pytest

import diffkit as dk

torch = pytest.importorskip("torch")


def test_cudnn_and_mps_flags_are_settable_as_in_pytorch():
    for framework in (dk, torch):
        cudnn = importlib.import_module(f"{framework.__name__}.backends.cudnn")
        assert cudnn is framework.backends.cudnn
        saved = cudnn.deterministic, cudnn.benchmark
        cudnn.deterministic, cudnn.benchmark = True, False
        assert framework.backends.cudnn.deterministic is True and framework.backends.cudnn.benchmark is False
        cudnn.deterministic, cudnn.benchmark = saved
        assert cudnn.is_available() is False and cudnn.version() is None
        assert framework.backends.mps.is_available() is False
    assert dk.backends.cudnn.enabled is torch.backends.cudnn.enabled is True


def test_deterministic_algorithms_flags_round_trip_as_pytorch():
    for framework in (dk, torch):
        framework.use_deterministic_algorithms(True, warn_only=True)
        assert framework.are_deterministic_algorithms_enabled()
        assert framework.is_deterministic_algorithms_warn_only_enabled()
        framework.use_deterministic_algorithms(False)
        assert not framework.are_deterministic_algorithms_enabled()
        assert not framework.is_deterministic_algorithms_warn_only_enabled()
    with pytest.raises(TypeError):
        dk.use_deterministic_algorithms("yes")


def test_set_num_threads_round_trips_and_reaches_blas():
    before = dk.get_num_threads()
    assert isinstance(before, int) and before >= 1
    try:
        dk.set_num_threads(1)
        assert dk.get_num_threads() == 1
        threadpoolctl = pytest.importorskip("threadpoolctl")
        blas = [p["num_threads"] for p in threadpoolctl.threadpool_info() if p.get("user_api") == "blas"]
        assert all(n == 1 for n in blas)
    finally:
        dk.set_num_threads(before)
    assert dk.get_num_threads() == before
    for framework in (dk, torch):
        for bad in (0, -2):
            with pytest.raises(RuntimeError, match="set_num_threads expects a positive integer"):
                framework.set_num_threads(bad)
    assert dk.get_num_interop_threads() >= 1
