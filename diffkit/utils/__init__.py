"""``diffkit.utils``: data loading (``utils.data``) and a small progress bar."""
from . import data
