"""Write the golden tests' toy assignment: two NumPy functions, no Keras, seconds to grade.

    python tests/autograder/golden/make_toy.py

The grader's adversarial cases (loops, memory hogs, forged checks…) run on it,
so that they cost seconds; the real assignments are graded in test_grade too.
"""

from pathlib import Path

import nbformat
import numpy as np
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from autograder.common.cases import save_cases

HERE = Path(__file__).resolve().parent / "solutions" / "toy"


def _meta(grade_id, grade=False, solution=False, locked=False, points=None):
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3,
            "solution": solution, "task": False}
    if grade:
        meta["points"] = points
    return {"nbgrader": meta}


CELLS = [
    new_markdown_cell("# Toy\n\nDouble and sum.", metadata={"tags": ["lang:en"]}),
    new_markdown_cell("# Παιχνίδι\n\nΔιπλασιάστε και αθροίστε.", metadata={"tags": ["lang:el"]}),
    new_code_cell("import numpy as np", metadata=_meta("setup", locked=True)),
    new_code_cell("SEED = 0\nDATA_DIR = None\nSCALE = 2", metadata={"tags": ["parameters"]}),
    new_code_cell('def double(x):\n    """x times SCALE... or 2."""\n    ### BEGIN SOLUTION\n'
                  "    return np.asarray(x) * 2\n    ### END SOLUTION",
                  metadata=_meta("double", solution=True)),
    new_code_cell("np.testing.assert_allclose(double(np.arange(3)), [0, 2, 4])\n"
                  "### BEGIN HIDDEN TESTS\nnp.testing.assert_allclose(double(-1.5), -3.0)\n"
                  "### END HIDDEN TESTS", metadata=_meta("test_double", True, locked=True,
                                                         points=2)),
    new_code_cell('def total(x):\n    """The sum of x; ValueError for an empty x."""\n'
                  "    ### BEGIN SOLUTION\n    x = np.asarray(x)\n    if x.size == 0:\n"
                  '        raise ValueError("empty")\n    return x.sum()\n    ### END SOLUTION',
                  metadata=_meta("total", solution=True)),
    new_code_cell("assert total([1, 2, 3]) == 6\n### BEGIN HIDDEN TESTS\n"
                  "assert total(np.ones((2, 2))) == 4\n### END HIDDEN TESTS",
                  metadata=_meta("test_total", True, locked=True, points=1)),
]


def main() -> None:
    notebook = new_notebook(cells=CELLS, metadata={
        "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python",
                       "name": "python3"},
        "language_info": {"name": "python"}, "cnnbook": {"assignment": "toy"}})
    for i, cell in enumerate(notebook.cells):
        cell.id = f"toy-{i:02d}"
    HERE.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, HERE / "toy.ipynb")
    rng = np.random.default_rng(1)
    save_cases(HERE / "hidden" / "double.npz",
               [{"x": rng.normal(size=shape).round(3)} for shape in [(3,), (2, 4), ()]])
    save_cases(HERE / "hidden" / "total.npz",
               [{"x": rng.normal(size=shape).round(3)} for shape in [(5,), (3, 3), (0,)]])


if __name__ == "__main__":
    main()
