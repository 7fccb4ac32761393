"""Notebook 02: the seed's second part -- symbolic, numeric and automatic differentiation, and
the tape that reverse mode records, shown as an evaluation trace and as a chain of grad_fn."""

CELLS = [
    ("md", """
# 02 · Autograd and the tape

A computer can differentiate a function in three ways. **Symbolic** differentiation rewrites
the formula into the formula of its derivative. **Numeric** differentiation evaluates the
function at nearby points and takes a difference quotient. **Automatic** differentiation
runs the program once, records every elementary operation on a *tape*, and applies the chain
rule to that record. This notebook follows the second part of the tutorial diffkit grew from,
with one function written once and differentiated all three ways.
"""),
    ("code", """
import numpy as np

import diffkit as dk
from diffkit.differentiation import Forward, Numeric, Symbolic


def f(x):
    return dk.sin(x) * dk.exp(x)
"""),
    ("md", """
## Symbolic differentiation

The symbolic method runs `f` once on a SymPy symbol instead of a number, so `f`'s result is a
formula; SymPy differentiates it and compiles the derivative for numpy. The result is exact to
the last bit — but the formula is a *tree*, and rewriting a tree copies its subtrees: the
derivative of a product holds both factors twice. Nested expressions therefore grow quickly,
an effect called *expression swell* (notebook 04 measures it).
"""),
    ("code", """
symbolic = Symbolic()
df = symbolic.derivative(f)
print("f'(1) =", df(1.0))
print("f     =", symbolic.expression)
print("f'    =", symbolic.derivative_expression)
"""),
    ("code", """
from diffkit.analysis.swell import table1

for row in table1(3):
    print(f"l{row['n']}  = {row['l']}")
    print(f"l{row['n']}' = {row['derivative']}\\n")
"""),
    ("md", """
Three steps of the logistic map $l_{n+1} = 4 l_n (1 - l_n)$ already give a derivative with
eleven products; it simplifies to the cubic $-256x^3 + 384x^2 - 160x + 16$, but the derivative
*as built* repeats $l_2$ in every term.

## Numeric differentiation

The definition of the derivative, with a small but finite step:

$$
\\frac{\\partial f(x)}{\\partial x_i} \\approx \\frac{f(x + h e_i) - f(x)}{h}, \\quad h > 0
$$

It is easy to implement and works for any function you can evaluate. But it is inexact, it
costs one more evaluation of `f` per input, and the step `h` matters: too large and the
neglected terms of the Taylor series dominate (truncation), too small and the difference of
two nearly equal numbers loses its digits (round-off).
"""),
    ("code", """
import warnings

exact = np.cos(1.0) * np.exp(1.0) + np.sin(1.0) * np.exp(1.0)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    for h in (1e-1, 1e-4, 1e-8, 1e-12, 1e-15):
        estimate = Numeric(scheme="forward", h=h).derivative(f)(1.0)
        print(f"h = {h:.0e}   forward difference = {estimate:.12f}   error = {abs(estimate - exact):.1e}")
print(f"\\ndiffkit warned {len(caught)} times, e.g.: {str(caught[0].message)[:150]} ...")
"""),
    ("md", """
The error first falls with `h` (truncation, proportional to `h`) and then rises again
(round-off, proportional to `1/h`); the best step is near $\\sqrt{\\varepsilon} \\approx 10^{-8}$.
Notebook 05 draws the whole curve. diffkit's `Numeric` chooses that step by itself when
`h="auto"` (the default), and offers better formulas: central and five-point differences,
Richardson extrapolation and the complex step.

## Automatic differentiation

Every numerical program is made of a few elementary operations — `+`, `*`, `sin`, `exp` … —
whose derivatives are known. Automatic differentiation combines those known derivatives with
the chain rule, following the program as it actually ran. diffkit (like PyTorch) does it by
**operator overloading**, the "OO mode" of the tutorial:

1. use the language's polymorphism to overload the elementary operations;
2. record each operation, with its inputs and output, on a tape;
3. walk the tape and differentiate each recorded operation;
4. combine the pieces with the chain rule.

This is simple to implement and feels like ordinary Python, at the price of an explicit tape
data structure and its bookkeeping. Here is the tutorial's example: $x = 2$, $y = x^2$,
$z = y + 3$, $\\text{loss} = 2z$.
"""),
    ("code", """
x = dk.tensor(2.0, requires_grad=True)  # a leaf of the graph
y = x ** 2        # y = 4
z = y + 3         # z = 7
loss = 2 * z      # loss = 14
print(f"forward: x={x.item()}, y={y.item()}, z={z.item()}, loss={loss.item()}")
"""),
    ("md", """
By the chain rule,
$\\frac{d\\,\\text{loss}}{dx} = \\frac{d\\,\\text{loss}}{dz} \\cdot \\frac{dz}{dy} \\cdot \\frac{dy}{dx}
= 2 \\times 1 \\times 2x = 8$. `backward()` computes exactly this product, from the loss back
to the leaf, and stores the result in `x.grad`.
"""),
    ("code", """
loss.backward()
print(f"x.grad = {x.grad.item()}")
print(f"loss.grad_fn: {loss.grad_fn}")
print(f"z.grad_fn: {z.grad_fn}")
print(f"y.grad_fn: {y.grad_fn}")
print(f"x.grad_fn: {x.grad_fn}")
"""),
    ("md", """
## The tape as a chain of `grad_fn`

Each result remembers the operation that made it (`grad_fn`, a node named after PyTorch's:
`MulBackward0`, `AddBackward0`, `PowBackward0`), and each node points to the nodes of its
inputs through `next_functions`. A leaf that requires a gradient ends the chain in an
`AccumulateGrad` node, which adds the gradient into `.grad`; a constant (the `3`, the `2`)
appears as `None`. Walking the chain from the loss visits the tape backwards:
"""),
    ("code", """
def walk(node, depth=0):
    while node is not None:
        name = type(node).__name__
        leaf = f" -> {node.variable}" if name == "AccumulateGrad" else ""
        print("  " * depth + name + leaf)
        children = [child for child, _ in node.next_functions if child is not None]
        for child in children[1:]:
            walk(child, depth + 1)
        node = children[0] if children else None
        depth += 1


walk(loss.grad_fn)
"""),
    ("md", """
## The tape as an evaluation trace

Baydin et al. ("Automatic Differentiation in Machine Learning: a Survey", JMLR 2018) write the
tape as an *evaluation trace*: inputs $v_{1-n} \\dots v_0$, one line per elementary operation
$v_i$, and then — for reverse mode — one line per adjoint $\\bar v_i = \\partial y / \\partial v_i$,
accumulated from the output back to the inputs. diffkit prints these tables from the nodes it
actually recorded. For the tutorial's example:
"""),
    ("code", """
tape = dk.autograd.trace(lambda x: 2 * (x ** 2 + 3), 2.0, names=["x"])
print(tape.primal_trace())
print()
print(tape.adjoint_trace())
"""),
    ("md", """
And the survey's own example, $y = \\ln x_1 + x_1 x_2 - \\sin x_2$ at $(x_1, x_2) = (2, 5)$: its
table 2 is the forward primal trace with the *tangent* trace of forward mode seeded on $x_1$
($\\dot y = \\partial y / \\partial x_1$, one input per pass), and its table 3 the adjoint trace of
reverse mode, which delivers $\\bar x_1$ and $\\bar x_2$ together in one backward pass. Note how
$\\bar v_0$ collects two contributions, because $x_2$ is used twice.
"""),
    ("code", """
from diffkit.analysis import trace_tables

tables = trace_tables()   # any function of scalars works: trace_tables(f, 1.0, 2.0, ...)
print(tables)
print(f"\\ny = {tables.value:.3f}, dy/dx1 = {tables.tangent}, x̄2 = x1 - cos(x2) = {tables.gradient['x2']:.3f}")
"""),
    ("md", """
## Forward mode: dual numbers

Forward mode carries a derivative *alongside* each value instead of recording a tape: a dual
number $a + b\\varepsilon$ with $\\varepsilon^2 = 0$ obeys
$f(a + b\\varepsilon) = f(a) + f'(a)\\,b\\,\\varepsilon$. One pass gives the derivative along one
direction — cheap for few inputs, but a gradient of $n$ inputs needs $n$ passes, while reverse
mode needs one (notebook 06).
"""),
    ("code", """
from diffkit.differentiation import Dual

d = f(Dual(1.0, 1.0))
print(f"value {d.value:.6f}, tangent {d.tangent:.6f}")
print("forward mode:", Forward().derivative(f)(1.0))
"""),
    ("md", """
## Branches, loops and higher derivatives

The tutorial lists the weak points of operator overloading: `if` and `while` cannot be
overloaded, and higher derivatives need the tape to be differentiable itself. Reverse mode
runs the program on concrete numbers, so a Python branch simply takes one side and the tape
records the path actually taken. Symbolic tracing has no number to branch on, and says so:
"""),
    ("code", """
def g(x):
    if x > 1:
        return x ** 3
    return -x


print("reverse at 2:", dk.derivative(g)(2.0), "  at 0:", dk.derivative(g)(0.0))
try:
    dk.derivative(g, method="symbolic")(2.0)
except TypeError as error:
    print(type(error).__name__ + ":", str(error)[:160], "...")
"""),
    ("md", """
diffkit's backward rules are themselves written with diffkit operations, so with
`create_graph=True` the backward pass records a new tape that can be differentiated again:
$\\frac{d}{dx} x^3 = 3x^2 = 12$ and $\\frac{d^2}{dx^2} x^3 = 6x = 12$ at $x = 2$.
"""),
    ("code", """
x = dk.tensor(2.0, requires_grad=True)
(first,) = dk.autograd.grad(x ** 3, x, create_graph=True)
(second,) = dk.autograd.grad(first, x)
print(first, first.grad_fn)
print(second)
"""),
    ("md", """
## All of them at once

`diffkit.compare` runs every method on one function at one point and measures each against
the symbolic derivative evaluated with 50 significant digits. The timings differ from run to
run; the errors do not.
"""),
    ("code", """
dk.compare(f, at=1.0)
""", ("varies",)),
]
