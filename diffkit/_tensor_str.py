"""Printing tensors exactly as PyTorch prints them (``torch/_tensor_str.py`` is the model).

A formatter looks at every value once to choose between integer mode (``1.``), fixed point
with four decimals and scientific notation, and the column width; then rows are laid out at
80 columns, summarised with ``...`` past 1000 elements.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass
class PrintOptions:
    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: bool | None = None


options = PrintOptions()


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None,
                     profile=None, sci_mode=None) -> None:
    """Set printing options as ``torch.set_printoptions`` does."""
    if profile == "default":
        options.__init__()
    elif profile == "short":
        options.__init__(precision=2, threshold=1000, edgeitems=2, linewidth=80)
    elif profile == "full":
        options.__init__(precision=4, threshold=math.inf, edgeitems=3, linewidth=80)
    for name, value in dict(precision=precision, threshold=threshold, edgeitems=edgeitems,
                            linewidth=linewidth).items():
        if value is not None:
            setattr(options, name, value)
    options.sci_mode = sci_mode


class _Formatter:
    """Chooses one format for all values of a tensor and pads them to one width."""

    def __init__(self, values: np.ndarray) -> None:
        self.floating = values.dtype.kind in "fc"
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1
        flat = values.reshape(-1)
        if not self.floating:
            for value in flat.tolist():
                self.max_width = max(self.max_width, len(_plain(value)))
            return
        finite = flat[np.isfinite(flat) & (flat != 0)].astype(np.float64)
        if finite.size == 0:
            return
        absolute = np.abs(finite)
        smallest, largest = float(absolute.min()), float(absolute.max())
        self.int_mode = bool(np.all(finite == np.ceil(finite)))
        p = options.precision
        if self.int_mode:
            if largest / smallest > 1000.0 or largest > 1.0e8:
                self.sci_mode = True
                widths = (len(f"{v:.{p}e}") for v in finite.tolist())
            else:
                widths = (len(f"{v:.0f}") + 1 for v in finite.tolist())
        else:
            if largest / smallest > 1000.0 or largest > 1.0e8 or smallest < 1.0e-4:
                self.sci_mode = True
                widths = (len(f"{v:.{p}e}") for v in finite.tolist())
            else:
                widths = (len(f"{v:.{p}f}") for v in finite.tolist())
        self.max_width = max(self.max_width, *widths)
        if options.sci_mode is not None:
            self.sci_mode = options.sci_mode

    def format(self, value) -> str:
        p = options.precision
        if not self.floating:
            text = _plain(value)
        elif self.sci_mode:
            text = f"{value:{self.max_width}.{p}e}"
        elif self.int_mode:
            text = f"{value:.0f}"
            if not (math.isinf(value) or math.isnan(value)):
                text += "."
        else:
            text = f"{value:.{p}f}"
        return " " * (self.max_width - len(text)) + text


class _ComplexFormatter:
    """PyTorch's complex format: real and imaginary parts each with their own formatter,
    ``1.5000+2.j`` (it crashed before: the float formatter saw complex values)."""

    def __init__(self, values: np.ndarray) -> None:
        self.real, self.imag = _Formatter(values.real), _Formatter(values.imag)
        self.max_width = self.real.max_width + self.imag.max_width + 1

    def format(self, value) -> str:
        imag = (self.imag.format(value.imag) + "j").lstrip()
        return self.real.format(value.real) + (imag if imag[0] in "+-" else "+" + imag)


def _plain(value) -> str:
    return str(value)


def _summarized(values: np.ndarray) -> np.ndarray:
    """The values that stay visible when a large tensor is printed with ``...``."""
    e = options.edgeitems
    if values.ndim == 0:
        return values
    if values.ndim == 1:
        return np.concatenate([values[:e], values[-e:]]) if values.shape[0] > 2 * e else values
    if values.shape[0] > 2 * e:
        rows = [_summarized(values[i]) for i in [*range(e), *range(len(values) - e, len(values))]]
    else:
        rows = [_summarized(row) for row in values]
    return np.stack(rows)


def _vector(values: np.ndarray, indent: int, summarize: bool, formatter: _Formatter) -> str:
    element_length = formatter.max_width + 2
    per_line = max(1, int(math.floor((options.linewidth - indent) / element_length)))
    e = options.edgeitems
    if summarize and values.shape[0] > 2 * e:
        data = [formatter.format(v) for v in values[:e].tolist()] + [" ..."]
        data += [formatter.format(v) for v in values[-e:].tolist()]
    else:
        data = [formatter.format(v) for v in values.tolist()]
    lines = [", ".join(data[i:i + per_line]) for i in range(0, len(data), per_line)]
    return "[" + ("," + "\n" + " " * (indent + 1)).join(lines) + "]"


def _nested(values: np.ndarray, indent: int, summarize: bool, formatter: _Formatter) -> str:
    if values.ndim == 0:
        return formatter.format(values.item())
    if values.ndim == 1:
        return _vector(values, indent, summarize, formatter)
    e = options.edgeitems
    if summarize and values.shape[0] > 2 * e:
        rows = [_nested(values[i], indent + 1, summarize, formatter) for i in range(e)] + ["..."]
        rows += [_nested(values[i], indent + 1, summarize, formatter)
                 for i in range(len(values) - e, len(values))]
    else:
        rows = [_nested(row, indent + 1, summarize, formatter) for row in values]
    return "[" + ("," + "\n" * (values.ndim - 1) + " " * (indent + 1)).join(rows) + "]"


def array_str(values: np.ndarray, indent: int) -> str:
    """The bracketed body of a tensor's repr (without ``tensor(`` and suffixes)."""
    if values.size == 0:
        return "[]"
    summarize = values.size > options.threshold
    shown = _summarized(values) if summarize else values
    formatter = _ComplexFormatter(shown) if values.dtype.kind == "c" else _Formatter(shown)
    return _nested(values, indent, summarize, formatter)


def tensor_repr(tensor, prefix: str = "tensor(") -> str:
    from ._dtypes import bool as bool_
    from ._dtypes import complex64, complex128, float64, get_default_dtype, int64

    values = tensor._data
    indent = len(prefix)
    suffixes = []
    dtype = tensor.dtype
    default = get_default_dtype()
    if values.size == 0:
        if values.ndim != 1:
            suffixes.append(f"size={tuple(values.shape)}")
        if dtype is not default:
            suffixes.append(f"dtype={dtype!r}")
        body = "[]"
    else:
        default_complex = complex128 if default is float64 else complex64  # as PyTorch pairs them
        if dtype not in (default, default_complex, int64, bool_):
            suffixes.append(f"dtype={dtype!r}")
        body = array_str(values, indent)
    if tensor.grad_fn is not None:
        suffixes.append(f"grad_fn=<{type(tensor.grad_fn).__name__}>")
    elif tensor.requires_grad:
        suffixes.append("requires_grad=True")
    return _with_suffixes(prefix + body, suffixes, indent)


def _with_suffixes(text: str, suffixes: list[str], indent: int) -> str:
    parts = [text]
    last_line_length = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        # measured as PyTorch measures "dtype=torch.float64", so lines break where its do
        width = len(suffix.replace("diffkit.", "torch."))
        if last_line_length + width + 2 > options.linewidth:
            parts.append(",\n" + " " * indent + suffix)
            last_line_length = indent + width
        else:
            parts.append(", " + suffix)
            last_line_length += width + 2
    parts.append(")")
    return "".join(parts)
