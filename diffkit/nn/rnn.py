"""Recurrent layers: ``RNN``, ``LSTM``, ``GRU`` (multi-layer, bidirectional, ``batch_first``) and their cells.

Each layer projects the whole input sequence at once (one ``linear`` over every time step),
then runs a Python loop over *time* in which each step is a handful of primitives; the
tape records the unrolled graph and backpropagation through time needs nothing more.
Parameter names, shapes, gate order (LSTM: i, f, g, o; GRU: r, z, n) and initialisation
U(-1/√H, 1/√H) are PyTorch's, so weights transfer between the two.
"""
from __future__ import annotations

import math

from .. import creation
from ..ops import elementwise, nn_functions
from ..ops.pieces import chunk
from ..ops.shape import cat, squeeze, stack, transpose, unsqueeze
from ..tensor import Tensor
from . import init
from .linear import _factory
from .module import Module
from .parameter import Parameter

_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


def _rnn_step(x_proj, h_proj, h, c, mode):
    """One time step from the projected input and the projected hidden state: (h, c)."""
    if mode == "LSTM":
        i, f, g, o = chunk(x_proj + h_proj, 4, 1)
        c = elementwise.sigmoid(f) * c + elementwise.sigmoid(i) * elementwise.tanh(g)
        return elementwise.sigmoid(o) * elementwise.tanh(c), c
    if mode == "GRU":
        xr, xz, xn = chunk(x_proj, 3, 1)
        hr, hz, hn = chunk(h_proj, 3, 1)
        r, z = elementwise.sigmoid(xr + hr), elementwise.sigmoid(xz + hz)
        n = elementwise.tanh(xn + r * hn)
        return (1 - z) * n + z * h, None
    activation = elementwise.tanh if mode == "RNN_TANH" else elementwise.relu
    return activation(x_proj + h_proj), None


def _check_unbatched_state(hx, lstm: bool) -> None:
    """An unbatched (2-D) input takes 2-D states, as PyTorch insists."""
    if hx is None:
        return
    if lstm and any(h.dim() != 2 for h in hx):
        raise RuntimeError(f"For unbatched 2-D input, hx and cx should also be 2-D but got "
                           f"({hx[0].dim()}-D, {hx[1].dim()}-D) tensors")
    if not lstm and hx.dim() != 2:
        raise RuntimeError(f"For unbatched 2-D input, hx should also be 2-D but got {hx.dim()}-D tensor")


def _uniform_init(module: Module, hidden_size: int) -> None:
    bound = 1.0 / math.sqrt(hidden_size) if hidden_size > 0 else 0
    for weight in module.parameters():
        init.uniform_(weight, -bound, bound)


class RNNBase(Module):
    """Shared machinery of RNN, LSTM and GRU."""

    def __init__(self, mode: str, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False, proj_size: int = 0,
                 device=None, dtype=None) -> None:
        super().__init__()
        if proj_size:
            raise NotImplementedError("diffkit's LSTM does not support proj_size")
        if not 0 <= dropout <= 1:
            raise ValueError("dropout should be a number in range [0, 1] representing the probability of an "
                             "element being zeroed")
        self.mode, self.input_size, self.hidden_size, self.num_layers = mode, input_size, hidden_size, num_layers
        self.bias, self.batch_first, self.dropout = bias, batch_first, float(dropout)
        self.bidirectional, self.proj_size = bidirectional, proj_size
        directions = 2 if bidirectional else 1
        gate_size = _GATES[mode] * hidden_size
        for layer in range(num_layers):
            layer_input = input_size if layer == 0 else hidden_size * directions
            for direction in range(directions):
                suffix = f"_l{layer}" + ("_reverse" if direction else "")
                shapes = [("weight_ih", (gate_size, layer_input)), ("weight_hh", (gate_size, hidden_size))]
                if bias:
                    shapes += [("bias_ih", (gate_size,)), ("bias_hh", (gate_size,))]
                for name, shape in shapes:
                    setattr(self, name + suffix, Parameter(creation.empty(*shape, **_factory(dtype))))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        _uniform_init(self, self.hidden_size)

    def _weights(self, layer: int, direction: int) -> tuple:
        suffix = f"_l{layer}" + ("_reverse" if direction else "")
        get = self._parameters.get
        return get("weight_ih" + suffix), get("weight_hh" + suffix), get("bias_ih" + suffix), get("bias_hh" + suffix)

    def _initial_state(self, input: Tensor, hx, batch: int):
        shape = (self.num_layers * (2 if self.bidirectional else 1), batch, self.hidden_size)
        if hx is None:
            zeros = creation.zeros(*shape, dtype=input.dtype)
            return zeros, (creation.zeros(*shape, dtype=input.dtype) if self.mode == "LSTM" else None)
        h0, c0 = hx if self.mode == "LSTM" else (hx, None)
        for i, state in enumerate((h0, c0) if self.mode == "LSTM" else (h0,)):
            if tuple(state.shape) != shape:
                name = f"hidden[{i}]" if self.mode == "LSTM" else "hidden"
                raise RuntimeError(f"Expected {name} size {shape}, got {list(state.shape)}")
        return h0, c0

    def forward(self, input: Tensor, hx=None):
        unbatched = input.dim() == 2
        if unbatched:
            _check_unbatched_state(hx, self.mode == "LSTM")
            input = unsqueeze(input, 1)
            if hx is not None:
                hx = tuple(unsqueeze(h, 1) for h in hx) if self.mode == "LSTM" else unsqueeze(hx, 1)
        elif input.dim() != 3:
            raise ValueError(f"{type(self).__name__}: Expected input to be 2D or 3D, got {input.dim()}D instead")
        elif self.batch_first:
            input = transpose(input, 0, 1)
        if input.shape[-1] != self.input_size:
            raise RuntimeError(f"input.size(-1) must be equal to input_size. Expected {self.input_size}, "
                               f"got {input.shape[-1]}")
        if input.shape[0] == 0:
            raise RuntimeError("Expected sequence length to be larger than 0 in RNN")
        h0, c0 = self._initial_state(input, hx, input.shape[1])
        output, h_n, c_n = self._run(input, h0, c0)
        if unbatched:
            output, h_n = squeeze(output, 1), squeeze(h_n, 1)
            c_n = squeeze(c_n, 1) if c_n is not None else None
        elif self.batch_first:
            output = transpose(output, 0, 1)
        return output, ((h_n, c_n) if self.mode == "LSTM" else h_n)

    def _run(self, x: Tensor, h0: Tensor, c0: Tensor | None):
        directions = 2 if self.bidirectional else 1
        finals_h, finals_c = [], []
        for layer in range(self.num_layers):
            outputs = []
            for direction in range(directions):
                k = layer * directions + direction
                out, h, c = self._run_direction(x, h0[k], c0[k] if c0 is not None else None, layer, direction)
                outputs.append(out)
                finals_h.append(h)
                finals_c.append(c)
            x = outputs[0] if directions == 1 else cat(outputs, 2)
            if self.dropout and self.training and layer < self.num_layers - 1:
                x = nn_functions.dropout(x, self.dropout, True)
        c_n = stack(finals_c, 0) if self.mode == "LSTM" else None
        return x, stack(finals_h, 0), c_n

    def _run_direction(self, x, h, c, layer: int, direction: int):
        w_ih, w_hh, b_ih, b_hh = self._weights(layer, direction)
        x_proj = nn_functions.linear(x, w_ih, b_ih)  # every time step in one product
        steps = range(x.shape[0])
        outputs = [None] * x.shape[0]
        for t in reversed(steps) if direction else steps:
            h, c = _rnn_step(x_proj[t], nn_functions.linear(h, w_hh, b_hh), h, c, self.mode)
            outputs[t] = h
        return stack(outputs, 0), h, c

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            s += f", bidirectional={self.bidirectional}"
        return s


class RNN(RNNBase):
    """Elman RNN: h_t = tanh(W_ih x_t + b_ih + W_hh h_(t-1) + b_hh) (or relu)."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, nonlinearity: str = "tanh",
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False,
                 device=None, dtype=None) -> None:
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or 'relu'.")
        self.nonlinearity = nonlinearity
        super().__init__("RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU", input_size, hidden_size,
                         num_layers, bias, batch_first, dropout, bidirectional, dtype=dtype)


class LSTM(RNNBase):
    """Long short-term memory (Hochreiter & Schmidhuber 1997); returns (output, (h_n, c_n))."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False, proj_size: int = 0,
                 device=None, dtype=None) -> None:
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         proj_size, dtype=dtype)


class GRU(RNNBase):
    """Gated recurrent unit (Cho et al. 2014)."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False,
                 device=None, dtype=None) -> None:
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         dtype=dtype)


class _CellBase(Module):
    mode = "RNN_TANH"

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device=None, dtype=None) -> None:
        super().__init__()
        self.input_size, self.hidden_size, self.bias = input_size, hidden_size, bias
        gate_size = _GATES[self.mode] * hidden_size
        self.weight_ih = Parameter(creation.empty(gate_size, input_size, **_factory(dtype)))
        self.weight_hh = Parameter(creation.empty(gate_size, hidden_size, **_factory(dtype)))
        if bias:
            self.bias_ih = Parameter(creation.empty(gate_size, **_factory(dtype)))
            self.bias_hh = Parameter(creation.empty(gate_size, **_factory(dtype)))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        _uniform_init(self, hidden_size)

    def _check(self, input: Tensor, states: tuple) -> None:
        """PyTorch's checks of a cell's input and states (else a broadcasting error, or a silent broadcast)."""
        if input.dim() not in (1, 2):
            raise ValueError(f"{type(self).__name__}: Expected input to be 1D or 2D, got {input.dim()}D instead")
        if input.shape[-1] != self.input_size:
            raise RuntimeError(f"input has inconsistent input_size: got {input.shape[-1]} expected {self.input_size}")
        for i, state in enumerate(states):
            if input.dim() == 2 and (state.dim() != 2 or state.shape[0] != input.shape[0]):
                raise RuntimeError(f"Input batch size {input.shape[0]} doesn't match hidden{i} batch size "
                                   f"{state.shape[0] if state.dim() else 0}")
            if state.shape[-1:] != (self.hidden_size,) or state.dim() != input.dim():
                # PyTorch reports size(1) after unsqueezing an unbatched input's state
                got = state.shape[-1] if state.dim() == input.dim() else (state.shape[0] if state.dim() else 0)
                raise RuntimeError(f"hidden{i} has inconsistent hidden_size: got {got}, expected {self.hidden_size}")

    def _step(self, input: Tensor, h: Tensor, c):
        self._check(input, (h,) if c is None else (h, c))
        unbatched = input.dim() == 1
        if unbatched:
            input, h = unsqueeze(input, 0), unsqueeze(h, 0)
            c = unsqueeze(c, 0) if c is not None else None
        h, c = _rnn_step(nn_functions.linear(input, self.weight_ih, self.bias_ih),
                         nn_functions.linear(h, self.weight_hh, self.bias_hh), h, c, self.mode)
        if unbatched:
            h, c = squeeze(h, 0), (squeeze(c, 0) if c is not None else None)
        return h, c

    def _zeros(self, input: Tensor) -> Tensor:
        shape = (self.hidden_size,) if input.dim() == 1 else (input.shape[0], self.hidden_size)
        return creation.zeros(*shape, dtype=input.dtype)

    def forward(self, input: Tensor, hx=None):
        h, _ = self._step(input, self._zeros(input) if hx is None else hx, None)
        return h

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            s += f", nonlinearity={self.nonlinearity}"
        return s


class RNNCell(_CellBase):
    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, nonlinearity: str = "tanh",
                 device=None, dtype=None) -> None:
        self.mode = "RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU"
        super().__init__(input_size, hidden_size, bias, dtype=dtype)
        self.nonlinearity = nonlinearity


class LSTMCell(_CellBase):
    mode = "LSTM"

    def forward(self, input: Tensor, hx=None):
        h, c = (self._zeros(input), self._zeros(input)) if hx is None else hx
        return self._step(input, h, c)


class GRUCell(_CellBase):
    mode = "GRU"
