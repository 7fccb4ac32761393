"""Notebook 02 in Chinese (the seed's own language): the same code cells as
``02_autograd_and_the_tape.py``, read from it, with the prose translated."""
import importlib.util
from pathlib import Path

_ENGLISH = Path(__file__).with_name("02_autograd_and_the_tape.py")

PROSE = [
    """
# 02 · 自动求导与 Tape

计算机求导有三种方式。**符号微分**把公式改写成其导数的公式；**数值微分**在相邻的点上求函数值，
再取差商；**自动微分**把程序运行一遍，把每一步基本运算记录在 *Tape* 上，然后对这份记录应用链式法则。
本笔记本沿着 diffkit 所依据的教程的第二部分展开：同一个函数只写一次，用三种方式求导。
""",
    """
## 符号微分

符号方法把 `f` 作用在一个 SymPy 符号上（而不是数字上），于是 `f` 的结果是一个公式；SymPy 对它求导，
再把导数编译成 numpy 函数。结果精确到最后一位——但公式是一棵*树*，改写树会复制它的子树：
乘积的导数把两个因子各写两遍。因此嵌套的表达式增长得很快，这就是*表达式膨胀*（笔记本 04 会度量它）。
""",
    """
logistic 映射 $l_{n+1} = 4 l_n (1 - l_n)$ 只迭代三步，导数就已经有十一个乘积项；它可以化简为三次多项式
$-256x^3 + 384x^2 - 160x + 16$，但*按原样构造*的导数在每一项里都重复 $l_2$。

## 数值微分

用一个很小但有限的步长代入导数的定义：

$$
\\frac{\\partial f(x)}{\\partial x_i} \\approx \\frac{f(x + h e_i) - f(x)}{h}, \\quad h > 0
$$

优点是容易实现，对任何能求值的函数都适用。缺点是结果不精确，每个输入多花一次 `f` 的求值，而且对步长
`h` 要求高：太大时被忽略的泰勒项占主导（截断误差），太小时两个几乎相等的数相减会丢掉有效数字（舍入误差）。
""",
    """
误差先随 `h` 减小而下降（截断误差，正比于 `h`），然后又上升（舍入误差，正比于 `1/h`）；最佳步长约为
$\\sqrt{\\varepsilon} \\approx 10^{-8}$。笔记本 05 画出整条曲线。`h="auto"`（默认值）时 diffkit 的 `Numeric`
会自己选这个步长，并提供更好的公式：中心差分、五点差分、Richardson 外推和复步长法。

## 自动微分

所有数值计算都由有限的基本运算组成——`+`、`*`、`sin`、`exp` ……——它们的导数是已知的。自动微分沿着程序
实际运行的路径，用链式法则把这些已知的导数组合起来。diffkit（和 PyTorch 一样）用**运算符重载**来实现，
也就是教程里的“OO 模式”：

1. 利用语言的多态性，重载基本运算操作符；
2. 把每个运算的类型和输入输出信息记录到 Tape 中；
3. 遍历 Tape，对其中记录的每个基本运算求导；
4. 通过链式法则把结果组合起来。

它实现简单，用起来就像普通的 Python，代价是要显式地构造 Tape 数据结构并对其读写。下面是教程里的例子：
$x = 2$，$y = x^2$，$z = y + 3$，$\\text{loss} = 2z$。
""",
    """
由链式法则，
$\\frac{d\\,\\text{loss}}{dx} = \\frac{d\\,\\text{loss}}{dz} \\cdot \\frac{dz}{dy} \\cdot \\frac{dy}{dx}
= 2 \\times 1 \\times 2x = 8$。`backward()` 从 loss 反向传播到叶子节点，恰好算出这个乘积，并把结果存进 `x.grad`。
""",
    """
## 作为 `grad_fn` 链的 Tape

每个结果都记得产生它的运算（`grad_fn`，名字与 PyTorch 相同：`MulBackward0`、`AddBackward0`、
`PowBackward0`），每个节点通过 `next_functions` 指向其输入的节点。需要梯度的叶子节点以一个
`AccumulateGrad` 节点结束这条链，它把梯度累加进 `.grad`；常数（`3`、`2`）显示为 `None`。
从 loss 出发沿着这条链走，就是倒着访问 Tape：
""",
    """
## 作为求值轨迹的 Tape

Baydin 等人（“Automatic Differentiation in Machine Learning: a Survey”，JMLR 2018）把 Tape 写成*求值轨迹*：
输入记为 $v_{1-n} \\dots v_0$，每个基本运算 $v_i$ 占一行；反向模式再为每个伴随量
$\\bar v_i = \\partial y / \\partial v_i$ 写一行，从输出一直累积到输入。diffkit 根据它实际记录的节点打印这些表格。
教程的例子如下：
""",
    """
再看综述本身的例子：$y = \\ln x_1 + x_1 x_2 - \\sin x_2$，在 $(x_1, x_2) = (2, 5)$ 处。它的表 2 是前向原始轨迹，
加上以 $x_1$ 为种子的前向模式*切线*轨迹（$\\dot y = \\partial y / \\partial x_1$，每遍只对一个输入）；表 3 是反向模式的
伴随轨迹，一次反向传播就同时得到 $\\bar x_1$ 和 $\\bar x_2$。注意 $\\bar v_0$ 收集了两份贡献，因为 $x_2$ 被用了两次。
""",
    """
## 前向模式：对偶数

前向模式不记录 Tape，而是让导数*伴随*每个值一起计算：对偶数 $a + b\\varepsilon$（$\\varepsilon^2 = 0$）满足
$f(a + b\\varepsilon) = f(a) + f'(a)\\,b\\,\\varepsilon$。一遍计算给出沿一个方向的导数——输入少时很便宜，
但 $n$ 个输入的梯度需要 $n$ 遍，而反向模式只需一遍（笔记本 06）。
""",
    """
## 分支、循环与高阶导数

教程列出了运算符重载的弱点：`if`、`while` 难以通过运算符重载处理，高阶微分需要 Tape 本身也可微。反向模式
在具体的数值上运行程序，所以 Python 的分支只会走其中一边，Tape 记录的正是实际走过的路径。符号追踪没有数值可供
判断分支，它会说明原因：
""",
    """
diffkit 的反向传播规则本身就是用 diffkit 的运算写成的，所以在 `create_graph=True` 时，反向传播会记录一条新的
Tape，可以再次求导：在 $x = 2$ 处 $\\frac{d}{dx} x^3 = 3x^2 = 12$，$\\frac{d^2}{dx^2} x^3 = 6x = 12$。
""",
    """
## 一次看全部方法

`diffkit.compare` 在同一点上用所有方法对同一个函数求导，并以 50 位有效数字计算的符号导数为基准衡量每种方法。
运行时间每次不同，误差则不变。
""",
]


def _english_cells() -> list:
    spec = importlib.util.spec_from_file_location("story_02_en", _ENGLISH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.CELLS


def _translated(cells: list) -> list:
    prose = iter(PROSE)
    out = [(kind, next(prose) if kind == "md" else text, *tags) for kind, text, *tags in cells]
    if next(prose, None) is not None or sum(kind == "md" for kind, *_ in cells) != len(PROSE):
        raise ValueError("02_zh: the translation must have one paragraph block per markdown cell of 02")
    return out


CELLS = _translated(_english_cells())
