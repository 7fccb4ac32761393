"""One function, four ways to differentiate it: symbolic (SymPy), numeric (finite
differences), reverse mode (the tape) and forward mode (dual numbers), behind one base
class, plus ``compare`` to set them side by side against a 50-digit reference."""
from .api import METHODS, backend, derivative, grad, hessian, jacobian
from .base import Differentiated, Differentiator
from .compare import Comparison, compare
from .dual import Dual
from .forward import Forward
from .numeric import SCHEMES, ConvergenceWarning, Numeric, NumericInfo, RoundoffWarning
from .reverse import Reverse
from .symbolic import Symbolic
from .symbolic_array import SymbolicArray, SymbolicBranchError

__all__ = ["METHODS", "SCHEMES", "Comparison", "ConvergenceWarning", "Differentiated", "Differentiator", "Dual",
           "Forward", "Numeric", "NumericInfo", "Reverse", "RoundoffWarning", "Symbolic", "SymbolicArray",
           "SymbolicBranchError", "backend", "compare", "derivative", "grad", "hessian", "jacobian"]
