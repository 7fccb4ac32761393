"""Bad inputs raise what PyTorch raises: the same exception type, and a message with the
words a learner needs (both shapes on a mismatch, the dimension out of range ...)."""
from __future__ import annotations

import pytest

import diffkit as dk

torch = pytest.importorskip("torch")


def _leaf(m):
    return m.ones(2, requires_grad=True)


def _inplace_on_leaf(m):
    _leaf(m).add_(1)


def _setitem_bad_shape(m):
    m.ones(2, 3)[0] = m.ones(4)


def _assign_grad(m):
    _leaf(m).grad = m.ones(3)


# (id, fn(m), words that diffkit's message must contain)
ERRORS = [
    ("add shapes", lambda m: m.ones(2, 3) + m.ones(4, 5), ["(3)", "(5)", "[2, 3]", "[4, 5]"]),
    ("mul shapes", lambda m: m.ones(2, 3) * m.ones(2), ["[2, 3]", "[2]"]),
    ("where shapes", lambda m: m.where(m.ones(2, 3) > 0, m.ones(2, 3), m.ones(4)), ["[4]"]),
    ("maximum shapes", lambda m: m.maximum(m.ones(3, 1), m.ones(2, 2)), ["[3, 1]", "[2, 2]"]),
    ("in-place shapes", lambda m: m.ones(2, 3).add_(m.ones(4)), ["[2, 3]", "[4]"]),
    ("matmul shapes", lambda m: m.ones(2, 3) @ m.ones(4, 5), ["2x3", "4x5"]),
    ("batched matmul shapes", lambda m: m.ones(2, 2, 3) @ m.ones(2, 4, 2), ["[2, 2, 3]", "[2, 4, 2]"]),
    ("matmul batch dims", lambda m: m.ones(5, 2, 2, 3) @ m.ones(4, 3, 2), ["(2)", "(4)", "dimension 1"]),
    ("mm of vectors", lambda m: m.ones(3).mm(m.ones(3)), ["matrix"]),
    ("bmm shapes", lambda m: m.bmm(m.ones(2, 2, 3), m.ones(3, 3, 4)), ["[2, 3]", "[3, 3]"]),
    ("bmm of matrices", lambda m: m.bmm(m.ones(2, 2), m.ones(2, 2)), ["3D"]),
    ("dot sizes", lambda m: m.ones(3) @ m.ones(4), ["3", "4"]),
    ("matmul of 0-d", lambda m: m.tensor(1.0) @ m.ones(3), ["1D"]),
    ("reshape", lambda m: m.ones(2, 3).reshape(4, 2), ["[4, 2]", "6"]),
    ("view of a transpose", lambda m: m.ones(2, 3).t().view(6), ["view size is not compatible"]),
    ("two -1", lambda m: m.ones(2, 3).reshape(-1, -1), ["only one dimension can be inferred"]),
    ("cat sizes", lambda m: m.cat([m.ones(2, 3), m.ones(2, 4)]), ["Sizes of tensors must match"]),
    ("stack sizes", lambda m: m.stack([m.ones(2, 3), m.ones(3, 2)]), ["[2, 3]", "[3, 2]"]),
    ("expand", lambda m: m.ones(2, 3).expand(3, 3), ["(3)", "(2)"]),
    ("sum dim", lambda m: m.ones(2, 3).sum(2), ["Dimension out of range", "[-2, 1]", "2"]),
    ("mean dim", lambda m: m.ones(2, 3).mean(-3), ["Dimension out of range"]),
    ("softmax dim", lambda m: m.ones(2, 3).softmax(2), ["Dimension out of range"]),
    ("transpose dim", lambda m: m.ones(2, 3).transpose(0, 2), ["Dimension out of range"]),
    ("transpose dim of 0-d", lambda m: m.tensor(1.0).transpose(0, 1), ["Dimension out of range", "[-1, 0]"]),
    ("squeeze dim", lambda m: m.ones(2, 3).squeeze(3), ["Dimension out of range"]),
    ("unsqueeze dim", lambda m: m.ones(2, 3).unsqueeze(4), ["Dimension out of range", "[-3, 2]"]),
    ("cat dim", lambda m: m.cat([m.ones(2, 3), m.ones(2, 3)], 2), ["Dimension out of range"]),
    ("flatten dim", lambda m: m.ones(2, 3).flatten(0, 3), ["Dimension out of range"]),
    ("unbind 0-d", lambda m: m.tensor(1.0).unbind(), ["no dimensions"]),
    ("index", lambda m: m.ones(2, 3)[2], ["2", "out of bounds"]),
    ("index too many", lambda m: m.ones(2, 3)[0, 0, 0], ["too many indices"]),
    ("float index", lambda m: m.ones(2, 3)[1.5], ["integers"]),
    ("float tensor index", lambda m: m.ones(2, 3)[m.tensor([0.5])], ["long"]),
    ("mask shape", lambda m: m.ones(2, 3)[m.tensor([True, False, True])], ["3"]),
    ("mask shapes named", lambda m: m.ones(2, 3)[m.ones(3, 2) > 0], ["mask [3, 2]", "tensor [2, 3]"]),
    ("mask along dim 1", lambda m: m.ones(2, 3)[:, m.ones(2) > 0], ["mask [2] at index 0", "tensor [2, 3] at index 1"]),
    ("setitem shape", _setitem_bad_shape, ["shape mismatch"]),
    ("item of many", lambda m: m.ones(2, 3).item(), ["6 elements"]),
    ("bool of many", lambda m: bool(m.ones(2)), ["ambiguous"]),
    ("len of 0-d", lambda m: len(m.tensor(1.0)), ["0-d"]),
    ("numpy of requires_grad", lambda m: _leaf(m).numpy(), ["detach()"]),
    ("requires_grad on ints", lambda m: m.ones(2, dtype=m.int64).requires_grad_(), ["floating point"]),
    ("backward of non-scalar", lambda m: (_leaf(m) * 2).backward(), ["only for scalar outputs"]),
    ("backward without graph", lambda m: m.ones(2).sum().backward(), ["does not require grad"]),
    ("backward gradient shape", lambda m: (_leaf(m) * 2).backward(m.ones(3)), ["shape"]),
    ("grad without inputs", lambda m: m.autograd.grad((_leaf(m) * 2).sum(), []), ["cannot be empty"]),
    ("grad of unused", lambda m: m.autograd.grad((_leaf(m) * 2).sum(), [_leaf(m)]), ["allow_unused=True"]),
    ("in-place on a leaf", _inplace_on_leaf, ["leaf Variable that requires grad", "in-place"]),
    ("int += float", lambda m: m.ones(2, dtype=m.int64).add_(1.5), ["can't be cast"]),
    ("int /= int", lambda m: m.ones(2, dtype=m.int64).div_(2), ["can't be cast"]),
    ("mean of ints", lambda m: m.tensor([1, 2]).mean(), ["mean(): could not infer output dtype", "Long"]),
    ("var of ints", lambda m: m.tensor([1, 2]).var(), ["floating point"]),
    ("negative size", lambda m: m.zeros(-1), ["negative"]),
    ("float size", lambda m: m.zeros(1.5), ["float"]),
    ("string data", lambda m: m.tensor("a"), ["str"]),
    ("ragged data", lambda m: m.tensor([[1, 2], [3]]), []),
    ("arange step 0", lambda m: m.arange(0, 1, 0), ["step must be nonzero"]),
    ("randint empty range", lambda m: m.randint(5, 5, (2,)), ["from=5", "to=5"]),
    ("chunk 0", lambda m: m.ones(4).chunk(0), ["greater than 0"]),
    ("narrow", lambda m: m.ones(2, 3).narrow(0, 1, 5), ["exceeds dimension size"]),
    ("t of 3-d", lambda m: m.ones(2, 2, 2).t(), ["<= 2 dimensions"]),
    ("mT of 1-d", lambda m: m.ones(2).mT, ["1-D"]),
    ("clamp without bounds", lambda m: m.ones(2).clamp(), ["At least one of 'min' or 'max'"]),
    ("assign grad of another shape", _assign_grad, ["size"]),
    ("int to negative power", lambda m: m.tensor([2]) ** -1, ["negative integer powers"]),
    ("uint8 to negative power", lambda m: m.tensor([2], dtype=m.uint8) ** -1, ["negative integer powers"]),
    # accepted silently before (found by the side-by-side sweep)
    ("integer division by zero", lambda m: m.tensor([1, 2]) // m.tensor([1, 0]), ["ZeroDivisionError"]),
    ("integer remainder by zero", lambda m: m.tensor([1]) % 0, ["ZeroDivisionError"]),
    ("flatten end before start", lambda m: m.ones(2, 3).flatten(-1, 0), ["start_dim cannot come after end_dim"]),
    ("outer of a matrix", lambda m: m.outer(m.ones(2), m.ones(2, 2)), ["1-D argument vec2", "2-D"]),
    ("arange against its step", lambda m: m.arange(0, 5, -1), ["inconsistent with step sign"]),
    ("randn of integers", lambda m: m.randn_like(m.ones(2, dtype=m.int64)), ["normal_kernel_cpu", "'Long'"]),
    ("rand of integers", lambda m: m.rand(2, dtype=m.int64), ["check_uniform_bounds", "'Long'"]),
    ("tensor of vectors", lambda m: m.tensor([m.ones(2), m.zeros(2)]), ["only one element tensors"]),
    ("np.array of a tensor that requires grad", lambda m: __import__("numpy").array(m.ones(2, requires_grad=True)),
     ["detach().numpy()"]),
    ("retain_grad without grad", lambda m: m.ones(2).retain_grad(), ["requires_grad=False"]),
    # shape ops at their edges (found by a second sweep)
    ("narrow start out of range", lambda m: m.ones(2, 3).narrow(0, 3, 1), ["start out of range", "[-2, 2]"]),
    ("narrow negative length", lambda m: m.ones(2, 3).narrow(1, 0, -1), ["length must be non-negative"]),
    ("narrow of 0-d", lambda m: m.tensor(1.0).narrow(0, 0, 1), ["0-dim"]),
    ("movedim destination", lambda m: m.ones(2, 3, 4).movedim(0, 3), ["Dimension out of range", "[-3, 2]"]),
    ("movedim of 0-d", lambda m: m.tensor(1.0).movedim(0, 1), ["Dimension out of range", "[-1, 0]"]),
    ("flatten dim of 0-d", lambda m: m.tensor(1.0).flatten(1), ["Dimension out of range"]),
    ("split size 0", lambda m: m.ones(2, 3).split(0), ["split_size can only be 0"]),
    ("split of 0-d", lambda m: m.tensor(1.0).split(1), ["at least a 1-dimensional tensor"]),
    ("chunk of 0-d", lambda m: m.tensor(1.0).chunk(2), ["at least a 1-dimensional tensor"]),
    ("cat of 0-d", lambda m: m.cat([m.tensor(1.0), m.tensor(2.0)]), ["zero-dimensional tensor (at position 0)"]),
    ("cat of nothing", lambda m: m.cat([]), ["expected a non-empty list of Tensors"]),
    ("index_select float index", lambda m: m.ones(3).index_select(0, m.tensor([1.0])), ["int32 or int64"]),
    ("index_select negative", lambda m: m.ones(3).index_select(0, m.tensor([-1])), ["index out of range"]),
    ("index_select out of a matrix", lambda m: m.ones(3, 4).index_select(1, m.tensor([4])),
     ["INDICES element is out of DATA bounds", "id=4", "axis_dim=4"]),
    ("index_add out of a matrix", lambda m: m.ones(3, 4).index_add(1, m.tensor([-1]), m.ones(3, 1)),
     ["index -1 is out of bounds for dimension 1 with size 4"]),
    ("index_select of 0-d", lambda m: m.tensor(1.0).index_select(0, m.tensor([0, 0])), ["only 1 value"]),
    ("div rounding_mode", lambda m: m.div(m.ones(2), 2, rounding_mode="round"), ["rounding_mode to be one of"]),
    ("trunc division by zero", lambda m: m.div(m.tensor([1]), 0, rounding_mode="trunc"), ["ZeroDivisionError"]),
    ("norm of integers", lambda m: m.tensor([3, 4]).norm(), ["Expected a floating point or complex tensor", "Long"]),
    ("norm of booleans", lambda m: m.norm(m.tensor([True]), p=1), ["Got Bool"]),
    ("argmax of booleans", lambda m: m.tensor([True, False]).argmax(), ["argmax(): does not support bool input"]),
    ("argmin of booleans", lambda m: m.tensor([[True]]).argmin(0), ["argmin(): does not support bool input"]),
    ("fill_ with a vector", lambda m: m.ones(3).fill_(m.ones(3)), ["fill_ only supports 0-dimension value tensor"]),
    ("median along an empty dim", lambda m: m.zeros(3, 0).median(1), ["median(): Expected reduction dim 1"]),
    ("max over no element", lambda m: m.zeros(0, 3).max(), ["Expected reduction dim to be specified"]),
    ("max along an empty dim", lambda m: m.zeros(0, 3).max(0), ["max(): Expected reduction dim 0"]),
    ("amin along an empty dim", lambda m: m.zeros(0, 3).amin((0, 1)), ["amin(): Expected reduction dim 0"]),
    ("argmax over no element", lambda m: m.zeros(0, 3).argmax(), ["argmax(): Expected reduction dim"]),
    ("argmin along an empty dim", lambda m: m.zeros(2, 0).argmin(1), ["argmin(): Expected reduction dim 1"]),
    # a bool mask inverted with arithmetic: PyTorch points to ~ / logical_not
    ("one minus a mask", lambda m: 1 - m.tensor([True, False]), ["bool tensor is not supported", "`~`"]),
    ("a mask minus a number", lambda m: m.tensor([True]) - 1.5, ["Subtraction", "logical_not()"]),
    ("a float minus a mask", lambda m: m.ones(1).sub(m.tensor([True])), ["Subtraction", "bool"]),
    ("two masks subtracted", lambda m: m.tensor([True]) - m.tensor([False]), ["two bool tensors", "`^`"]),
    ("a mask negated", lambda m: -m.tensor([True, False]), ["Negation", "`~`"]),
    # products of mixed dtypes: numpy would promote silently, PyTorch refuses
    ("mm of double and float", lambda m: m.mm(m.ones(2, 3, dtype=m.float64), m.ones(3, 2)), ["double != float"]),
    ("bmm of float and double", lambda m: m.bmm(m.ones(1, 2, 3), m.ones(1, 3, 2, dtype=m.float64)),
     ["float", "double"]),
    ("dot of double and float", lambda m: m.dot(m.ones(3, dtype=m.float64), m.ones(3)), ["double", "float"]),
    ("matmul of long and float", lambda m: m.ones(2, 2, dtype=m.int64) @ m.ones(2, 2), ["long int != float"]),
    ("linear with a double bias", lambda m: m.nn.functional.linear(m.ones(2, 3), m.ones(4, 3),
                                                                   m.ones(4, dtype=m.float64)), ["Double", "Float"]),
    ("conv2d with a double bias", lambda m: m.nn.functional.conv2d(m.ones(1, 1, 4, 4), m.ones(1, 1, 3, 3),
                                                                   m.ones(1, dtype=m.float64)), ["bias type (double)"]),
    ("conv_transpose2d of double and float", lambda m: m.nn.functional.conv_transpose2d(
        m.ones(1, 1, 4, 4, dtype=m.float64), m.ones(1, 1, 3, 3)), ["double", "float"]),
]


def test_what_those_checks_still_accept_as_pytorch_does() -> None:
    for m in (dk, torch):
        assert (m.tensor([1.5, 2.0]) // m.tensor([0.0, 1.0])).tolist() == [float("inf"), 2.0]  # floats: inf
        assert m.tensor([m.ones(1), m.tensor(2.0)]).tolist() == [1.0, 2.0]  # one-element tensors are numbers
        assert tuple(m.ones(2, 3).flatten(1, 1).shape) == (2, 3) and m.arange(5, 5).numel() == 0
        assert (m.ones(2, 3, dtype=m.float64) @ m.ones(3, dtype=m.float64)).tolist() == [3.0, 3.0]  # same dtype
        assert (m.ones(2, 2, dtype=m.int64) @ m.ones(2, 2, dtype=m.int64)).dtype == m.int64


@pytest.mark.parametrize("case", ERRORS, ids=lambda c: c[0])
def test_errors_match_torch(case) -> None:
    _, fn, words = case
    with pytest.raises(Exception) as theirs:
        fn(torch)
    with pytest.raises(type(theirs.value)) as ours:
        fn(dk)
    assert type(ours.value) is type(theirs.value)
    for word in words:
        assert word in str(ours.value)
