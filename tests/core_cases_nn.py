"""Cases for the neural-network kernels of diffkit.ops (activations, losses, normalisation,
convolution, pooling, embedding, dropout, erf), through ``m.nn.functional`` -- the same table
format as core_cases.py, run by the same gradcheck and parity tests.

Where diffkit's node knowingly has another name than PyTorch's (one fused kernel where
PyTorch records a composition, say), ``torch_name`` records PyTorch's.
"""
from __future__ import annotations

import numpy as np
from core_cases import Case

import diffkit.nn.functional  # noqa: F401 - makes diffkit.nn an attribute, as torch.nn is

TARGET_PROBABILITIES = np.array([[0.0, 1.0, 0.25], [0.5, 1.0, 0.0]])
CLASSES = np.array([0, 2])
WORDS = np.array([[0, 4], [2, 2]])  # a repeated index: embedding gradients accumulate


def _f(m):
    return m.nn.functional


def _targets(m, x):
    return m.tensor(TARGET_PROBABILITIES, dtype=x.dtype)  # PyTorch wants the input's dtype


def _dropout(m, x):
    m.manual_seed(0)  # the same mask at every call, so finite differences see one function
    return _f(m).dropout(x, 0.5, training=True)


C = Case
NN_CASES = [
    C("linear", "AddmmBackward0", lambda m, x, w, b: _f(m).linear(x, w, b), ((2, 3), (4, 3), (4,))),
    C("linear-no-bias", "AddmmBackward0", lambda m, x, w: _f(m).linear(x, w), ((2, 3), (4, 3)),
      torch_name="MmBackward0"),
    C("elu", "EluBackward0", lambda m, x: _f(m).elu(x), ((2, 3),)),
    C("gelu", "GeluBackward0", lambda m, x: _f(m).gelu(x), ((2, 3),)),
    C("gelu-tanh", "GeluBackward0", lambda m, x: _f(m).gelu(x, approximate="tanh"), ((2, 3),)),
    C("leaky_relu", "LeakyReluBackward0", lambda m, x: _f(m).leaky_relu(x, 0.1), ((2, 3),)),
    C("silu", "SiluBackward0", lambda m, x: _f(m).silu(x), ((2, 3),)),
    C("hardtanh", "HardtanhBackward0", lambda m, x: _f(m).hardtanh(x, -0.5, 0.5), ((2, 3),)),
    C("relu6", "HardtanhBackward0", lambda m, x: _f(m).relu6(x * 4), ((2, 3),)),
    C("hardswish", "HardswishBackward0", lambda m, x: _f(m).hardswish(x * 3), ((2, 3),)),
    C("softplus", "SoftplusBackward0", lambda m, x: _f(m).softplus(x), ((2, 3),)),
    C("erf", "ErfBackward0", lambda m, x: m.erf(x), ((2, 3),)),
    C("erfc", "ErfcBackward0", lambda m, x: x.erfc(), ((2, 3),)),
    C("cross_entropy", "CrossEntropyLossBackward0", lambda m, x: _f(m).cross_entropy(x, m.tensor(CLASSES)),
      ((2, 3),), torch_name="NllLossBackward0"),
    C("cross_entropy-ignored-none", "CrossEntropyLossBackward0",
      lambda m, x: _f(m).cross_entropy(x, m.tensor([CLASSES[0], -100]), reduction="none"), ((2, 3),),
      torch_name="NllLossBackward0"),
    C("cross_entropy-smoothing", "CrossEntropyLossBackward0",
      lambda m, x: _f(m).cross_entropy(x, m.tensor(CLASSES), label_smoothing=0.2), ((2, 3),),
      torch_name="AddBackward0"),
    C("nll_loss", "NllLossBackward0", lambda m, x: _f(m).nll_loss(x, m.tensor(CLASSES)), ((2, 3),)),
    C("binary_cross_entropy", "BinaryCrossEntropyBackward0",
      lambda m, p: _f(m).binary_cross_entropy(p, _targets(m, p)), ((2, 3),), "probability"),
    C("binary_cross_entropy_with_logits", "BinaryCrossEntropyWithLogitsBackward0",
      lambda m, x: _f(m).binary_cross_entropy_with_logits(x, _targets(m, x)), ((2, 3),)),
    C("batch_norm", "NativeBatchNormBackward0",
      lambda m, x, w, b: _f(m).batch_norm(x, None, None, w, b, training=True), ((4, 3), (3,), (3,))),
    C("layer_norm", "NativeLayerNormBackward0", lambda m, x, w, b: _f(m).layer_norm(x, (3,), w, b),
      ((2, 3), (3,), (3,))),
    C("conv2d", "ConvolutionBackward0", lambda m, x, w, b: _f(m).conv2d(x, w, b), ((1, 2, 4, 4), (3, 2, 2, 2), (3,))),
    C("conv2d-stride-padding", "ConvolutionBackward0", lambda m, x, w: _f(m).conv2d(x, w, stride=2, padding=1),
      ((2, 1, 3, 3), (2, 1, 2, 2))),
    C("conv_transpose2d", "ConvTransposeBackward0", lambda m, x, w: _f(m).conv_transpose2d(x, w),
      ((1, 2, 3, 3), (2, 3, 2, 2)), torch_name="ConvolutionBackward0"),
    C("max_pool2d", "MaxPool2DWithIndicesBackward0", lambda m, x: _f(m).max_pool2d(x, 2), ((1, 2, 4, 4),)),
    C("avg_pool2d", "AvgPool2DBackward0", lambda m, x: _f(m).avg_pool2d(x, 2), ((1, 2, 4, 4),)),
    C("pad", "ConstantPadNdBackward0", lambda m, x: _f(m).pad(x, (1, 2)), ((2, 3),)),
    C("embedding", "EmbeddingBackward0", lambda m, w: _f(m).embedding(m.tensor(WORDS), w), ((5, 3),)),
    C("dropout", "NativeDropoutBackward0", _dropout, ((2, 3),), torch_name="MulBackward0", same_values=False),
]
