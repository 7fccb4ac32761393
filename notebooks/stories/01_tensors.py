"""Notebook 01: tensors, the first part of the seed tutorial, run with ``import diffkit as torch``."""

CELLS = [
    ("md", """
# 01 · Tensors

The first part of the tutorial this project grew from: creating tensors, changing their
shape, and doing matrix arithmetic with broadcasting. Every cell runs unchanged with
`import diffkit as torch` — diffkit's `Tensor` keeps its values in a numpy array and
follows PyTorch's semantics and printing.
"""),
    ("code", """
import diffkit as torch

torch.manual_seed(0);  # random tensors below are reproducible
"""),
    ("md", """
## Creating tensors

From a list of data, from a shape (PyTorch leaves such memory uninitialised; diffkit
fills it with zeros so that every run prints the same), or from the size of another
tensor. `Size` is a tuple.
"""),
    ("code", """
torch.Tensor([1, 2, 3, 4, 5, 6])
"""),
    ("code", """
torch.Tensor(2, 3)
"""),
    ("code", """
t = torch.Tensor([[1, 2, 3], [4, 5, 6]])
print(t.size())
print(t.shape)
torch.Tensor(t.size())
"""),
    ("md", """
`torch.tensor` infers the dtype as PyTorch does: Python floats become `float32` (the
default dtype), integers `int64`, booleans `bool`. Other dtypes are printed as a suffix.
"""),
    ("code", """
print(torch.tensor([1.5, 2.0]))
print(torch.tensor([1, 2, 3]))
print(torch.tensor([True, False]))
print(torch.tensor([1.5, 2.0], dtype=torch.float64))
"""),
    ("md", """
## Special tensors

Identity, zeros, ones, random normal values, evenly spaced values, and a tensor shaped
like another one.
"""),
    ("code", """
print(torch.eye(2, 2))
print(torch.zeros(2, 3))
print(torch.ones(2, 3))
print(torch.randn(2, 3))
print(torch.linspace(1, 10, 4))
print(torch.zeros_like(torch.randn(2, 3)))
"""),
    ("md", """
## Changing the shape

`reshape` keeps the values in row-major order; `t` transposes a matrix.
"""),
    ("code", """
a = torch.arange(6.0).reshape(2, 3)
print(a)
print(torch.reshape(a, (3, 2)))
print(torch.t(a))
print(a.unsqueeze(0).shape, a.flatten().shape, a.T.shape)
"""),
    ("md", """
## Matrix operations and broadcasting

Elementwise `+`, the matrix product `mm` (or `@`), and broadcasting: a `(2, 1)` column is
stretched across the columns of a `(2, 3)` matrix without being copied. `bmm` multiplies
a batch of matrices; integer tensors stay integers.
"""),
    ("code", """
A = torch.randn(2, 3)
B = torch.randn(2, 3)
print("matrix addition")
print(A + B)
print("matrix product")
print(A.mm(B.T))

A = torch.randn(2, 3)
B = torch.randn(2, 1)
print("broadcasting")
print(A + B)

A = torch.randint(10, (2, 2, 3))
B = torch.randint(6, (2, 3, 4))
print("bmm")
print(torch.bmm(A, B))
"""),
    ("md", """
## Indexing, reductions and numpy

Indexing works as in numpy (ints, slices, `None`, masks, integer arrays); reductions take
`dim` and `keepdim`. `numpy()` and `from_numpy` share memory with the array.
"""),
    ("code", """
m = torch.arange(12).reshape(3, 4)
print(m[1], m[:, 1:3], m[m > 6], m[[0, 2]], sep="\\n")
print(m.sum(dim=0), m.float().mean(dim=1, keepdim=True), m.max(dim=1), sep="\\n")
"""),
    ("code", """
import numpy as np

array = np.ones(3)
shared = torch.from_numpy(array)
array[0] = 7
shared
"""),
]
