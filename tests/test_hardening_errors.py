"""Every row of the bad-input catalogue (error_catalogue.py, shown as docs/errors.md) does what
the page says: raises (or warns) with the words quoted, returns numpy's nan/inf where it only
warns, and raises the same exception type as PyTorch where PyTorch has the same call."""
from __future__ import annotations

import pickle
import warnings
from pathlib import Path

import numpy as np
import pytest
from error_catalogue import ROWS

import diffkit as dk

DOC = Path(__file__).resolve().parents[1] / "docs" / "errors.md"
HEADER = """# Bad input, and what diffkit says

Each row is run by `tests/test_hardening_errors.py` exactly as written here (`dk` is `diffkit`,
`tmp` a scratch directory), so this page cannot drift from what diffkit does. The message column
quotes words the message must contain. Rows marked "same type" raise that exception type in
PyTorch 2.13. Domain errors are not exceptions: like numpy (and PyTorch), diffkit returns nan or
inf, and numpy's RuntimeWarning says so. Regenerate with `python tests/test_hardening_errors.py`.
"""


def _run(code: str, module, tmp: Path):
    """Run a row's code; an expression's value is returned."""
    scope = {"dk": module, "np": np, "pickle": pickle, "tmp": str(tmp)}
    try:
        compiled = compile(code, "<row>", "eval")
    except SyntaxError:
        exec(compile(code, "<row>", "exec"), scope)
        return None
    return eval(compiled, scope)


@pytest.mark.parametrize("row", ROWS, ids=[r.situation for r in ROWS])
def test_catalogue_row(row, tmp_path) -> None:
    if row.warns:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with np.errstate(all="warn"):
                value = _run(row.code, dk, tmp_path)
        messages = [str(w.message) for w in caught if issubclass(w.category, row.raises)]
        assert messages, f"no {row.raises.__name__}; got {[str(w.message) for w in caught]}"
        found = messages[0]
        if row.value is not None:
            np.testing.assert_array_equal(np.asarray(getattr(value, "detach", lambda: value)()), row.value)
    else:
        with pytest.raises(row.raises) as info, np.errstate(all="ignore"):
            _run(row.code, dk, tmp_path)
        assert type(info.value) is row.raises
        found = str(info.value)
    for words in row.says:
        assert words in found, f"{words!r} not in {found!r}"


@pytest.mark.parametrize("row", [r for r in ROWS if r.torch], ids=[r.situation for r in ROWS if r.torch])
def test_pytorch_raises_the_same_type(row, tmp_path) -> None:
    torch = pytest.importorskip("torch")
    with pytest.raises(Exception) as info:
        _run(row.code, torch, tmp_path)
    assert type(info.value) is row.raises


def markdown() -> str:
    """docs/errors.md, generated from the rows."""
    lines, topic = [HEADER], None
    for row in ROWS:
        if row.topic != topic:
            topic = row.topic
            lines += ["", f"## {topic.capitalize()}", "",
                      "| Bad input | Code | diffkit | The message says | PyTorch |", "|---|---|---|---|---|"]
        kind = f"warns `{row.raises.__name__}`" if row.warns else f"raises `{row.raises.__name__}`"
        if row.value is not None:
            kind += f", returns {row.value}"
        says = " … ".join(f"`` {words} ``" for words in row.says)
        lines.append(f"| {row.situation} | `{row.code}` | {kind} | {says} | {'same type' if row.torch else ''} |")
    return "\n".join(lines) + "\n"


def test_the_page_lists_every_row() -> None:
    stale = "docs/errors.md is stale: run python tests/test_hardening_errors.py"
    assert DOC.read_text(encoding="utf-8") == markdown(), stale


if __name__ == "__main__":
    DOC.parent.mkdir(exist_ok=True)
    DOC.write_text(markdown(), encoding="utf-8")
    print(f"wrote {DOC} ({len(ROWS)} rows)")
