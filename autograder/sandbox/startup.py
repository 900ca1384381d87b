"""Process start-up settings shared by the command line and the in-sandbox runner."""

from __future__ import annotations

import sys

# Optional packages behind jsonschema's format checkers ("date-time", "uri", "color"…).
# nbformat's notebook schema uses none of those formats; the runner imports them only
# because nbformat imports jsonschema: about 60 ms of every notebook graded.
FORMAT_CHECKER_PACKAGES = ("arrow", "fqdn", "idna", "isoduration", "jsonpointer",
                           "rfc3339_validator", "rfc3986_validator", "uri_template", "webcolors")


def skip_slow_optional_imports(format_checkers: bool = False) -> None:
    """Keep jsonschema from compiling its optional IRI grammar when nbformat imports it.

    `rfc3987_syntax` builds about 40 Lark parsers at import: 2 s of CPU in every
    process that imports nbformat, that is, every notebook graded. nbformat's
    schema never uses the IRI formats it serves, and jsonschema treats the
    package as optional, so a blocked import only drops those two format checks.

    With `format_checkers`, the other optional format packages are blocked too.
    Only the sandbox's notebook runner asks for it, a process that runs no student
    code (the kernel is another process). Never the zygote, whose modules a
    student's kernel inherits, nor the runner of function checks, which defines
    the student's functions in its own process (TensorFlow imports `idna` through
    `requests`), nor the grader's own command line.
    """
    blocked = ("rfc3987_syntax", *(FORMAT_CHECKER_PACKAGES if format_checkers else ()))
    for name in blocked:
        if name not in sys.modules:
            sys.modules[name] = None  # type: ignore[assignment]
