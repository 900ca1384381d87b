#!/usr/bin/env python3
"""Reference solutions on the full real data: test accuracy and training time.

    CNNBOOK_DATA=DIR python benchmarks/assignments.py a3-mnist-cnn --runs 3
    CNNBOOK_DATA=DIR python benchmarks/assignments.py a4-cifar10-cnn --runs 1
    CNNBOOK_DATA=DIR python benchmarks/assignments.py a3-mnist-cnn --profile cpu --runs 3
    CNNBOOK_DATA=DIR python benchmarks/assignments.py a3-mnist-cnn --cpu-class avx2 --runs 3

Each run executes the solution notebook with papermill (seed = run number)
under a budget: the notebook's own defaults (profile "student", the targets
of the assignments issue) or a profile of its grading.yml. The saved model is
then measured here, outside the notebook, on the full real test split, as the
grader's checker does. Results: benchmarks/results/assignments.json, one
entry per assignment, profile and CPU class ("a3-mnist-cnn/student/avx2
(emulated)"), each with the CPU's model, ISA flags and load average, and the
precision the notebook chose.

`--cpu-class avx2` emulates the reference class on a faster CPU (2 cores of
an AVX2 CPU without AVX-512): oneDNN capped at AVX2, 2 threads, 2 cores; the
notebook's `PRECISION = "auto"` then resolves to float32. Timings taken on a
shared machine are upper bounds: read the load average beside them.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import EMULATION, RESULTS, cpu_record, emulate_cpu_class, save
from execute import cell_errors, execute_notebook

from autograder.common import project
from autograder.common.spec import load_spec

TRAINING_TIME = re.compile(r"training took ([\d.]+) s")
PRECISION_CHOICE = re.compile(r"^precision (\S+):", re.MULTILINE)  # cnnbook.use_precision


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("assignment")
    parser.add_argument("--profile", default="student",
                        help="'student' (the notebook's defaults) or a grading.yml profile")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cpu-class", choices=["native", *EMULATION], default="native",
                        help="'native' (this CPU as it is) or a class to emulate, e.g. 'avx2'")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="override one parameter of the budget (JSON value), e.g. EPOCHS=3")
    args = parser.parse_args()
    overrides = dict(parse_override(item) for item in args.set)
    if args.cpu_class != "native":
        emulate_cpu_class(args.cpu_class)
    data_dir = os.environ.get("CNNBOOK_DATA")
    if not data_dir:
        print("assignments.py: error: set CNNBOOK_DATA to the full datasets", file=sys.stderr)
        return 2
    spec = load_spec(project.SOLUTIONS / args.assignment)
    budget = {} if args.profile == "student" else dict(spec.profile(args.profile).parameters)
    budget.update(overrides)
    cpu = cpu_record()
    runs = [run_once(spec, {**budget, "SEED": seed, "DATA_DIR": data_dir}, data_dir)
            for seed in range(args.runs)]
    summary = {
        "profile": args.profile, "cpu": {**cpu, "load_average_after": cpu_record()["load_average"]},
        "precision": sorted({r["precision"] for r in runs if r["precision"]}),
        "parameters": budget, "runs": runs,
        "median_test_accuracy": statistics.median(r["test_accuracy"] for r in runs),
        "median_train_seconds": statistics.median(r["train_seconds"] for r in runs)
        if all(r["train_seconds"] is not None for r in runs) else None,
        "median_notebook_seconds": statistics.median(r["notebook_seconds"] for r in runs),
    }
    print(json.dumps(summary, indent=1))
    emulation = "" if args.cpu_class == "native" else f" --cpu-class {args.cpu_class}"
    changed = "".join(f"+{item}" for item in args.set)
    record(f"{args.assignment}/{args.profile}{changed}/{cpu['class']}", summary,
           f"CNNBOOK_DATA=DIR python benchmarks/assignments.py {args.assignment} "
           f"--profile {args.profile} --runs {args.runs}{emulation}"
           + "".join(f" --set {item}" for item in args.set))
    return 0


def parse_override(item: str) -> tuple[str, object]:
    """NAME=VALUE, VALUE read as JSON (3, null, 0.5) or else kept as text."""
    name, _, value = item.partition("=")
    try:
        return name, json.loads(value)
    except ValueError:
        return name, value


def run_once(spec, parameters: dict, data_dir: str) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench-") as folder:
        work = Path(folder)
        start = time.perf_counter()
        executed = execute_notebook(spec.notebook, work / "executed.ipynb", parameters, work)
        seconds = time.perf_counter() - start
        errors = cell_errors(executed)  # e.g. its own accuracy test under a too-small budget
        if errors:
            print(f"{spec.assignment}: a cell failed: {errors[0]}", flush=True)
        text = "".join(output.get("text", "") for cell in executed.cells
                       for output in cell.get("outputs", []))
        times = TRAINING_TIME.findall(text)  # A3 and A4 print it; A5 trains six models
        train_seconds = float(times[-1]) if times else None
        chosen = PRECISION_CHOICE.findall(text)
        check = next(c for c in spec.checks if c.kind == "accuracy")
        model_path = work / parameters.get("MODEL_PATH", "model.keras")
        test_accuracy = measure(model_path, check, data_dir)
    result = {"seed": parameters["SEED"], "test_accuracy": round(test_accuracy, 4),
              "precision": chosen[-1] if chosen else None, "cell_errors": errors,
              "train_seconds": train_seconds, "notebook_seconds": round(seconds, 1)}
    print(result, flush=True)
    return result


def measure(model_path: Path, check, data_dir: str) -> float:
    """Accuracy of the saved model on the full real test split (outside the notebook)."""
    import numpy as np

    from cnnbook import data
    from cnnbook.models import accuracy, load_trained

    loader = {"mnist": data.load_mnist, "cifar10": data.load_cifar10,
              "fashion_mnist": data.load_fashion_mnist}[check["dataset"]]
    _, (x_test, y_test) = loader(data_dir)
    y_test = np.asarray(y_test).reshape(-1)
    if check.get("classes"):
        keep = np.isin(y_test, check["classes"])
        relabel = {c: i for i, c in enumerate(check["classes"])}
        x_test, y_test = x_test[keep], np.array([relabel[v] for v in y_test[keep]])
    x = x_test.astype("float32") / float(check.get("input_scale", 1))
    if check.get("add_channel_axis"):
        x = x[..., np.newaxis]
    return accuracy(load_trained(model_path), x, y_test)


def record(key: str, summary: dict, command: str) -> None:
    path = RESULTS / "assignments.json"
    existing = json.loads(path.read_text())["results"] if path.exists() else {}
    existing[key] = {**summary, "command": command}
    save("assignments", "see each result's command", existing)


if __name__ == "__main__":
    raise SystemExit(main())
