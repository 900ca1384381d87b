"""`python -m cnnbook`: the library's command line.

    python -m cnnbook data prepare --dest DIR [--from PATH] [--dataset NAME ...] [--force]
    python -m cnnbook data info [--data-dir DIR]
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from .data import DATASETS, DataError
from .data import locate as _locate
from .data.prepare import prepare


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m cnnbook",
                                     description="Tools of the CNN course library.")
    topics = parser.add_subparsers(dest="topic", required=True, metavar="TOPIC")
    data = topics.add_parser("data", help="stage and inspect the datasets")
    verbs = data.add_subparsers(dest="verb", required=True, metavar="VERB")

    stage = verbs.add_parser(
        "prepare", help="stage full datasets for offline use",
        description="Download the datasets (online), or copy and convert them from a folder "
                    "of archives or canonical files (--from), into DEST in the canonical "
                    "layout. Point CNNBOOK_DATA at DEST afterwards.")
    stage.add_argument("--dest", required=True, help="folder to stage into")
    stage.add_argument("--from", dest="source", metavar="PATH",
                       help="folder (or archive) to copy from instead of downloading")
    stage.add_argument("--dataset", action="append", choices=sorted(DATASETS),
                       help="stage only this dataset (repeatable); default: all")
    stage.add_argument("--force", action="store_true",
                       help="replace datasets that are already staged and verified")
    stage.add_argument("--quiet", action="store_true", help="no progress bars")

    info = verbs.add_parser("info", help="show where each dataset would be loaded from")
    info.add_argument("--data-dir", help="the data_dir a notebook would pass")
    return parser


def _info(data_dir: str | None) -> None:
    for spec in DATASETS.values():
        found, looked = _locate.find_local(spec, data_dir)
        where = str(found) if found else "not staged (download or bundled sample)"
        print(f"{spec.name}: {where}")
        if not found:
            for candidate in looked:
                print(f"    looked in {candidate.describe()}")


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.verb == "prepare":
            prepare(args.dest, args.source, args.dataset, force=args.force,
                    progress=not args.quiet)
        else:
            _info(args.data_dir)
    except (DataError, OSError) as exc:
        print(f"cnnbook: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("cnnbook: interrupted; nothing half-written was left in place", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
