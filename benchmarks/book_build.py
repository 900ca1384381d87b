#!/usr/bin/env python3
"""Cold-build time of the English edition, and each page's execution time.

    CNNBOOK_DATA=DIR python benchmarks/book_build.py [--runs 3]

Each run copies the book's sources into a fresh folder (so the execution
cache is empty), runs `scripts/build_book.py --lang en --strict` there, and
reads each page's execution seconds from jupyter-cache's records. Reports the
median of the runs; the budgets are 60 s per page and 6 minutes per cold build
on 2 CPU cores. Writes benchmarks/results/book_build.json.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import save

ROOT = Path(__file__).resolve().parents[1]


def copy_tracked_files(work: Path) -> None:
    """The repository as a clean clone has it: git's tracked files, no build or cache."""
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True,
                            check=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source, target = ROOT / name, work / name
        if source.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)


def cold_build() -> tuple[float, dict[str, float]]:
    from jupyter_cache import get_cache

    with tempfile.TemporaryDirectory(prefix="book-bench-") as folder:
        work = Path(folder)
        copy_tracked_files(work)  # the build also lists exercises/ and builds the wheel
        start = time.perf_counter()
        built = subprocess.run([sys.executable, "scripts/build_book.py", "--lang", "en",
                                "--strict"], cwd=work, capture_output=True, text=True)
        seconds = time.perf_counter() - start
        if built.returncode != 0:
            sys.exit(f"book_build.py: the build failed:\n{(built.stdout + built.stderr)[-3000:]}")
        cache = get_cache(str(work / "_build" / ".jupyter_cache"))
        pages = {Path(record.uri).stem: record.data["execution_seconds"]
                 for record in cache.list_cache_records()}
    return seconds, pages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    runs = []
    for run in range(args.runs):
        seconds, pages = cold_build()
        runs.append((seconds, pages))
        print(f"run {run + 1}: cold build {seconds:.0f} s; slowest page "
              f"{max(pages, key=pages.get)} {max(pages.values()):.1f} s", flush=True)
    build = statistics.median(seconds for seconds, _ in runs)
    per_page = {page: round(statistics.median(r[1][page] for r in runs), 1)
                for page in runs[0][1]}
    results = {"cold_build_seconds_median": round(build, 1),
               "cold_build_seconds": [round(s, 1) for s, _ in runs],
               "page_execution_seconds_median": dict(sorted(per_page.items())),
               "budgets": {"page_seconds": 60, "cold_build_seconds": 360}}
    path = save("book_build", f"CNNBOOK_DATA=DIR python benchmarks/book_build.py --runs "
                              f"{args.runs}", results)
    print(f"median cold build {build:.0f} s; wrote {path}")


if __name__ == "__main__":
    main()
