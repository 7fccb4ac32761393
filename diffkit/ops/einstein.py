"""``einsum``: one primitive whose VJPs are einsums.

The equation is first made explicit (``'ij,jk'`` -> ``'ij,jk->ik'``, ``...`` replaced by
letters), so that the gradient of operand i is the einsum of the output gradient with the
other operands, written to operand i's letters. Two cases need a constant operand: a letter
only operand i has (summed away) gets a vector of ones, and a letter repeated within operand i
(``'ii->i'``, a diagonal) gets a fresh letter tied to it by an identity matrix.
"""
from __future__ import annotations

import numbers
import string

import numpy as np

from ._primitive import defprim, function, variadic

_LETTERS = string.ascii_letters


def _explicit(equation: str, shapes: list) -> tuple[list[str], str]:
    """The operands' letters and the output's, with ``...`` replaced by unused letters
    (right-aligned: broadcast batch dimensions) and an implicit output made explicit."""
    equation = equation.replace(" ", "")
    inputs, arrow, output = equation.partition("->")
    terms = inputs.split(",")
    if len(terms) != len(shapes):
        raise RuntimeError(f"einsum(): {len(terms)} operands in the equation but {len(shapes)} tensors given")
    free = iter(c for c in _LETTERS if c not in equation)
    widths = [len(s) - len(t.replace("...", "")) for t, s in zip(terms, shapes) if "..." in t]
    batch = "".join(next(free) for _ in range(max(widths, default=0)))
    terms = [t.replace("...", batch[len(batch) - (len(s) - len(t) + 3):] if "..." in t else "") for t, s in
             zip(terms, shapes)]
    if arrow:
        output = output.replace("...", batch)
    else:
        letters = "".join(terms)
        output = batch + "".join(sorted(c for c in set(letters) if letters.count(c) == 1 and c not in batch))
    return terms, output


def _sizes(terms: list, arrays) -> dict:
    sizes: dict = {}
    for term, a in zip(terms, arrays):
        for letter, size in zip(term, np.shape(a)):
            sizes[letter] = max(sizes.get(letter, 1), size)
    return sizes


def _forward(*arrays, terms, output):
    return np.einsum(",".join(terms) + "->" + output, *arrays, optimize=len(arrays) > 2)


def _operand_grad(i, g, out, *arrays, terms, output):
    """d/d operand i of <g, einsum(...)>: an einsum of g with the other operands, plus the
    constants that give every letter of operand i a source."""
    sizes = _sizes(terms, arrays)
    others = [(t, a) for j, (t, a) in enumerate(zip(terms, arrays)) if j != i]
    known = set(output).union(*(t for t, _ in others))
    fresh = iter(c for c in _LETTERS if c not in "".join(terms) + output)
    dtype = getattr(g, "_data", g).dtype
    target, constants = "", []
    for letter in terms[i]:
        if letter in target:  # a repeated letter: a fresh one, tied to it on the diagonal
            new = next(fresh)
            constants.append((letter + new, np.eye(sizes[letter], dtype=dtype)))
            target += new
            continue
        if letter not in known:  # summed away in the forward: the gradient is the same along it
            constants.append((letter, np.ones(sizes[letter], dtype=dtype)))
        target += letter
    operands = [(output, g), *others, *constants]
    return einsum(",".join(t for t, _ in operands) + "->" + target, *[a for _, a in operands])


def _operand_tangent(i, t, out, *arrays, terms, output):
    """The forward-mode rule: operand i replaced by its tangent (einsum is linear in each)."""
    replaced = list(arrays)
    replaced[i] = t
    return function(EINSUM)(*replaced, terms=terms, output=output)


EINSUM = defprim("einsum", _forward, variadic(_operand_grad), jvp=variadic(_operand_tangent),
                 save="inputs", node="EinsumBackward0")


def einsum(equation: str, *operands):
    """Einstein summation, as ``torch.einsum(equation, *operands)`` (or a list of operands);
    explicit (``'ij,jk->ik'``) and implicit (``'ij,jk'``) forms, with ``...``."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    terms, output = _explicit(equation, [np.shape(a) for a in operands])
    if all(isinstance(a, (np.ndarray, numbers.Number, list, tuple)) for a in operands):
        return _forward(*[np.asarray(a) for a in operands], terms=terms, output=output)
    return function(EINSUM)(*operands, terms=terms, output=output)
