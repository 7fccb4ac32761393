"""matplotlib figures of diffkit's experiments (``diffkit.analysis``): one function per figure,
drawing on a given Axes (or a new figure) and returning the figure, all in one style."""
from .accuracy import plot_accuracy
from .cost import plot_cost
from .error_vs_h import plot_error_vs_h, plot_error_vs_h_functions
from .kinks import plot_kinks
from .swell import plot_swell
from .tables import plot_trace_tables
from .training import confusion_matrix, plot_training

__all__ = ["confusion_matrix", "plot_accuracy", "plot_cost", "plot_error_vs_h", "plot_error_vs_h_functions",
           "plot_kinks", "plot_swell", "plot_trace_tables", "plot_training"]
