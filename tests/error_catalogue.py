"""The catalogue of bad inputs and what diffkit answers: the rows of docs/errors.md.

Each row's ``code`` is the exact text docs/errors.md shows, and test_hardening_errors.py runs
it (with ``dk``, ``np``, ``pickle`` and a scratch directory ``tmp`` in scope), so the page and
the behaviour cannot drift apart. ``raises`` is the exception -- or, for ``warns=True``, the
warning -- and ``says`` the words its message must contain. ``torch=True``: run with
``dk = torch`` too, and PyTorch must raise the same exception type. ``value``: what an
expression that only warns must return (numpy's nan/inf).

Regenerate the page after editing a row: ``python tests/test_hardening_errors.py``.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from diffkit.differentiation import ConvergenceWarning, RoundoffWarning, SymbolicBranchError
from diffkit.expression import ParseError
from diffkit.serialization import CheckpointError


@dataclass(frozen=True)
class Row:
    topic: str
    situation: str
    code: str
    raises: type
    says: tuple
    torch: bool = False
    warns: bool = False
    value: object = None


SEQ = "dk.nn.Sequential(dk.nn.Linear(2, 3), dk.nn.ReLU(), dk.nn.Linear(3, 1))"
R = Row
ROWS = [
    # ---------------------------------------------------------------- shapes
    R("shapes", "operands that do not broadcast", "dk.ones(2, 3) + dk.ones(4, 5)", RuntimeError,
      ("The size of tensor a (3) must match the size of tensor b (5) at non-singleton dimension 1",
       "the shapes are [2, 3] and [4, 5]"), torch=True),
    R("shapes", "matrix product of mismatched sizes", "dk.ones(2, 3) @ dk.ones(4, 5)", RuntimeError,
      ("mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)",), torch=True),
    R("shapes", "Linear given the wrong number of features", "dk.nn.Linear(3, 2)(dk.ones(4, 5))", RuntimeError,
      ("mat1 and mat2 shapes cannot be multiplied (4x5 and 3x2)",), torch=True),
    R("shapes", "Conv2d given the wrong number of channels", "dk.nn.Conv2d(3, 2, 3)(dk.ones(1, 4, 5, 5))",
      RuntimeError, ("weight of size [2, 3, 3, 3], expected input[1, 4, 5, 5] to have 3 channels, but got 4",),
      torch=True),
    R("shapes", "reshape to a different number of elements", "dk.ones(2, 3).reshape(4, 2)", RuntimeError,
      ("shape '[4, 2]' is invalid for input of size 6",), torch=True),
    R("shapes", "cross entropy with one target per sample missing",
      "dk.nn.functional.cross_entropy(dk.ones(4, 3), dk.tensor([0, 1, 2]))", ValueError,
      ("Expected input batch_size (4) to match target batch_size (3).",), torch=True),
    R("shapes", "a gradient of the wrong shape for backward",
      "(dk.ones(2, requires_grad=True) * 2).backward(dk.ones(3))", RuntimeError,
      ("Mismatch in shape: grad_output[0] has a shape of", "[3]", "[2]"), torch=True),
    # ---------------------------------------------------------------- dtypes
    R("dtypes", "an integer tensor that requires grad", "dk.tensor([1, 2], requires_grad=True)", RuntimeError,
      ("Only Tensors of floating point and complex dtype can require gradients",), torch=True),
    R("dtypes", "a float as an index", "dk.ones(3)[1.0]", IndexError,
      ("only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are valid indices",),
      torch=True),
    R("dtypes", "a float tensor as an index", "dk.ones(3)[dk.tensor([0.0, 1.0])]", IndexError,
      ("tensors used as indices must be long, int, byte or bool tensors",), torch=True),
    R("dtypes", "an in-place result that does not fit the tensor's dtype", "dk.ones(2, dtype=dk.int64).add_(1.5)",
      RuntimeError, ("result type Float can't be cast to the desired output type Long",), torch=True),
    R("dtypes", "class targets given as floats", "dk.nn.functional.nll_loss(dk.ones(2, 3), dk.tensor([0.0, 1.0]))",
      RuntimeError, ("expected target dtype to be Long or Byte, but got Float",), torch=True),
    R("dtypes", "a bool mask inverted with arithmetic", "1 - (dk.arange(4) > 1)", RuntimeError,
      ("Subtraction, the `-` operator, with a bool tensor is not supported",
       "use the `~` or `logical_not()` operator instead"), torch=True),
    R("dtypes", "a matrix product of float32 and float64 (numpy would promote)",
      "dk.ones(2, 3) @ dk.ones(3, 2, dtype=dk.float64)", RuntimeError,
      ("expected m1 and m2 to have the same dtype, but got: float != double",), torch=True),
    R("dtypes", "float64 data into a float32 layer", "dk.nn.Linear(3, 2)(dk.ones(4, 3, dtype=dk.float64))",
      RuntimeError, ("expected m1 and m2 to have the same dtype, but got: double != float",), torch=True),
    R("dtypes", "a convolution's input and weight of different dtypes",
      "dk.nn.functional.conv2d(dk.ones(1, 1, 4, 4, dtype=dk.float64), dk.ones(1, 1, 3, 3))", RuntimeError,
      ("Input type (double) and weight type (float) should be the same",), torch=True),
    # ---------------------------------------------------------------- autograd
    R("autograd", "backward twice through a freed graph",
      "x = dk.ones(2, requires_grad=True); y = (x * x).sum(); y.backward(); y.backward()", RuntimeError,
      ("Trying to backward through the graph a second time", "Specify retain_graph=True"), torch=True),
    R("autograd", "backward of a non-scalar without a gradient", "(dk.ones(2, requires_grad=True) * 2).backward()",
      RuntimeError, ("grad can be implicitly created only for scalar outputs",), torch=True),
    R("autograd", "backward of a result that needs no gradient", "dk.ones(2).sum().backward()", RuntimeError,
      ("element 0 of tensors does not require grad and does not have a grad_fn",), torch=True),
    R("autograd", "in-place change of a leaf that requires grad", "dk.ones(2, requires_grad=True).mul_(2)",
      RuntimeError, ("a leaf Variable that requires grad is being used in an in-place operation.",), torch=True),
    R("autograd", "in-place change of a tensor saved for backward",
      "x = dk.ones(2, requires_grad=True); h = x * 2; y = (h * h).sum(); h.add_(1); y.backward()", RuntimeError,
      ("one of the variables needed for gradient computation has been modified by an inplace operation",
       "which is input 0 of MulBackward0, is at version 1; expected version 0 instead"), torch=True),
    R("autograd", "in-place change of the second tensor saved for backward",
      "x = dk.ones(2, requires_grad=True); h = x * 2; y = (x * h).sum(); h.add_(1); y.backward()", RuntimeError,
      ("one of the variables needed for gradient computation has been modified by an inplace operation",
       "which is input 1 of MulBackward0, is at version 1; expected version 0 instead"), torch=True),
    R("autograd", "a gradient with respect to an unused tensor",
      "x = dk.ones(2, requires_grad=True); dk.autograd.grad((x * 2).sum(), [x, dk.ones(1, requires_grad=True)])",
      RuntimeError, ("One of the differentiated Tensors appears to not have been used in the graph",
                     "allow_unused=True"), torch=True),
    R("autograd", "NaN produced in backward under detect_anomaly",
      "with dk.autograd.detect_anomaly(): x = dk.zeros(2, requires_grad=True); dk.sqrt(x).mul(0).sum().backward()",
      RuntimeError, ("Function 'SqrtBackward0' returned nan values in its 0th output.",)),
    # ---------------------------------------------------------------- nn
    R("nn", "load_state_dict with missing keys, unexpected keys and wrong shapes (all listed)",
      f"m = {SEQ}; s = m.state_dict(); del s['0.bias'], s['2.weight']; s['extra'] = dk.ones(1); "
      "s['0.weight'] = dk.ones(4, 4); s['2.bias'] = dk.ones(2); m.load_state_dict(s)", RuntimeError,
      ("Error(s) in loading state_dict for Sequential", 'Unexpected key(s) in state_dict: "extra".',
       'Missing key(s) in state_dict: "0.bias", "2.weight".', "size mismatch for 0.weight: copying a param with "
       "shape torch.Size([4, 4]) from checkpoint, the shape in current model is torch.Size([3, 2]).",
       "size mismatch for 2.bias"), torch=True),
    R("nn", "an optimizer with a negative learning rate", "dk.optim.SGD(dk.nn.Linear(2, 1).parameters(), lr=-1)",
      ValueError, ("Invalid learning rate: -1",), torch=True),
    R("nn", "an optimizer without parameters", "dk.optim.Adam([], lr=0.1)", ValueError,
      ("optimizer got an empty parameter list",), torch=True),
    R("nn", "a class index out of range", "dk.nn.functional.cross_entropy(dk.zeros(2, 3), dk.tensor([0, 5]))",
      IndexError, ("Target 5 is out of bounds.",), torch=True),
    # ---------------------------------------------------------------- differentiation
    R("differentiation", "a Python branch on the value in a symbolic trace",
      "dk.derivative(lambda x: x if x > 0 else -x, method='symbolic')(1.0)", SymbolicBranchError,
      ("Cannot branch on the truth value of a symbolic value", "diffkit.where(condition, if_true, if_false)")),
    R("differentiation", "argmax (an index) of a symbolic value",
      "dk.grad(lambda v: v[dk.argmax(v)], method='symbolic')(np.array([1.0, 2.0]))", SymbolicBranchError,
      ("diffkit.argmax compares the entries of a symbolic value",)),
    R("differentiation", "a string that is not an expression", "dk.parse('x +')", ParseError,
      ("not a valid expression: invalid syntax",)),
    R("differentiation", "an expression that tries to run code", "dk.parse(\"__import__('os').system('ls')\")",
      ParseError, ("a call of something other than a function name", "is not allowed")),
    R("differentiation", "a step h of zero", "dk.derivative(dk.sin, method='numeric', h=0)", ValueError,
      ("h must be a positive finite number or 'auto', got 0",)),
    R("differentiation", "a negative step h", "dk.derivative(dk.sin, method='numeric', h=-1e-3)", ValueError,
      ("h must be a positive finite number or 'auto', got -0.001",)),
    R("differentiation", "a step h so small that round-off dominates",
      "dk.derivative(dk.sin, method='numeric', h=1e-13)(1.0)", RoundoffWarning,
      ("the step h=1e-13 is so small that round-off dominates", "use h='auto'"), warns=True),
    R("differentiation", "a step h below the spacing of floats at x",
      "dk.derivative(dk.sin, method='numeric', h=1e-20)(1.0)", RoundoffWarning,
      ("vanishes next to x (x + h == x in float64)",), warns=True),
    R("differentiation", "Richardson's steps all straddling a kink",
      "dk.derivative(dk.abs, method='numeric:richardson')(1e-3)", ConvergenceWarning,
      ("did not settle as the step shrank", "its error is reported as inf"), warns=True),
    R("differentiation", "the complex step through erf (a real-only implementation)",
      "dk.derivative(dk.erf, method='numeric:complex-step')(0.5)", TypeError,
      ("diffkit.erf and erfc take real numbers only",)),
    R("differentiation", "an unknown method", "dk.grad(dk.sin, method='magic')", ValueError,
      ("unknown method 'magic'",)),
    # ---------------------------------------------------------------- domains: numpy's nan and inf, with its warning
    R("domains", "log of a negative number", "dk.log(dk.tensor(-1.0))", RuntimeWarning,
      ("invalid value encountered in log",), torch=False, warns=True, value=np.nan),
    R("domains", "log of zero", "dk.log(dk.tensor(0.0))", RuntimeWarning, ("divide by zero encountered in log",),
      warns=True, value=-np.inf),
    R("domains", "square root of a negative number", "dk.sqrt(dk.tensor([-4.0]))", RuntimeWarning,
      ("invalid value encountered in sqrt",), warns=True, value=np.nan),
    R("domains", "division by zero", "dk.tensor(1.0) / 0", RuntimeWarning, ("divide by zero encountered",),
      warns=True, value=np.inf),
    R("domains", "variance of one value (no degrees of freedom), and its gradient",
      "dk.autograd.grad((x := dk.ones(1, requires_grad=True)).var(), x)[0]", RuntimeWarning,
      ("Degrees of freedom <= 0",), warns=True, value=np.nan),  # the gradient raised ZeroDivisionError
    R("domains", "asin outside [-1, 1], on a plain number", "dk.asin(2.0)", RuntimeWarning,
      ("invalid value encountered in arcsin",), warns=True, value=np.nan),
    # ---------------------------------------------------------------- files
    R("files", "loading a pickle (torch.save, pickle.dump): never unpickled",
      "open(f'{tmp}/model.pt', 'wb').write(pickle.dumps({'w': [1.0]})); dk.load(f'{tmp}/model.pt')",
      CheckpointError, ("model.pt: this is a pickle file", "never unpickles")),
    R("files", "loading a truncated checkpoint",
      "dk.save({'w': dk.ones(3)}, f'{tmp}/c.pt'); data = open(f'{tmp}/c.pt', 'rb').read(); "
      "open(f'{tmp}/c.pt', 'wb').write(data[:200]); dk.load(f'{tmp}/c.pt')", CheckpointError,
      ("c.pt: truncated or corrupt checkpoint",)),
    R("files", "loading a zip file that is not a checkpoint",
      "import zipfile; zipfile.ZipFile(f'{tmp}/a.zip', 'w').writestr('a.txt', 'hi'); dk.load(f'{tmp}/a.zip')",
      CheckpointError, ("a.zip: a zip/npz file but not a diffkit checkpoint",)),
    R("files", "saving an object that would need pickling", "dk.save({'f': print}, f'{tmp}/f.pt')", TypeError,
      ("diffkit.save cannot store a builtin_function_or_method", "nothing is pickled")),
]
