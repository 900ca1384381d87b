#!/usr/bin/env python3
"""How long `cnnbook.data` takes to load each dataset, full and sample.

    CNNBOOK_DATA=/path/to/staged python benchmarks/data_loading.py

Medians of 3 runs in one warm process (the files in the page cache), so it
measures parsing and validation, not the disk. Writes
benchmarks/results/data_loading.json.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import median_seconds, save

from cnnbook import data

LOADERS = {"mnist": data.load_mnist, "cifar10": data.load_cifar10,
           "fashion_mnist": data.load_fashion_mnist}


def main() -> None:
    if not os.environ.get("CNNBOOK_DATA"):
        sys.exit("data_loading.py: set CNNBOOK_DATA to a staged folder (see README)")
    results = {}
    for name, load in LOADERS.items():
        for source in ("full", "sample"):
            load(source=source)  # warm the page cache
            seconds = median_seconds(lambda load=load, source=source: load(source=source))
            info = data.last_source(name)
            results[f"{name}/{source}"] = {"seconds": round(seconds, 3), "n_train": info.n_train,
                                           "n_test": info.n_test, "read_from": info.path}
            print(f"{name:>14} {source:>6}: {seconds:6.3f} s  "
                  f"({info.n_train:,} train / {info.n_test:,} test)")
    path = save("data_loading", "CNNBOOK_DATA=DIR python benchmarks/data_loading.py", results)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
