"""The test table of the core primitives: one or more cases per differentiable primitive.

Each case is a function ``fn(m, *inputs)`` written once for a module ``m`` -- ``diffkit`` or
``torch`` -- so the same case serves gradcheck/gradgradcheck (diffkit alone) and parity with
PyTorch (values, gradients, ``grad_fn`` names). ``name`` is the ``grad_fn`` PyTorch gives the
result. Inputs are float64 arrays drawn for ``shapes`` from ``domain`` (one per input, or one
for all): "real" (|x| in [0.2, 2], either sign: away from kinks at 0), "positive" ([0.5, 2]),
"unit" (|x| in [0.1, 0.8]), "probability" ([0.1, 0.9]).

A primitive that is reached only inside backward graphs (the backward of indexing is a
scatter, whose own backward is indexing again) is covered through the derivative graph of
the case that uses it: test_core_gradcheck.py walks both graphs.

Adding a primitive to diffkit.ops? Add a case here; test_core_gradcheck.py fails until you do.
"""
from __future__ import annotations

import zlib
from dataclasses import dataclass, field

import numpy as np

MASK = np.array([[True, False, True], [False, False, True]])
ZEROS = np.array([[1.0, 0.0, 1.0], [1.0, 1.0, 1.0]])  # puts an exact zero into prod's input
ROWS = np.array([0, 2, 0])  # repeated indices: their gradients must accumulate
COLUMNS = np.array([[0, 2], [1, 1]])
CORNER = np.array([[2, 1]])  # an index smaller than the input in the dimension not gathered
WRITTEN = np.array([[2, 0], [1, 3]])  # scatter positions along dim 1, none repeated in a row


@dataclass(frozen=True)
class Case:
    id: str
    name: str  # the grad_fn of the result, as PyTorch names it
    fn: object  # fn(m, *inputs) with m the diffkit or the torch module
    shapes: tuple
    domain: object = "real"
    gradcheck: dict = field(default_factory=dict)  # tolerances for this case, if not the defaults
    torch_name: str | None = None  # PyTorch's grad_fn where diffkit's knowingly differs
    same_values: bool = True  # False for random operations (dropout): the generators differ

    def arrays(self) -> list[np.ndarray]:
        rng = np.random.default_rng(zlib.crc32(self.id.encode()))
        domains = self.domain if isinstance(self.domain, tuple) else (self.domain,) * len(self.shapes)
        return [_draw(rng, shape, domain) for shape, domain in zip(self.shapes, domains)]


def _draw(rng, shape: tuple, domain: str) -> np.ndarray:
    if domain == "positive":
        return rng.uniform(0.5, 2.0, shape)
    if domain == "probability":
        return rng.uniform(0.1, 0.9, shape)
    low, high = {"real": (0.2, 2.0), "unit": (0.1, 0.8)}[domain]
    return rng.uniform(low, high, shape) * rng.choice([-1.0, 1.0], shape)


def _setitem(m, x, v):
    y = x * 1
    y[1] = v
    return y


def _overwrite(how: str, value=None):
    """``y = x * 1`` then ``y.fill_/zero_/copy_``: the overwritten history gets a zero gradient."""
    def fn(m, x, *v):
        y = x * 1
        args = (v[0].sum() if how == "fill_" else v[0],) if v else (() if value is None else (value,))
        getattr(y, how)(*args)
        return y
    return fn


def _index(m, values):
    return m.tensor(values)


def _scatter_(m, x, v):
    y = x * 1
    return y.scatter_(1, _index(m, WRITTEN), v)


def _setitem_mixed(m, x, v):
    """An integer, a slice and an index list: PyTorch applies the integer first (shape (3, 2))."""
    y = x * 1
    y[0, :, [0, 2]] = v
    return y


C = Case
CASES = [
    # ------------------------------------------------------------ arithmetic (broadcasting)
    C("add", "AddBackward0", lambda m, x, y: x + y, ((2, 3), (3,))),
    C("add-both-broadcast", "AddBackward0", lambda m, x, y: x + y, ((2, 1), (1, 3))),
    C("sub", "SubBackward0", lambda m, x, y: x - y, ((3,), (2, 3))),
    C("rsub", "RsubBackward1", lambda m, x: 2.0 - x, ((2, 3),)),
    C("mul", "MulBackward0", lambda m, x, y: x * y, ((2, 3), (2, 1))),
    C("mul-scalar", "MulBackward0", lambda m, x: 3.0 * x, ((4,),)),
    C("div", "DivBackward0", lambda m, x, y: x / y, ((2, 3), (3,))),
    C("rdiv", "MulBackward0", lambda m, x: 2.0 / x, ((3,),)),
    C("pow-number", "PowBackward0", lambda m, x: x ** 2.5, ((2, 3),), "positive"),
    C("pow-integer", "PowBackward0", lambda m, x: x ** 3, ((4,),)),
    C("pow-tensor", "PowBackward1", lambda m, x, y: x ** y, ((2, 3), (3,)), ("positive", "real")),
    C("rpow", "PowBackward2", lambda m, x: 2.0 ** x, ((2, 3),)),
    C("neg", "NegBackward0", lambda m, x: -x, ((2, 3),)),
    C("maximum", "MaximumBackward0", lambda m, x, y: m.maximum(x, y), ((2, 3), (3,))),
    C("minimum", "MinimumBackward0", lambda m, x, y: m.minimum(x, y), ((3, 1), (1, 2))),
    C("where", "WhereBackward0", lambda m, x, y: m.where(x > 0, x, y), ((2, 3), (3,))),
    C("masked_fill", "MaskedFillBackward0", lambda m, x: x.masked_fill(_index(m, MASK), 0.5), ((2, 3),)),
    C("remainder-number", "RemainderBackward0", lambda m, x: x % 1.5, ((2, 3),)),
    C("remainder-tensor", "RemainderBackward1", lambda m, x, y: m.remainder(x, y), ((2, 3), (3,)),
      ("real", "positive")),
    C("clamp", "ClampBackward1", lambda m, x: x.clamp(-0.5, 0.5), ((2, 3),)),
    C("clamp-min", "ClampBackward1", lambda m, x: m.clamp(x, min=0.3), ((2, 3),)),
    C("clamp-tensors", "ClampBackward0", lambda m, x, lo, hi: x.clamp(lo, hi), ((2, 3), (3,), (2, 1))),
    C("clamp-tensor-min", "ClampBackward0", lambda m, x, lo: m.clamp(x, min=lo), ((2, 3), (3,))),
    C("clamp-tensor-max", "ClampBackward0", lambda m, x, hi: m.clamp(x, max=hi), ((2, 3), (2, 1))),
    # ------------------------------------------------------------ elementary functions
    C("exp", "ExpBackward0", lambda m, x: x.exp(), ((2, 3),)),
    C("log", "LogBackward0", lambda m, x: m.log(x), ((2, 3),), "positive"),
    C("log1p", "Log1PBackward0", lambda m, x: x.log1p(), ((2, 3),), "positive"),
    C("expm1", "Expm1Backward0", lambda m, x: x.expm1(), ((2, 3),)),
    C("sqrt", "SqrtBackward0", lambda m, x: x.sqrt(), ((2, 3),), "positive"),
    C("rsqrt", "RsqrtBackward0", lambda m, x: x.rsqrt(), ((2, 3),), "positive"),
    C("reciprocal", "ReciprocalBackward0", lambda m, x: x.reciprocal(), ((2, 3),)),
    C("sin", "SinBackward0", lambda m, x: m.sin(x), ((2, 3),)),
    C("cos", "CosBackward0", lambda m, x: x.cos(), ((2, 3),)),
    C("tan", "TanBackward0", lambda m, x: x.tan(), ((2, 3),), "unit"),
    C("asin", "AsinBackward0", lambda m, x: x.asin(), ((2, 3),), "unit"),
    C("acos", "AcosBackward0", lambda m, x: x.acos(), ((2, 3),), "unit"),
    C("atan", "AtanBackward0", lambda m, x: x.atan(), ((2, 3),)),
    C("sinh", "SinhBackward0", lambda m, x: x.sinh(), ((2, 3),)),
    C("cosh", "CoshBackward0", lambda m, x: x.cosh(), ((2, 3),)),
    C("tanh", "TanhBackward0", lambda m, x: m.tanh(x), ((2, 3),)),
    C("sigmoid", "SigmoidBackward0", lambda m, x: m.sigmoid(x), ((2, 3),)),
    C("relu", "ReluBackward0", lambda m, x: m.relu(x), ((2, 3),)),
    C("abs", "AbsBackward0", lambda m, x: x.abs(), ((2, 3),)),
    C("sign", "SignBackward0", lambda m, x: x.sign(), ((2, 3),)),
    C("floor", "FloorBackward0", lambda m, x: x.floor(), ((2, 3),)),
    C("ceil", "CeilBackward0", lambda m, x: x.ceil(), ((2, 3),)),
    C("round", "RoundBackward0", lambda m, x: x.round(), ((2, 3),)),
    C("trunc", "TruncBackward0", lambda m, x: x.trunc(), ((2, 3),)),
    # ------------------------------------------------------------ reductions
    C("sum", "SumBackward0", lambda m, x: x.sum(), ((2, 3),)),
    C("sum-dim", "SumBackward1", lambda m, x: x.sum(1), ((2, 3),)),
    C("sum-dims-keepdim", "SumBackward1", lambda m, x: m.sum(x, (0, 2), keepdim=True), ((2, 3, 2),)),
    C("mean", "MeanBackward0", lambda m, x: x.mean(), ((2, 3),)),
    C("mean-dim", "MeanBackward1", lambda m, x: x.mean(-1, keepdim=True), ((2, 3),)),
    C("prod", "ProdBackward0", lambda m, x: x.prod(), ((2, 3),)),
    C("prod-dim", "ProdBackward1", lambda m, x: x.prod(1), ((2, 3),)),
    C("prod-with-zero", "ProdBackward1", lambda m, x: (x * _index(m, ZEROS)).prod(1), ((2, 3),)),
    C("var", "VarBackward0", lambda m, x: x.var(), ((2, 3),)),
    C("var-dim", "VarBackward0", lambda m, x: x.var(1, keepdim=True), ((2, 3),)),
    C("std", "StdBackward0", lambda m, x: x.std(0), ((3, 2),)),
    C("amax", "AmaxBackward0", lambda m, x: x.amax(1), ((2, 3),)),
    C("amin", "AminBackward0", lambda m, x: x.amin(0), ((2, 3),)),
    C("max", "MaxBackward1", lambda m, x: x.max(), ((2, 3),)),
    C("min", "MinBackward1", lambda m, x: m.min(x), ((2, 3),)),
    C("max-dim", "MaxBackward0", lambda m, x: x.max(1).values, ((2, 3),)),
    C("min-dim", "MinBackward0", lambda m, x: m.min(x, 0, keepdim=True)[0], ((2, 3),)),
    C("logsumexp", "LogsumexpBackward0", lambda m, x: x.logsumexp(1), ((2, 3),)),
    C("norm", "LinalgVectorNormBackward0", lambda m, x: x.norm(), ((2, 3),)),
    C("norm-dim-p", "LinalgVectorNormBackward0", lambda m, x: m.norm(x, 3, 1, keepdim=True), ((2, 3),)),
    C("norm-inf", "LinalgVectorNormBackward0", lambda m, x: x.norm(float("inf"), 0), ((2, 3),)),
    C("norm-1", "LinalgVectorNormBackward0", lambda m, x: x.norm(1), ((2, 3),)),
    C("softmax", "SoftmaxBackward0", lambda m, x: x.softmax(-1), ((2, 3),)),
    C("log_softmax", "LogSoftmaxBackward0", lambda m, x: m.log_softmax(x, 0), ((2, 3),)),
    # ------------------------------------------------------------ shapes
    C("reshape", "ViewBackward0", lambda m, x: x.reshape(3, 2), ((2, 3),)),
    C("view", "ViewBackward0", lambda m, x: x.view(-1), ((2, 3),)),
    C("unsqueeze", "UnsqueezeBackward0", lambda m, x: x.unsqueeze(1), ((2, 3),)),
    C("squeeze", "SqueezeBackward0", lambda m, x: x.squeeze(), ((2, 1, 3),)),
    C("squeeze-dim", "SqueezeBackward1", lambda m, x: x.squeeze(1), ((2, 1, 3),)),
    C("transpose", "TransposeBackward0", lambda m, x: x.transpose(0, 2), ((2, 3, 2),)),
    C("t", "TBackward0", lambda m, x: x.t(), ((2, 3),)),
    C("t-0d", "TBackward0", lambda m, x: x.t(), ((),)),  # a 0-d tensor is its own transpose
    C("permute", "PermuteBackward0", lambda m, x: x.permute(2, 0, 1), ((2, 3, 2),)),
    C("expand", "ExpandBackward0", lambda m, x: x.expand(2, 3), ((1, 3),)),
    C("expand-new-dim", "ExpandBackward0", lambda m, x: x.expand(2, 2, 3), ((3,),)),
    C("sum_to_size", "SumBackward1", lambda m, x: x.sum_to_size(1, 3), ((2, 3),)),
    C("repeat", "RepeatBackward0", lambda m, x: x.repeat(2, 1, 2), ((2, 3),)),
    C("cat", "CatBackward0", lambda m, x, y: m.cat([x, y], 1), ((2, 3), (2, 2))),
    C("stack", "StackBackward0", lambda m, x, y: m.stack([x, y], 1), ((2, 3), (2, 3))),
    C("split", "SplitBackward0", lambda m, x: x.split(2, 1)[1], ((2, 3),)),
    C("chunk", "SplitBackward0", lambda m, x: x.chunk(2)[0], ((3, 2),)),
    C("unbind", "UnbindBackward0", lambda m, x: x.unbind(1)[2], ((2, 3),)),
    C("flip", "FlipBackward0", lambda m, x: x.flip(0), ((2, 3),)),
    C("clone", "CloneBackward0", lambda m, x: x.clone(), ((2, 3),)),
    C("to", "ToCopyBackward0", lambda m, x: x.to(m.float32).double(), ((2, 3),),
      gradcheck={"eps": 1e-3, "atol": 1e-3}),  # float32 rounding: a coarser step
    # ------------------------------------------------------------ indexing
    C("select", "SelectBackward0", lambda m, x: x[1], ((2, 3),)),
    C("slice", "SliceBackward0", lambda m, x: x[:, 1:3], ((2, 3),)),
    C("none-index", "UnsqueezeBackward0", lambda m, x: x[None], ((2, 3),)),
    C("index-repeated", "IndexBackward0", lambda m, x: x[ROWS.tolist()], ((3, 2),)),
    C("index-tensor-2d", "IndexBackward0", lambda m, x: x[_index(m, COLUMNS)], ((3,),)),
    C("index-mask", "IndexBackward0", lambda m, x: x[_index(m, MASK)], ((2, 3),)),
    C("index_select", "IndexSelectBackward0", lambda m, x: x.index_select(1, _index(m, ROWS)), ((2, 3),)),
    C("gather", "GatherBackward0", lambda m, x: x.gather(1, _index(m, COLUMNS)), ((2, 3),)),
    C("gather-smaller-index", "GatherBackward0", lambda m, x: x.gather(0, _index(m, CORNER)), ((3, 4),)),
    C("scatter", "ScatterBackward0", lambda m, x, v: x.scatter(1, _index(m, WRITTEN), v), ((3, 4), (2, 2))),
    C("scatter-value", "ScatterBackward1", lambda m, x: x.scatter(1, _index(m, WRITTEN), 0.5), ((3, 4),)),
    C("scatter_", "ScatterBackward0", _scatter_, ((3, 4), (2, 2))),
    C("scatter_add", "AddBackward0", lambda m, x, v: x.scatter_add(1, _index(m, COLUMNS), v), ((3, 4), (2, 2)),
      torch_name="ScatterAddBackward0"),
    C("index_add", "AddBackward0", lambda m, x, v: x.index_add(0, _index(m, ROWS), v, alpha=2.0), ((3, 2), (3, 2)),
      torch_name="IndexAddBackward0"),
    C("masked_select-broadcast", "MaskedSelectBackward0", lambda m, x: x.masked_select(_index(m, MASK[0])),
      ((2, 3),)),
    C("index-int-slice-list", "IndexBackward0", lambda m, x: x[0, :, [0, 2]], ((2, 3, 4),)),
    C("setitem-int-slice-list", "CopySlices", _setitem_mixed, ((2, 3, 4), (3, 2))),
    C("take", "TakeBackward0", lambda m, x: x.take(_index(m, COLUMNS)), ((2, 3),)),
    C("take-negative", "TakeBackward0", lambda m, x: m.take(x, _index(m, -ROWS - 1)), ((3, 2),)),
    C("setitem", "CopySlices", _setitem, ((3, 2), (2,))),
    C("fill_", "FillBackward2", _overwrite("fill_", 0.5), ((2, 3),)),
    C("fill_-tensor", "FillBackward3", _overwrite("fill_"), ((2, 3), (2,))),
    C("zero_", "ZeroBackward0", _overwrite("zero_"), ((2, 3),)),
    C("copy_", "CopyBackwards", _overwrite("copy_"), ((2, 3), (3,))),
    # ------------------------------------------------------------ matrix products
    C("dot", "DotBackward0", lambda m, x, y: x @ y, ((3,), (3,))),
    C("mv", "MvBackward0", lambda m, x, y: x @ y, ((2, 3), (3,))),
    C("vector-matrix", "SqueezeBackward4", lambda m, x, y: m.matmul(x, y), ((3,), (3, 2))),
    C("mm", "MmBackward0", lambda m, x, y: x.mm(y), ((2, 3), (3, 2))),
    C("bmm", "BmmBackward0", lambda m, x, y: m.bmm(x, y), ((2, 2, 3), (2, 3, 2))),
    C("matmul-batch-matrix", "UnsafeViewBackward0", lambda m, x, y: x @ y, ((2, 2, 3), (3, 2))),
    C("matmul-batch-broadcast", "UnsafeViewBackward0", lambda m, x, y: x @ y, ((2, 1, 2, 3), (3, 3, 2))),
    C("matmul-batch-vector", "UnsafeViewBackward0", lambda m, x, y: x @ y, ((2, 2, 3), (3,))),
    C("addmm", "AddmmBackward0", lambda m, x, a, b: m.addmm(x, a, b), ((3,), (2, 4), (4, 3))),
    C("addmm-beta-alpha", "AddmmBackward0", lambda m, x, a, b: x.addmm(a, b, beta=0.5, alpha=2.0),
      ((2, 3), (2, 4), (4, 3))),
    C("einsum-matmul", "EinsumBackward0", lambda m, x, y: m.einsum("ij,kj->ik", x, y), ((2, 3), (4, 3)),
      torch_name="ViewBackward0"),
    C("einsum-implicit", "EinsumBackward0", lambda m, x, y: m.einsum("ij,jk", x, y), ((2, 3), (3, 2)),
      torch_name="ViewBackward0"),
    C("einsum-batch-sum", "EinsumBackward0", lambda m, x, y: m.einsum("...ij,j->...", x, y), ((2, 2, 3), (3,)),
      torch_name="ViewBackward0"),
    C("einsum-diagonal-outer", "EinsumBackward0", lambda m, x, y: m.einsum("iij,k->ik", x, y), ((3, 3, 2), (2,)),
      torch_name="ViewBackward0"),
    C("einsum-three", "EinsumBackward0", lambda m, x, y, z: m.einsum("ab,bc,cd->ad", x, y, z),
      ((2, 3), (3, 2), (2, 2)), torch_name="ViewBackward0"),
    # ------------------------------------------------------------ scans, sorting, matrix parts
    C("cumsum", "CumsumBackward0", lambda m, x: x.cumsum(1), ((2, 3),)),
    C("cumsum-neg-dim", "CumsumBackward0", lambda m, x: m.cumsum(x, dim=-2), ((3, 2),)),
    C("cumprod", "CumprodBackward0", lambda m, x: x.cumprod(1), ((2, 4),)),
    C("cumprod-with-zero", "CumprodBackward0", lambda m, x: (x * _index(m, ZEROS)).cumprod(1), ((2, 3),)),
    C("sort", "SortBackward0", lambda m, x: x.sort(1).values, ((2, 4),)),
    C("sort-descending", "SortBackward0", lambda m, x: m.sort(x, 0, descending=True)[0], ((3, 2),)),
    C("topk", "TopkBackward0", lambda m, x: x.topk(2).values, ((2, 4),)),
    C("topk-smallest", "TopkBackward0", lambda m, x: m.topk(x, 2, dim=0, largest=False).values, ((3, 2),)),
    C("median", "MedianBackward0", lambda m, x: x.median(), ((2, 3),)),
    C("median-dim", "MedianBackward1", lambda m, x: x.median(1).values, ((2, 4),)),
    C("median-dim-keepdim", "MedianBackward1", lambda m, x: m.median(x, 0, keepdim=True)[0], ((3, 2),)),
    C("tril", "TrilBackward0", lambda m, x: x.tril(), ((3, 3),)),
    C("triu", "TriuBackward0", lambda m, x: m.triu(x, 1), ((2, 3, 4),)),
    C("diagonal", "DiagonalBackward0", lambda m, x: x.diagonal(), ((3, 4),)),
    C("diagonal-offset-dims", "DiagonalBackward0", lambda m, x: m.diagonal(x, -1, 2, 0), ((3, 2, 4),)),
    C("diag-vector", "DiagEmbedBackward0", lambda m, x: m.diag(x, 1), ((3,),)),
    C("diag-matrix", "DiagonalBackward0", lambda m, x: x.diag(), ((3, 4),), torch_name="DiagonalBackward0_copy"),
    C("trace", "TraceBackward0", lambda m, x: x.trace(), ((3, 4),)),
    C("roll", "RollBackward0", lambda m, x: x.roll(1, 1), ((2, 3),)),
    C("roll-flat-dims", "RollBackward0", lambda m, x: m.roll(x, (2, -1), (0, -1)), ((3, 4),)),
    C("roll-flattened", "RollBackward0", lambda m, x: x.roll(-2), ((2, 3),)),
    C("squeeze_", "SqueezeBackward4", lambda m, x: (x * 1).squeeze_(1), ((2, 1, 3),)),
    C("unsqueeze_", "UnsqueezeBackward1", lambda m, x: (x * 1).unsqueeze_(-1), ((2, 3),)),
    C("repeat_interleave", "ViewBackward0", lambda m, x: x.repeat_interleave(2, dim=1), ((2, 3),)),
    C("repeat_interleave-counts", "IndexSelectBackward0",
      lambda m, x: x.repeat_interleave(_index(m, ROWS), dim=0), ((3, 2),)),
    C("meshgrid-xy", "ExpandBackward0", lambda m, x, y: m.meshgrid(x, y, indexing="xy")[1], ((3,), (2,))),
    C("meshgrid-ij", "ExpandBackward0", lambda m, x, y, z: m.meshgrid([x, y, z], indexing="ij")[0], ((3,), (2,), (2,))),
    C("vstack", "CatBackward0", lambda m, x, y: m.vstack([x, y]), ((3,), (2, 3))),
    C("hstack", "CatBackward0", lambda m, x, y: m.hstack([x, y]), ((2, 3), (2, 1))),
    # ------------------------------------------------------------ more elementwise functions
    C("atan2", "Atan2Backward0", lambda m, x, y: m.atan2(x, y), ((2, 3), (3,))),
    C("log2", "Log2Backward0", lambda m, x: x.log2(), ((2, 3),), "positive"),
    C("log10", "Log10Backward0", lambda m, x: m.log10(x), ((2, 3),), "positive"),
    C("lerp", "LerpBackward0", lambda m, x, y: m.lerp(x, y, 0.3), ((2, 3), (3,))),
    C("lerp-tensor", "LerpBackward1", lambda m, x, y, w: x.lerp(y, w), ((2, 3), (2, 3), (3,)),
      ("real", "real", "probability")),
    C("nan_to_num", "NanToNumBackward0", lambda m, x: (x.log()).nan_to_num(), ((2, 3),)),
    C("clamp_min", "ClampMinBackward0", lambda m, x: x.clamp_min(0.3), ((2, 3),)),
    C("clamp_max", "ClampMaxBackward0", lambda m, x: m.clamp_max(x, -0.3), ((2, 3),)),
    C("clamp_min-tensor", "ClampMinBackward1", lambda m, x, lo: x.clamp_min(lo), ((2, 3), (3,))),
    C("clamp_max-tensor", "ClampMaxBackward1", lambda m, x, hi: m.clamp_max(x, hi), ((2, 3), (2, 3))),
]


# ---------------------------------------------------------------- primitives without a gradient
# (id, primitive name, fn(m, *inputs), input arrays): forward values and dtypes are compared with
# PyTorch; ``prim`` names the REGISTRY entry the case covers.
A = np.array([[1.5, -2.0, np.nan], [0.0, 3.0, -np.inf]])
B = np.array([[1.5, 2.0, 1.0], [-1.0, 3.0, 4.0]])
I = np.array([[3, -7, 0], [5, 2, 2]])
J = np.array([[3, 2, 1], [-4, 2, 6]])
P = np.array([[True, False, True], [False, False, True]])
Q = np.array([[True, True, False], [False, True, True]])
FORWARD_ONLY = [
    ("eq", "eq", lambda m, x, y: x == y, (A, B)),
    ("ne", "ne", lambda m, x, y: m.ne(x, y), (I, J)),
    ("lt", "lt", lambda m, x, y: x < y, (A, B)),
    ("le", "le", lambda m, x, y: x <= y, (I, J)),
    ("gt", "gt", lambda m, x: x > 1.5, (A,)),
    ("ge", "ge", lambda m, x, y: m.ge(x, y), (I, J)),
    ("logical_and", "logical_and", lambda m, x, y: m.logical_and(x, y), (P, Q)),
    ("logical_or", "logical_or", lambda m, x, y: m.logical_or(x, y), (A, B)),
    ("logical_xor", "logical_xor", lambda m, x, y: m.logical_xor(x, y), (P, Q)),
    ("logical_not", "logical_not", lambda m, x: m.logical_not(x), (I,)),
    ("bitwise_and", "bitwise_and", lambda m, x, y: x & y, (P, Q)),
    ("bitwise_or", "bitwise_or", lambda m, x, y: x | y, (I, J)),
    ("bitwise_xor", "bitwise_xor", lambda m, x, y: x ^ y, (P, Q)),
    ("bitwise_not", "bitwise_not", lambda m, x: ~x, (P,)),
    ("bitwise_not-int", "bitwise_not", lambda m, x: ~x, (I,)),
    ("isnan", "isnan", lambda m, x: x.isnan(), (A,)),
    ("isinf", "isinf", lambda m, x: m.isinf(x), (A,)),
    ("isfinite", "isfinite", lambda m, x: x.isfinite(), (A,)),
    ("floor_divide", "floor_divide", lambda m, x, y: x // y, (B, B[::-1].copy())),
    ("floor_divide-int", "floor_divide", lambda m, x, y: x // y, (I, J)),
    ("argmax", "argmax", lambda m, x: x.argmax(), (B,)),
    ("argmax-dim", "argmax", lambda m, x: x.argmax(1, keepdim=True), (I,)),
    ("argmin", "argmin", lambda m, x: m.argmin(x, 0), (B,)),
    ("all", "all", lambda m, x: x.all(), (P,)),
    ("all-dim", "all", lambda m, x: x.all(1), (I,)),
    ("any", "any", lambda m, x: m.any(x, 0), (P,)),
]
