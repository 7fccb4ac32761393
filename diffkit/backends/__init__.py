"""``torch.backends``: the switches tutorials set for GPU back ends (``cudnn.deterministic = True``,
``cudnn.benchmark = False``), which mean nothing on diffkit's CPU but must be settable."""
from . import cudnn, mps

__all__ = ["cudnn", "mps"]
