"""Fewer fresh arrays on the eager backward pass: products written into a gradient nothing else sees,
and a sum's seed of ones multiplied away.

On large arrays a rule's cost is memory traffic, and a fresh result is written to memory that is
not in cache. At n = 10^6 (float64) a product into a fresh array took 1.5 ms on this project's
2-core machine, into one of its operands 0.93 ms. Two spares, both exact (the numbers the plain
product gives):

- *donation*: the engine offers a node the gradient it is about to consume when nothing else refers
  to it (its reference count), and the rule's last product with it (``ops._slopes.product``) is
  written into it;
- *the seed*: a full sum's gradient is a read-only broadcast of the scalar 1, and ``1 * factor`` is
  ``factor``, so the product is ``factor`` itself.

The second makes a gradient share memory with a saved value or a leaf's data. That is safe because
the engine writes in place only into arrays that nothing else refers to (donation, and ``_sum_into``'s
accumulation), and hands the user only arrays it owns: ``.grad`` and ``autograd.grad`` copy a
gradient that something else refers to. Only on the eager pass on arrays: a captured program
(``diffkit.graphs``) decides its own donations from its recording, where an op must not return its
input, and ``create_graph``'s rules run on Tensors.
"""
from __future__ import annotations

import sys
import threading

import numpy as np

#: elements from which the spares pay for their checks (a product of 4096 float64 takes ~2 us)
FROM_SIZE = 4096


class _Offer(threading.local):
    """The running node's spares, per thread (a backward pass in another thread offers its own)."""

    sparing = False  # the eager engine is running a node's rules: they may return one of their arrays
    donor = None  # the incoming gradient the running node's rule may overwrite, else None


state = _Offer()


def offer(g: np.ndarray) -> None:
    """Let the next rule overwrite ``g`` (an array of ``FROM_SIZE`` elements or more) when nothing but the
    engine refers to it. The caller makes sure the rule reads ``g`` in one product at most
    (``Node.donates``) and withdraws the offer after it. The rules' side is ``ops._slopes.product``."""
    if owned(g, 2):  # 2: the engine's variable and this parameter
        state.donor = g


def owned(g, holders: int) -> bool:
    """Whether ``g`` may be handed to the user as it is: an array that owns its writeable memory and that
    nothing but the caller's ``holders`` (its variables, containers and parameters) refers to; otherwise it
    may be a saved value or a leaf's data, and the user's in-place change would reach them."""
    return (g.__class__ is np.ndarray and g.flags.owndata and g.flags.writeable
            and sys.getrefcount(g) <= holders + 2)  # + this function's parameter and getrefcount's
