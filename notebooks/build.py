"""Build the notebooks from their cell lists and execute them, storing the outputs.

    python notebooks/build.py            # every notebook
    python notebooks/build.py 01 02      # the ones whose names start with these prefixes

Each notebook's story lives in ``notebooks/stories/NN_name.py`` as a list ``CELLS`` of
("md" | "code", text) pairs, so the prose and code are reviewed as ordinary Python. A third
element, a tuple of tags, marks a code cell whose output changes from run to run
(``("code", text, ("varies",))``: timings, say), which the tests then do not compare.
"""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

HERE = Path(__file__).parent


def load_cells(story: Path) -> list[tuple[str, str]]:
    spec = importlib.util.spec_from_file_location(story.stem, story)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.CELLS


def build(story: Path, execute: bool = True) -> Path:
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    for kind, text, *tags in load_cells(story):
        text = text.strip("\n")
        cell = nbformat.v4.new_markdown_cell(text) if kind == "md" else nbformat.v4.new_code_cell(text)
        if tags:
            cell.metadata["tags"] = list(tags[0])
        notebook.cells.append(cell)
    if execute:
        NotebookClient(notebook, timeout=600, kernel_name="python3",
                       resources={"metadata": {"path": str(HERE)}}).execute()
    target = HERE / f"{story.stem}.ipynb"
    nbformat.write(notebook, target)
    return target


def main(prefixes: list[str]) -> None:
    for story in sorted((HERE / "stories").glob("[0-9]*.py")):
        if not prefixes or any(story.stem.startswith(p) for p in prefixes):
            print("built", build(story))


if __name__ == "__main__":
    main(sys.argv[1:])
