"""Hidden-input files and the static import check of function checks."""

from __future__ import annotations

import numpy as np
import pytest

from autograder.common import project
from autograder.common.assignment import load_assignment
from autograder.common.cases import definitions_source, load_cases, save_cases
from autograder.scoring.checks import reference_results
from autograder.scoring.functions import forbidden_uses


def test_cases_round_trip_with_python_scalars(tmp_path):
    path = tmp_path / "cases.npz"
    save_cases(path, [{"x": np.ones((2, 2)), "stride": 2, "pad": "same"}, {"x": np.zeros(3)}])
    cases = load_cases(path)
    assert len(cases) == 2 and cases[0]["stride"] == 2 and isinstance(cases[0]["stride"], int)
    assert cases[0]["pad"] == "same" and cases[1]["x"].shape == (3,)


@pytest.mark.parametrize("source, found", [
    ("import scipy.signal", ["scipy.signal"]),
    ("from cnnbook.ops import corr2d", ["cnnbook.ops", "cnnbook.ops.corr2d"]),
    ("import cnnbook\ny = cnnbook.ops.corr2d(x, k)", ["cnnbook.ops", "cnnbook.ops.corr2d"]),
    ("m = __import__('scipy')", ["scipy"]),
    ("import numpy as np\nnp.pad(x, 1)", []),
    ("def f(:", []),
])
def test_forbidden_uses(source, found):
    assert forbidden_uses(source, ["scipy", "cnnbook.ops"]) == found


@pytest.mark.parametrize("name", project.assignment_names(project.SOLUTIONS))
def test_reference_solution_accepts_every_hidden_case(name):
    """Each function check's cells define the function, and it runs on every case."""
    spec, notebook = load_assignment(project.SOLUTIONS, name)
    for check in spec.checks:
        if check.kind != "function":
            continue
        namespace: dict = {}
        exec(compile(definitions_source(notebook, check["define"]), name, "exec"), namespace)
        assert forbidden_uses(definitions_source(notebook, check["define"][1:]),
                              check.get("forbid", [])) == []
        function = namespace[check["function"]]
        cases = load_cases(spec.hidden_path(check["inputs"]))
        assert cases
        expected = reference_results(spec, check)  # what the grader compares students with
        assert len(expected) == len(cases)
        for case, (kind, value) in zip(cases, expected, strict=True):
            assert set(case) == set(check["signature"])
            try:
                got = np.asarray(function(**case))
            except ValueError:  # a case the function must reject: so does the grader
                assert (kind, value) == ("raises", "ValueError")
                continue
            assert kind == "value" and got.dtype != object
            np.testing.assert_array_equal(got, value)
