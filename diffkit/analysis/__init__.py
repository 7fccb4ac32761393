"""The experiments behind diffkit's figures, as plain data (records, arrays, dataclasses).

One module per experiment: ``tables`` (Baydin et al.'s evaluation traces), ``swell``
(expression swell), ``error_vs_h`` (finite-difference error against the step), ``cost``
(gradient cost against the number of inputs), ``accuracy`` (every method, first and second
derivatives), ``kinks`` (control flow and non-smooth points). ``diffkit.plots`` draws them.
"""
from .accuracy import accuracy, hessian_accuracy
from .cost import cost_vs_inputs
from .error_vs_h import ErrorVsH, error_vs_h
from .kinks import kinks
from .swell import growth, swell
from .tables import TraceTables, trace_tables

__all__ = ["ErrorVsH", "TraceTables", "accuracy", "cost_vs_inputs", "error_vs_h", "growth", "hessian_accuracy",
           "kinks", "swell", "trace_tables"]
