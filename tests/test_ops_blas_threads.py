"""Small matrix products run on one BLAS thread (diffkit/ops/_blas.py): same numbers, count restored."""
import threading

import numpy as np
import pytest

import diffkit
from diffkit.ops import _blas, _sums


class FakeControls:
    """Stands in for OpenBLAS's set/get, recording what gemm asks for."""

    def __init__(self, threads: int):
        self.threads, self.calls = threads, []

    def set(self, n: int) -> None:
        self.calls.append(n)
        self.threads = n

    def get(self) -> int:
        return self.threads


@pytest.fixture
def fake(monkeypatch):
    controls = FakeControls(2)
    monkeypatch.setattr(_blas, "_CONTROLS", (controls.set, controls.get))
    return controls


def operands(m, k, n, batch=(), dtype=np.float32):
    rng = np.random.default_rng(m * k + n)
    return (rng.standard_normal(batch + (m, k)).astype(dtype), rng.standard_normal((k, n)).astype(dtype))


@pytest.mark.parametrize("shape", [(128, 256, 256), (128, 64, 256), (512, 1, 1024)])
def test_a_small_product_runs_on_one_thread_and_restores_the_count(fake, shape):
    a, b = operands(*shape)
    np.testing.assert_array_equal(_blas.gemm(a, b), a @ b)
    assert fake.calls == [1, 2] and fake.threads == 2


@pytest.mark.parametrize("shape", [(256, 256, 256), (32, 32, 32)])
def test_large_and_tiny_products_keep_the_library_count(fake, shape):
    a, b = operands(*shape)  # 2^24 multiply-adds and more: threads pay; 32^3: OpenBLAS already uses one
    np.testing.assert_array_equal(_blas.gemm(a, b), a @ b)
    assert fake.calls == []


def test_a_batch_counts_in_the_work(fake):
    a, b = operands(16, 64, 128, batch=(64,))  # 8.4 M multiply-adds, from 64 products of 131 K
    _blas.gemm(a, b)
    assert fake.calls == [1, 2]
    fake.calls.clear()
    c, d = operands(128, 64, 32)[0], operands(64, 32, 32, batch=(32,))[0]
    _blas.gemm(c, d)  # (128, 64) @ (32, 64, 32), 8.4 M: the batch is on the second operand
    assert fake.calls == [1, 2]


def test_the_count_is_restored_when_the_product_fails(fake):
    a = np.ones((256, 256), np.float32)
    with pytest.raises(ValueError):
        _blas.gemm(a, np.ones((128, 64), np.float32))
    assert fake.threads == 2 and fake.calls == [1, 2]


def test_one_thread_already_and_other_threads_are_left_alone(fake):
    a, b = operands(128, 256, 256)
    fake.threads = 1
    _blas.gemm(a, b)
    assert fake.calls == []
    fake.threads = 2
    worker = threading.Thread(target=_blas.gemm, args=(a, b))  # the count is process-wide: not from a worker
    worker.start()
    worker.join()
    assert fake.calls == []


def test_non_arrays_and_missing_controls_are_plain_matmul(monkeypatch):
    monkeypatch.setattr(_blas, "_CONTROLS", None)
    a, b = operands(128, 256, 256)
    np.testing.assert_array_equal(_blas.gemm(a, b), np.matmul(a, b))
    monkeypatch.setattr(_blas, "_CONTROLS", (FakeControls(2).set, FakeControls(2).get))
    assert _blas.gemm([[1.0, 2.0]], [[3.0], [4.0]]).tolist() == [[11.0]]


@pytest.mark.skipif(_blas._CONTROLS is None, reason="numpy's BLAS is not an OpenBLAS this module can steer")
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_with_the_real_openblas_the_numbers_are_bitwise_those_of_numpy(dtype):
    """OpenBLAS shares out rows and columns, never the sum over k: one thread or two give the same bits."""
    set_threads, get_threads = _blas._CONTROLS
    before = get_threads()
    for shape in [(128, 256, 256), (256, 128, 256), (100, 300, 77)]:
        a, b = operands(*shape, dtype=dtype)
        set_threads(max(before, 2))
        try:
            threaded = np.matmul(a, b)
        finally:
            set_threads(before)
        np.testing.assert_array_equal(_blas.gemm(a, b), threaded)
        assert get_threads() == before


def test_the_linear_layer_and_sums_go_through_it(fake):
    """The small MLP's products (forward and both weight-side rules) and the BLAS sums use the policy."""
    x = diffkit.randn(128, 256, requires_grad=True)
    layer = diffkit.nn.Linear(256, 256)
    weights = diffkit.rand(128, 256)
    (layer(x) * weights).sum().backward()
    assert fake.calls == [1, 2] * 3  # x @ W.T, g @ W, g.T @ x; the bias's ones @ g is below OpenBLAS's own cut
    np.testing.assert_allclose(layer.bias.grad.numpy(), weights.numpy().sum(0), rtol=1e-5)
    fake.calls.clear()
    g = np.random.default_rng(0).standard_normal((1024, 512)).astype(np.float32)
    np.testing.assert_allclose(_sums.sum_leading(g, 1), g.sum(0), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(_sums.sum_trailing(g, 1), g.sum(1), rtol=1e-4, atol=1e-4)
    assert fake.calls == [1, 2] * 2
