"""Process start-up settings shared by the command line and the in-sandbox runner."""

from __future__ import annotations

import sys


def skip_slow_optional_imports() -> None:
    """Keep jsonschema from compiling its optional IRI grammar when nbformat imports it.

    `rfc3987_syntax` builds about 40 Lark parsers at import: 2 s of CPU in every
    process that imports nbformat, that is, every notebook graded. nbformat's
    schema never uses the IRI formats it serves, and jsonschema treats the
    package as optional, so a blocked import only drops those two format checks.
    """
    if "rfc3987_syntax" not in sys.modules:
        sys.modules["rfc3987_syntax"] = None  # type: ignore[assignment]
