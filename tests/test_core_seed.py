"""The seed tutorial's code cells 1-6 (seed/000_10e00c8377b6273c.txt: tensors and autograd),
run with ``import diffkit as torch``; every value they print that is not random is asserted.

The cells are copied as they are (their long ASCII diagrams of the chain rule left out).
A notebook shows the value of a cell's last expression: ``run_cell`` does the same.
"""
from __future__ import annotations

import ast
import contextlib
import io
import re

import numpy as np

import diffkit

CELL_1 = """
# 创建Tensor
import torch

# 根据列表数据生成
torch.Tensor([1, 2, 3, 4, 5, 6])

# 根据维度生成
torch.Tensor(2,3)

# 根据已有的张量生成
t = torch.Tensor([[1,2,3],[4,5,6]])

print(t.size())

print(t.shape)

torch.Tensor(t.size())
"""

CELL_2 = """
# 创建单位矩阵
print(torch.eye(2,2))

# 创建全0矩阵
print(torch.zeros(2,3))

# 创建全1矩阵
print(torch.ones(2,3))

# 创建随机矩阵
print(torch.randn(2,3))

# 创建等差数列
print(torch.linspace(1,10,4))

# 创建与已有张量形状相同的全0矩阵
print(torch.zeros_like(torch.randn(2,3)))
"""

CELL_3 = """
# 修改张量形状
print(torch.reshape(torch.randn(2,3), (3,2)))

# 转置
print(torch.t(torch.randn(2,3)))
"""

CELL_4 = """
# 矩阵操作
A = torch.randn(2,3)
B = torch.randn(2,3)

print("矩阵加法")
print(A+B)

print("矩阵乘法")
print(A.mm(B.T))

# 广播
A = torch.randn(2,3)
B = torch.randn(2,1)

print("广播")
print(A+B)

# bmm
# 对批量的3维张量进行矩阵乘法
A = torch.randint(10,(2,2,3))
B = torch.randint(6,(2,3,4))

print("bmm")
print(torch.bmm(A,B))
"""

CELL_5 = """
import torch

# 创建输入张量（叶子节点）
x = torch.tensor(2.0, requires_grad=True)

# 前向计算
y = x ** 2        # y = 4
z = y + 3         # z = 7
loss = 2 * z      # loss = 14

print(f"前向结果: x={x.item()}, y={y.item()}, z={z.item()}, loss={loss.item()}")
"""

CELL_6 = """
import torch

# 创建计算图
x = torch.tensor(2.0, requires_grad=True)
y = x ** 2
z = y + 3
loss = 2 * z

# 反向传播
loss.backward()

# 查看梯度
print(f"\\n反向传播结果:")
print(f"x.grad = {x.grad.item()}")  # 应该等于 8

# 验证计算图结构
print(f"\\n计算图结构:")
print(f"loss.grad_fn: {loss.grad_fn}")
print(f"z.grad_fn: {z.grad_fn}")
print(f"y.grad_fn: {y.grad_fn}")
print(f"x.grad_fn: {x.grad_fn}")  # None (叶子节点)
"""

MATRIX = r"tensor\(\[\[ ?-?\d\.\d{4}(, +-?\d\.\d{4}){%d}\](,\n        \[ ?-?\d\.\d{4}(, +-?\d\.\d{4}){%d}\]){%d}\]\)"


def random_matrix(rows: int, columns: int) -> str:
    """A pattern for the print of a random float32 matrix (four decimals, aligned rows)."""
    return MATRIX % (columns - 1, columns - 1, rows - 1)


def run_cell(code: str, namespace: dict) -> tuple[str, object]:
    """Execute a cell as a notebook does; return what it printed and its last expression's value."""
    code = code.replace("import torch", "import diffkit as torch")
    tree = ast.parse(code)
    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(tree, "<cell>", "exec"), namespace)
        value = eval(compile(ast.Expression(last.value), "<cell>", "eval"), namespace) if last else None
    return out.getvalue(), value


def test_the_seed_runs_with_diffkit_as_torch() -> None:
    diffkit.manual_seed(0)  # random prints checked by pattern only, but never flaky
    namespace = {"torch": diffkit}
    printed, value = run_cell(CELL_1, namespace)
    assert printed == "diffkit.Size([2, 3])\ndiffkit.Size([2, 3])\n"
    assert repr(value) == "tensor([[0., 0., 0.],\n        [0., 0., 0.]])"

    printed, _ = run_cell(CELL_2, namespace)
    lines = printed.split("\n")
    assert "\n".join(lines[:6]) == ("tensor([[1., 0.],\n        [0., 1.]])\n"
                                    "tensor([[0., 0., 0.],\n        [0., 0., 0.]])\n"
                                    "tensor([[1., 1., 1.],\n        [1., 1., 1.]])")
    assert re.fullmatch(random_matrix(2, 3), "\n".join(lines[6:8]))
    assert "\n".join(lines[8:]) == "tensor([ 1.,  4.,  7., 10.])\ntensor([[0., 0., 0.],\n        [0., 0., 0.]])\n"

    printed, _ = run_cell(CELL_3, namespace)
    first, second = printed.split("\n")[:3], printed.split("\n")[3:6]
    assert re.fullmatch(random_matrix(3, 2), "\n".join(first))
    assert re.fullmatch(random_matrix(3, 2), "\n".join(second))

    printed, _ = run_cell(CELL_4, namespace)
    lines = printed.split("\n")
    assert lines[0] == "矩阵加法" and re.fullmatch(random_matrix(2, 3), "\n".join(lines[1:3]))
    assert lines[3] == "矩阵乘法" and re.fullmatch(random_matrix(2, 2), "\n".join(lines[4:6]))
    assert lines[6] == "广播" and re.fullmatch(random_matrix(2, 3), "\n".join(lines[7:9]))
    assert lines[9] == "bmm"
    A, B = namespace["A"], namespace["B"]
    product = diffkit.bmm(A, B)
    assert A.dtype is B.dtype is product.dtype is diffkit.int64
    np.testing.assert_array_equal(product.numpy(), np.matmul(A.numpy(), B.numpy()))
    assert "\n".join(lines[10:]) == repr(product) + "\n"
    assert re.fullmatch(r"tensor\(\[\[\[(\s*\d+,){3}\s*\d+\],\n\s+\[(\s*\d+,){3}\s*\d+\]\],\n\n"
                        r"\s+\[\[(\s*\d+,){3}\s*\d+\],\n\s+\[(\s*\d+,){3}\s*\d+\]\]\]\)", repr(product))

    printed, _ = run_cell(CELL_5, namespace)
    assert printed == "前向结果: x=2.0, y=4.0, z=7.0, loss=14.0\n"

    printed, _ = run_cell(CELL_6, namespace)
    assert re.fullmatch(
        r"\n反向传播结果:\nx.grad = 8.0\n\n计算图结构:\n"
        r"loss.grad_fn: <MulBackward0 object at 0x[0-9a-f]+>\n"
        r"z.grad_fn: <AddBackward0 object at 0x[0-9a-f]+>\n"
        r"y.grad_fn: <PowBackward0 object at 0x[0-9a-f]+>\n"
        r"x.grad_fn: None\n", printed)
    assert repr(namespace["loss"]) == "tensor(14., grad_fn=<MulBackward0>)"
    assert repr(namespace["x"].grad) == "tensor(8.)"


def test_the_seed_random_cells_are_reproducible_with_manual_seed() -> None:
    outputs = []
    for _ in range(2):
        diffkit.manual_seed(0)
        outputs.append(run_cell(CELL_4, {"torch": diffkit})[0])
    assert outputs[0] == outputs[1]
    diffkit.manual_seed(1)
    assert run_cell(CELL_4, {"torch": diffkit})[0] != outputs[0]
