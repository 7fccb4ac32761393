"""Notebook 04: expression swell -- Baydin et al.'s table 1, measured: symbolic derivatives grow
exponentially as trees, common subexpressions and the tape keep them small."""

CELLS = [
    ("md", """
# 04 · Expression swell

Symbolic differentiation is exact, so why not always use it? Because the derivative of a
formula can be far larger than the formula. Baydin et al. ("Automatic Differentiation in Machine
Learning: a Survey", JMLR 2018, table 1) show it with the logistic map

$$ l_1 = x, \\qquad l_{n+1} = 4\\, l_n (1 - l_n), $$

a three-line loop. This notebook rebuilds their table with SymPy and measures how the sizes
grow, next to the tape that reverse mode records for the same derivative.
"""),
    ("code", """
import sympy

from diffkit import analysis, plots
from diffkit.analysis.swell import growth, table1

for row in table1(4):
    print(f"n = {row['n']}")
    print(f"  l_n        = {row['l']}")
    print(f"  d l_n/dx   = {row['derivative']}")
    print(f"  simplified = {sympy.factor_terms(row['expanded'])}\\n")
"""),
    ("md", """
The last line is the paper's simplified form,
$64(1 - 42x + 504x^2 - 2640x^3 + 7040x^4 - 9984x^5 + 7168x^6 - 2048x^7)$ for $n = 4$. Even
simplified, the derivative is a polynomial of degree $2^{n-1} - 1$: it cannot stay small.
The derivative *as built* is worse, because $l_{n+1}$ contains $l_n$ twice and the product rule
copies both factors: the expression tree roughly doubles — and the derivative more than
doubles — at every step.

## Measuring the sizes

`analysis.swell` counts the nodes of each expression tree (every operator, symbol and number)
for $n = 1 \\dots N$: $l_n$ itself, its derivative as SymPy builds it, expanded into a
polynomial (only while expanding is affordable: it is itself exponential), and after
common-subexpression elimination (`sympy.cse`), which turns the tree back into a graph by
naming repeated subtrees. Beside them: the number of nodes reverse mode records on its tape.
"""),
    ("code", """
logistic = analysis.swell("logistic", 9, expand_max=6)
print(f"{'n':>2} {'l_n':>6} {'derivative':>11} {'expanded':>9} {'with cse':>9} {'tape':>5}")
for r in logistic:
    print(f"{r['n']:>2} {r['expression_nodes']:>6} {r['derivative_nodes']:>11} {r['expanded_nodes'] or '':>9} "
          f"{r['cse_nodes']:>9} {r['tape_nodes']:>5}")
"""),
    ("code", """
for key in ("expression_nodes", "derivative_nodes", "expanded_nodes", "cse_nodes", "tape_nodes"):
    g = growth(logistic, key)
    print(f"{key:18} ×{g['ratio']:.2f} per step   increments {g['steps']}")
"""),
    ("md", """
The growth rates say it plainly. The expression tree doubles ($\\times 2.0$), the derivative
grows by about $\\times 2.5$ per step — exponential — and so does the expanded polynomial.
With common subexpressions the derivative grows only polynomially (its increments grow slowly).
The tape grows by **exactly three nodes per step** — one subtraction, two multiplications —
because it never copies anything: a value used twice is one node with two uses, and the
backward pass accumulates both contributions into its adjoint.

## Other shapes of swell

Not every function swells exponentially. The gradient of a product of $n$ factors has $n$
entries of $n - 1$ factors each ($n^2$ nodes; the tape: $2n - 1$), and the derivative of $n$
nested sines repeats every inner sine in the chain rule ($\\sim n^2/2$ nodes; the tape: $n$).
On log-log axes, polynomial growth is a straight line whose slope is the degree.
"""),
    ("code", """
families = {"logistic": logistic,
            "product": analysis.swell("product", 20, expand_max=4),
            "nested-sin": analysis.swell("nested-sin", 30, expand_max=4)}
for family in ("product", "nested-sin"):
    for key in ("derivative_nodes", "cse_nodes", "tape_nodes"):
        print(f"{family:10} {key:17} grows like n^{growth(families[family], key)['power']:.2f}")
plots.plot_swell(families);
"""),
    ("md", """
## What this means

Expression swell is the reason symbolic differentiation is not used to train neural networks:
a network is a long composition, exactly the shape that makes trees explode. Common
subexpression elimination recovers much of the loss, and what it recovers is precisely the
sharing that automatic differentiation keeps from the start — the tape *is* the expression
graph, evaluated at a number instead of kept as a formula.
"""),
]
