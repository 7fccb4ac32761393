"""One table: absolute times per framework, then diffkit's ratio to the floor and to each peer.

A ratio below 1 means diffkit is faster (or smaller). Cells that are not numbers say why:
"—" (not applicable), "not installed", "n/a (missing: name)", or the error raised, whose
message is listed under the table.
"""
from __future__ import annotations

from collections.abc import Iterable

from . import frameworks
from .harness import Cell, Config, Row, paired_ratio


def number(value: float) -> str:
    """Three significant digits, without exponents for the magnitudes a benchmark produces."""
    if value == 0:
        return "0"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.3g}" if abs(value) >= 0.001 else f"{value:.2e}"


def show(cell: Cell) -> str:
    return number(cell.value) if cell.ok else cell.text


def ratio(a: Cell | None, b: Cell | None) -> str:
    """a/b (paired by round where both were timed) as "1.23×", or "1/1,230×" when a is more than
    a hundred times smaller."""
    if a is None or b is None or not (a.ok and b.ok) or b.value == 0:
        return ""
    r = paired_ratio(a, b)
    return f"1/{1 / r:,.0f}×" if 0 < r < 0.01 else f"{r:.2f}×"


def _ratio_columns(cfg: Config) -> list[str]:
    return [name for name in cfg.frameworks if name != "diffkit"] if "diffkit" in cfg.frameworks else []


def table(rows: Iterable[Row], cfg: Config) -> str:
    """The markdown table of all rows."""
    ratios = _ratio_columns(cfg)
    head = ["benchmark", "unit", *map(frameworks.label, cfg.frameworks),
            *(f"diffkit / {frameworks.label(name)}" for name in ratios), "note"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in rows:
        values = [show(row.cells.get(name, Cell(text="—"))) for name in cfg.frameworks]
        diffkit = row.cells.get("diffkit")
        values += [ratio(diffkit, row.cells.get(name)) for name in ratios]
        lines.append("| " + " | ".join([row.name, row.unit, *values, _note(row)]) + " |")
    return "\n".join(lines)


def _note(row: Row) -> str:
    """The row's note, and the largest spread of its samples (slowest minus fastest, over the median)."""
    spreads = [cell.spread for cell in row.cells.values() if cell.spread is not None]
    noise = f"spread ≤ {max(spreads):.0%}" if spreads else ""
    return "; ".join(part for part in (row.note, noise) if part)


def errors(rows: Iterable[Row]) -> list[str]:
    """The full messages behind "error: ..." and "n/a" cells, one line each."""
    out = []
    for row in rows:
        for name, cell in row.cells.items():
            if cell.detail:
                out.append(f"- {row.name} — {frameworks.label(name)}: {cell.detail}")
    return out


def document(rows: list[Row], cfg: Config, machine: list[tuple[str, str]], command: str, seconds: float) -> str:
    """RESULTS.md: how it was run, on what, the table, and the messages behind its failures."""
    parts = [
        "# diffkit benchmark results",
        "",
        f"Produced by `{command}` in {seconds / 60:.1f} min (size `{cfg.size}`, {cfg.repeats} repeats, "
        f"frameworks alternated round-robin in one process, median of the repeats; memory in a fresh process "
        f"per framework). See [README.md](README.md) for what each row measures. Ratios are diffkit's value "
        f"divided by the other column's, as the median of the per-round ratios (the two samples of a round "
        f"are seconds apart): below 1× diffkit is faster or smaller.",
        "",
        "## Machine",
        "",
        *(f"- **{key}**: {value}" for key, value in machine),
        "",
        "## Results",
        "",
        table(rows, cfg),
    ]
    messages = errors(rows)
    if messages:
        parts += ["", "## Messages behind the text cells", "", *messages]
    return "\n".join(parts) + "\n"
