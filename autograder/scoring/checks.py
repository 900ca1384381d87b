"""The grader's checks, run in a process that never executes submitted code.

Function checks compare what the sandbox wrote (plain arrays, loaded without
pickles) with the reference computed here; model checks load the saved model
with `safe_mode=True` and measure it on the real test split, which the sandbox
never sees. Every point of a submission is decided here.
"""

from __future__ import annotations

import ast
import functools
import importlib
import json
import re
from pathlib import Path
from typing import Any

import nbformat
import numpy as np

from autograder.common.assignment import parameter_names, parameters_cell
from autograder.common.cases import CaseOutcome, definitions_source, load_cases
from autograder.common.spec import Check, Spec
from autograder.scoring.functions import forbidden_uses
from autograder.scoring.reasons import Reason, reason
from autograder.scoring.result import Part


def passed(check: Check) -> Part:
    return Part(check.cell, check.points, check.points, True)


def failed(check: Check, why: Reason) -> Part:
    return Part(check.cell, check.points, 0.0, False, why)


# ------------------------------------------------------------------ functions

def check_function(spec: Spec, check: Check, submission: nbformat.NotebookNode,
                   arrays: dict[str, np.ndarray], outcomes: dict[str, str]) -> Part:
    answer_cells = [grade_id for grade_id in check["define"]
                    if _is_answer_cell(submission, grade_id)]
    used = forbidden_uses(definitions_source(submission, answer_cells), check.get("forbid", []))
    if used:
        return failed(check, reason("forbidden", name=used[0]))
    defined = outcomes.get(check.cell)
    if defined is not None and defined.kind == "define_failed":
        return failed(check, reason("define_raised", function=check["function"],
                                    error=defined.error))
    cases = load_cases(spec.hidden_path(check["inputs"]))
    expected = reference_results(spec, check)
    for index, (case, want) in enumerate(zip(cases, expected, strict=True)):
        got = outcomes.get(f"{check.cell}/{index}")
        problem = _compare(want, got, arrays.get(f"{check.cell}/{index}"), check)
        if problem is not None:
            arguments = ", ".join(f"{k}={_describe(v)}" for k, v in case.items())
            return failed(check, reason("hidden_case", index=index + 1, total=len(cases),
                                        arguments=arguments, problem=problem))
    return passed(check)


def _is_answer_cell(notebook: nbformat.NotebookNode, grade_id: str) -> bool:
    return any(cell.metadata.get("nbgrader", {}).get("grade_id") == grade_id
               and cell.metadata.nbgrader.get("solution") for cell in notebook.cells)


def _compare(want: tuple[str, Any], got: CaseOutcome | None, array: np.ndarray | None,
             check: Check) -> Reason | None:
    """Why the student's answer to one hidden case is wrong; None when it is right."""
    kind, value = want
    if got is None:
        return reason("no_result")
    if got.kind == "timeout":
        return reason("case_timeout")
    if kind == "raises":
        return None if got.kind == "raised" and got.error == value else reason(
            "should_raise", error=value)
    if got.kind == "raised":
        return reason("raised", error=got.error)
    if array is None or got.kind != "ok":
        return reason("not_an_array")
    if array.shape != value.shape:
        return reason("wrong_shape", shape=str(array.shape), expected=str(value.shape))
    if not (np.issubdtype(array.dtype, np.number) or array.dtype == bool):
        return reason("wrong_dtype", dtype=str(array.dtype))
    if not np.allclose(array, value, rtol=check.get("rtol", 1e-7), atol=check.get("atol", 0.0),
                       equal_nan=True):
        return reason("wrong_values")
    return None


def _describe(value: Any) -> str:
    if isinstance(value, np.ndarray):
        return f"array{value.shape}"
    return repr(value)


_REFERENCES: dict[tuple[str, str], tuple[tuple[str, Any], ...]] = {}


def reference_results(spec: Spec, check: Check) -> tuple[tuple[str, Any], ...]:
    """What the reference answers on each hidden case: ("value", array) or ("raises", name).

    Computed once per worker process and check, from the Spec the job carries.
    """
    key = (str(spec.folder), check.cell)
    if key not in _REFERENCES:
        function = _reference_function(spec, check)
        results = []
        for case in load_cases(spec.hidden_path(check["inputs"])):
            try:
                results.append(("value", np.asarray(function(**case))))
            except Exception as error:  # the reference rejects this case: so must the student
                results.append(("raises", type(error).__name__))
        _REFERENCES[key] = tuple(results)
    return _REFERENCES[key]


def _reference_function(spec: Spec, check: Check):
    reference = check.get("reference", "solution")
    if reference == "solution":
        source = nbformat.read(spec.notebook, as_version=4)
        namespace: dict[str, Any] = {"__name__": "__reference__"}
        exec(compile(definitions_source(source, check["define"]), str(spec.notebook), "exec"),
             namespace)
        return namespace[check["function"]]
    module, _, name = reference.partition(":")
    return getattr(importlib.import_module(module), name)


def read_function_results(path: Path) -> tuple[dict[str, np.ndarray],
                                                dict[str, CaseOutcome]]:
    """What the sandbox wrote; anything unreadable counts as no result."""
    try:
        with np.load(path, allow_pickle=False) as archive:
            arrays = {key: archive[key] for key in archive.files}
        outcomes = json.loads(path.with_suffix(".json").read_text())
        if not isinstance(outcomes, dict):
            raise ValueError("not a mapping")
        return arrays, {str(k): CaseOutcome.from_json(v) for k, v in outcomes.items()}
    except Exception:  # missing, truncated or forged: no results
        return {}, {}


# --------------------------------------------------------------------- models

def load_model(path: Path):
    import keras

    return keras.saving.load_model(path, compile=False, safe_mode=True)


def check_architecture(check: Check, model: Any) -> Part:
    from cnnbook.models import layer_pattern

    if "input_shape" in check.options:
        shape = tuple(model.input_shape[1:]) if not isinstance(model.input_shape, list) else None
        if shape != tuple(check["input_shape"]):
            return failed(check, reason("input_shape", shape=str(shape),
                                        expected=str(tuple(check["input_shape"]))))
    output = tuple(model.output_shape[1:]) if not isinstance(model.output_shape, list) else None
    if output != tuple(check["output_shape"]):
        return failed(check, reason("output_shape", shape=str(output),
                                    expected=str(tuple(check["output_shape"]))))
    if "params" in check.options:
        low, high = check["params"]
        count = model.count_params()
        if not low <= count <= high:
            return failed(check, reason("weights", count=count, low=low, high=high))
    if "pattern" in check.options:
        pattern = layer_pattern(model)
        if not re.fullmatch(check["pattern"], pattern):
            return failed(check, reason("layer_pattern", pattern=pattern,
                                                expected=check["pattern"]))
    for name in check.get("require_frozen", []):
        try:
            layer = model.get_layer(name)
        except ValueError:
            return failed(check, reason("no_layer", name=name))
        if layer.trainable:
            return failed(check, reason("not_frozen", name=name))
    return passed(check)


def check_accuracy(check: Check, model: Any, threshold: float, data_dir: str | None) -> Part:
    from cnnbook.models import accuracy

    images, labels = test_split(check["dataset"], tuple(check.get("classes") or ()), data_dir)
    images = images.astype("float32") / float(check.get("input_scale", 1))
    if check.get("add_channel_axis"):
        images = images[..., np.newaxis]
    try:
        measured = accuracy(model, images, labels)
    except Exception as error:  # wrong input shape, NaNs…: the model fails the check
        return failed(check, reason("cannot_classify", error=type(error).__name__))
    if measured >= threshold:
        return Part(check.cell, check.points, check.points, True,
                    reason("accuracy", accuracy=float(measured)))
    return failed(check, reason("accuracy_below", accuracy=float(measured),
                                       target=float(threshold)))


@functools.lru_cache(maxsize=8)
def test_split(dataset: str, classes: tuple[int, ...], data_dir: str | None):
    """The real test split (relabelled to `classes` when given), read once per process."""
    from cnnbook import data

    loader = {"mnist": data.load_mnist, "cifar10": data.load_cifar10,
              "fashion_mnist": data.load_fashion_mnist}[dataset]
    _, (x_test, y_test) = loader(data_dir, source="auto")
    y_test = np.asarray(y_test).reshape(-1)
    if classes:
        keep = np.isin(y_test, classes)
        lookup = np.full(int(y_test.max()) + 1, -1)
        lookup[list(classes)] = np.arange(len(classes))
        x_test, y_test = x_test[keep], lookup[y_test[keep]]
    return x_test, y_test


def notebook_default(notebook: nbformat.NotebookNode, name: str) -> Any:
    """A parameter's default value, read from the parameters cell without running it."""
    cell = parameters_cell(notebook)
    if cell is None or name not in parameter_names(cell):
        raise KeyError(name)
    for node in ast.parse(cell.source).body:
        if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == name for t in node.targets):
            return ast.literal_eval(node.value)
    raise KeyError(name)
