"""`autograder VERB …`: one module per verb, each with `add_arguments` and `run`."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from autograder import __version__
from autograder.common.errors import UserError
from autograder.sandbox.startup import skip_slow_optional_imports

# verb → (module, one-line help); each module defines add_arguments(parser) and run(args) -> int
VERBS = {
    "release": ("autograder.release", "regenerate exercises/{en,el}/ from solutions/"),
    "collect": ("autograder.collect", "take in a batch of submissions (folder, LMS zip, exchange)"),
    "grade": ("autograder.grade", "execute and score submissions, sandboxed and in parallel"),
    "feedback": ("autograder.feedback",
                 "write one HTML feedback page per student (--zip moodle: Moodle's zip)"),
    "export": ("autograder.export", "export the scores (nbgrader CSV, Moodle grades CSV or "
                                    "grading worksheet, Open eClass grades file)"),
    "check": ("autograder.selfcheck",
              "run a notebook's visible tests as the grader would (students)"),
    "report": ("autograder.report", "score histogram, pass rate per test, text summary"),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="autograder", description="Release, grade and report the course's assignments.")
    parser.add_argument("--version", action="version", version=f"autograder {__version__}")
    verbs = parser.add_subparsers(dest="verb", metavar="VERB", required=True)
    for verb, (module_name, help_text) in VERBS.items():
        module = importlib.import_module(module_name)
        sub = verbs.add_parser(verb, help=help_text, description=module.__doc__.splitlines()[0])
        module.add_arguments(sub)
        sub.set_defaults(run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    skip_slow_optional_imports()
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except UserError as error:
        print(f"autograder {args.verb}: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"autograder {args.verb}: interrupted", file=sys.stderr)
        return 130
