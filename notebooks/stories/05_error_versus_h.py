"""Notebook 05: the error of finite differences against the step h -- truncation against
round-off, the optimal step, float32 against float64, and the complex step."""

CELLS = [
    ("md", """
# 05 · Error versus h

A difference quotient approximates a derivative with a finite step $h$. Two errors pull in
opposite directions. **Truncation**: the neglected terms of the Taylor series, proportional
to $h^p$ for a scheme of order $p$ (forward differences $p = 1$, central $p = 2$, five-point
$p = 4$). **Round-off**: $f(x + h)$ and $f(x)$ are each rounded to a relative $\\varepsilon$
($2.2 \\times 10^{-16}$ in float64), and their difference, divided by $h$, carries an error
$\\sim \\varepsilon |f| / h$. The total is smallest where the two meet,

$$ h^* = \\left( \\frac{D\\,\\varepsilon\\,|f|}{p\\,c\\,|f^{(p+1)}|} \\right)^{1/(p+1)}
\\approx \\sqrt{\\varepsilon},\\ \\varepsilon^{1/3},\\ \\varepsilon^{1/5}, $$

where $c$ and $D$ come from the stencil's weights (for $f$ and its derivatives of order one).
We measure it on the example of Baydin et al. (2018, figure 3), the logistic map's
$l_4(x) = 64x(1-x)(1-2x)^2(1-8x+8x^2)^2$ at $x_0 = 0.2$, whose derivative is exactly
$9.0660864$.
"""),
    ("code", """
from diffkit import analysis, plots

l4 = analysis.error_vs_h(label="l₄(x) at x₀ = 0.2")
print(f"exact derivative: {l4.exact}")
print(f"{'scheme':>13} {'dtype':>8} {'f-evals':>8} {'best h':>9} {'best error':>11} {'h* theory':>10} "
      f"{'truncation':>11} {'round-off':>10}")
for c in l4.curves:
    print(f"{c.scheme:>13} {c.dtype:>8} {c.evaluations:>8} {c.best_h:>9.1e} {c.best_error:>11.1e} "
          f"{c.theory_h:>10.1e} {c.truncation_slope:>11.2f} {c.roundoff_slope:>10.2f}")
"""),
    ("md", """
Read the table by columns. The fitted **truncation slopes** are 1, 2 and 4 — the orders of the
schemes — and the complex step's is 2. The fitted **round-off slopes** are $-1$. The measured
**best step** lies within a factor of a few of the theoretical $h^*$, computed from $|f|$ and
$|f^{(p+1)}|$ at $x_0$ (here the high derivatives of $l_4$ are large, so $h^*$ sits below the
rule of thumb $\\varepsilon^{1/(p+1)}$). Richardson extrapolation and the complex step have no
$h^*$: one cancels truncation terms from a wide first step, the other subtracts nothing.
"""),
    ("code", """
plots.plot_error_vs_h(l4);
"""),
    ("md", """
On the left, float64: each V has a truncation branch on the right and a noisy round-off branch
on the left; the dotted lines mark the theoretical optima and the circles the measured ones.
The complex step, $f'(x) \\approx \\operatorname{Im} f(x + ih) / h$, has no round-off branch at
all and reaches full precision for any $h$ below $10^{-8}$. On the right, the same function
computed in float32: $\\varepsilon$ is $2^{29}$ times larger, the optimal steps move right by
$\\varepsilon^{1/(p+1)}$ — and the best achievable error rises from $10^{-8}$ (forward),
$10^{-10}$ (central) and $10^{-12}$ (five-point) to between $10^{-3}$ and $10^{-5}$. This is why
`gradcheck` must run in float64.
"""),
    ("code", """
for scheme in ("forward", "central", "five-point"):
    ratio = l4.curve(scheme, "float32").best_error / l4.curve(scheme).best_error
    print(f"{scheme:>10}: float32 best error is {ratio:.0e} times the float64 one")
"""),
    ("md", """
## Other smooth functions

The slopes are the same for every smooth function; the optimal step moves with the size of
$f$'s derivatives. For $e^x$ at 1 all derivatives equal $f$, and $h^*$ lands on the rules of
thumb; for Runge's function $1/(1 + 25x^2)$ the high derivatives are large and $h^*$ is
smaller.
"""),
    ("code", """
from diffkit.analysis.error_vs_h import SMOOTH

others = [analysis.error_vs_h(f, x0, label, dtypes=("float64",)) for label, f, x0 in SMOOTH]
for result in others:
    slopes = ", ".join(f"{s} {result.curve(s).truncation_slope:.2f}" for s in ("forward", "central", "five-point"))
    best = ", ".join(f"{s} {result.curve(s).best_h / result.curve(s).theory_h:.1f}"
                     for s in ("forward", "central", "five-point"))
    print(f"{result.label:26} slopes: {slopes}\\n{'':26} best h / h*: {best}")
plots.plot_error_vs_h_functions(others);
"""),
    ("md", """
## In practice

`diffkit.derivative(f, method="numeric")` uses the central scheme with the step
$h = 0.5\\,\\varepsilon^{1/3} \\max(|x|, 1)$, and warns (`RoundoffWarning`) if you pass a step
far below the optimum. When $f$ accepts complex numbers, `scheme="complex-step"` is exact to
rounding for one evaluation; when you need a derivative to check another, Richardson's
estimate comes with an error estimate (`full_output=True`).
"""),
]
