#!/usr/bin/env python3
"""Seconds per training epoch of the A4 reference network, on this CPU or an emulated class.

    CNNBOOK_DATA=DIR python benchmarks/epoch_time.py --cpu-class avx2 --epochs 3
    CNNBOOK_DATA=DIR python benchmarks/epoch_time.py --epochs 3

The network is the solution notebook's `build_model()`, trained with plain
Adam on the first 10,000 CIFAR-10 training images (batch 256), in the
precision `"auto"` chooses (float32 under the AVX2 emulation). This is the
figure issue 12 measured on a real 2-core AVX2 EPYC (42 s per epoch in
float32, 277 s in emulated bfloat16), so it checks how close the emulation
is. Each epoch records the load average before and after it, and the CPU
time the process used (all its threads): on a shared machine the wall time
grows with the other work, the CPU time much less, so CPU seconds / 2 cores
estimates the epoch on 2 idle cores. Results:
benchmarks/results/epoch_time.json, one entry per CPU class.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import nbformat
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import EMULATION, RESULTS, cpu_record, cpu_seconds, emulate_cpu_class, save

NOTEBOOK = Path(__file__).resolve().parents[1] / "solutions/a4-cifar10-cnn/a4-cifar10-cnn.ipynb"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cpu-class", choices=["native", *EMULATION], default="native")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--images", type=int, default=10_000)
    args = parser.parse_args()
    data_dir = os.environ.get("CNNBOOK_DATA")
    if not data_dir:
        print("epoch_time.py: error: set CNNBOOK_DATA to the full datasets", file=sys.stderr)
        return 2
    if args.cpu_class != "native":
        emulate_cpu_class(args.cpu_class)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import keras

    from cnnbook.data import load_cifar10
    from cnnbook.precision import use_precision

    precision = use_precision("auto", lang="en")
    namespace = {"keras": keras, "np": np, "layers": keras.layers}
    for cell in nbformat.read(NOTEBOOK, as_version=4).cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "build_model":
            exec(cell.source, namespace)  # the reference network, as students see it solved
    (x, y), _ = load_cifar10(data_dir, limit=args.images)
    keras.utils.set_random_seed(0)
    model = namespace["build_model"]()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    epochs = []
    for _ in range(args.epochs):
        before, start, cpu_start = os.getloadavg()[0], time.perf_counter(), cpu_seconds()
        model.fit(x, y, batch_size=256, epochs=1, verbose=0)
        epochs.append({"seconds": round(time.perf_counter() - start, 1),
                       "cpu_seconds": round(cpu_seconds() - cpu_start, 1),
                       "load_before": round(before, 2), "load_after": round(os.getloadavg()[0], 2)})
        print(epochs[-1], flush=True)
    cpu = cpu_record()
    summary = {"images": len(x), "batch_size": 256, "precision": precision, "cpu": cpu,
               "epochs": epochs, "min_seconds": min(e["seconds"] for e in epochs),
               "min_cpu_seconds": min(e["cpu_seconds"] for e in epochs)}
    print(json.dumps(summary, indent=1))
    path = RESULTS / "epoch_time.json"
    existing = json.loads(path.read_text())["results"] if path.exists() else {}
    emulation = "" if args.cpu_class == "native" else f" --cpu-class {args.cpu_class}"
    # "/cpu-seconds": the runs that record CPU time too; older entries hold wall time only
    existing[f"a4-cifar10-cnn/{cpu['class']}/cpu-seconds"] = {
        **summary, "command": f"CNNBOOK_DATA=DIR python benchmarks/epoch_time.py --epochs "
                              f"{args.epochs}{emulation}"}
    save("epoch_time", "see each result's command", existing)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
