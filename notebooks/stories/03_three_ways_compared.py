"""Notebook 03: one function, every method -- accuracy and cost of first derivatives, gradients
and Hessians, and what each method does where the function has a kink or a branch."""

CELLS = [
    ("md", """
# 03 · Three ways compared

One function, written once with diffkit's elementary functions, differentiated by every method
diffkit has: **symbolic** (SymPy), **numeric** (six finite-difference schemes), and automatic
in **reverse** mode (the tape) and **forward** mode (dual numbers). `diffkit.compare` measures
each against the symbolic derivative evaluated with 50 significant digits, so that even errors
of $10^{-16}$ are measured rather than rounded away.
"""),
    ("code", """
import numpy as np

import diffkit as dk
from diffkit import analysis, plots


def f(x):
    return dk.sin(x) * dk.exp(x)


table = dk.compare(f, at=1.0)
table
""", ("varies",)),
    ("md", """
The timings change from run to run (and the symbolic time includes tracing and compiling);
the values and errors do not:
"""),
    ("code", """
for r in table.records:
    print(f"{r['method']:22} {r['value']:<20.17g}  error {r['abs_error']:.1e}   {r['cost']}")
"""),
    ("md", """
Three groups appear. Symbolic, reverse, forward and the complex step are exact to rounding
(an error of one unit in the last place, $1.1 \\times 10^{-16}$). Forward and backward
differences keep about half the digits ($\\sqrt{\\varepsilon}$), central differences two thirds,
five-point four fifths. Richardson extrapolation gets close to exact at the price of 14
evaluations. The same data as a figure (the one `diffkit tour` writes to
`figures/accuracy.png`):
"""),
    ("code", """
plots.plot_accuracy(analysis.accuracy(f, 1.0), title="f(x) = sin(x)·exp(x) at x = 1");
"""),
    ("md", """
## Any expression, any number of inputs

A string goes through `diffkit.parse`, which interprets a safe subset of Python (numbers,
variables, arithmetic, diffkit's functions) without ever calling `eval`. With more than one
variable, `compare` compares gradients; the error is the largest over the components.
"""),
    ("code", """
g = dk.parse("x*y + sin(x) * exp(-y**2)")
print(g.variables)
gradients = dk.compare(g, at=np.array([1.0, 0.5]), methods=["symbolic", "numeric:central", "reverse", "forward"])
for r in gradients.records:
    print(f"{r['method']:16} {np.round(r['value'], 12)}  error {r['abs_error']:.1e}   {r['cost']}")
"""),
    ("md", """
The cost column already shows the pattern of notebook 06: for a gradient of $n$ inputs central
differences evaluate $f$ $2n$ times and forward mode makes $n$ passes, while reverse mode makes
one backward pass over the tape whatever $n$ is. On the Rosenbrock function with 50 inputs:
"""),
    ("code", """
from diffkit.analysis.cost import rosenbrock

x = np.linspace(-1, 1, 50)
for r in dk.compare(rosenbrock, at=x, methods=["numeric:central", "reverse", "forward"]).records:
    print(f"{r['method']:16} error {r['abs_error']:.1e}   {r['cost']}")
"""),
    ("md", """
## Second derivatives

A Hessian differentiates twice. Reverse mode runs *reverse over reverse*: the gradient is
computed with `create_graph=True`, so it is on a tape itself, and each of its $n$ components is
differentiated again. Forward mode nests dual numbers, $n(n+1)/2$ passes for the symmetric
matrix. Finite differences difference a difference, so their errors compound: the central
scheme's $10^{-11}$ becomes about $10^{-8}$.
"""),
    ("code", """
hessians = analysis.hessian_accuracy()   # sin(x)·eʸ + x·y² + x·ln(1 + z²) at (0.5, 0.3, 0.7)
for r in hessians:
    print(f"{r['method']:22} max error {r['abs_error']:.1e}   {r['cost']}")
"""),
    ("code", """
plots.plot_accuracy(hessians, title="Hessian of sin(x)·eʸ + x·y² + x·ln(1 + z²) by every method");
"""),
    ("md", """
## Kinks and control flow

At a point where $f$ is not differentiable every method still returns a number, and they do
not agree. `analysis.kinks()` evaluates each method at a kink and $10^{-3}$ to either side,
and classifies the answer against the one-sided derivatives there:
"""),
    ("code", """
records = analysis.kinks()
at_kinks = [r for r in records if r["offset"] == 0]
short = {"numeric:forward": "fwd diff", "numeric:backward": "bwd diff", "numeric:central": "central",
         "numeric:complex-step": "complex", "numeric:richardson": "Richardson", "forward": "fwd mode"}
methods = list(dict.fromkeys(r["method"] for r in at_kinks))
print(f"{'':26}" + "".join(f"{short.get(m, m):>11}" for m in methods))
for case in dict.fromkeys(r["case"] for r in at_kinks):
    cells = [r for r in at_kinks if r["case"] == case]
    print(f"{case:26}" + "".join(f"{'error' if r['value'] is None else format(r['value'], '.4g'):>11}"
                                 for r in cells))
"""),
    ("md", """
What the table says:

* **Reverse and forward mode** take the branch the program took, with PyTorch's conventions at
  ties: $\\frac{d}{dx}|x| = \\operatorname{sign}(0) = 0$, `maximum(x, 0)` splits a tie and gives
  $0.5$, `relu` gives $0$, and `where(x > 0, …)` at $0$ takes its `else` side.
* **Forward and backward differences** return the right and left derivative; **central
  differences** (and five-point) the mean of the two.
* **The complex step** is only valid for analytic functions: $|x + ih|$ has no imaginary part,
  so it returns $0$ for $|x|$ *everywhere*, not only at the kink.
* **Richardson** starts from a wide step (0.125): within that distance of a kink its
  extrapolation mixes both sides, even at $10^{-3}$ from it.
* **Symbolic** tracing cannot follow a Python `if` on a symbol, and raises an error that says
  what to write instead (`diffkit.where`), or which method to use.
"""),
    ("code", """
plots.plot_kinks(records);
"""),
    ("md", """
## Choosing a method

For gradients of many inputs, reverse mode: exact and one backward pass. For few inputs, or
Jacobian-vector products, forward mode. Symbolic differentiation when you want the formula
itself, for small expressions. Finite differences to check the others, or for a black box —
with the central or five-point scheme and the automatic step, and never across a kink.
"""),
]
