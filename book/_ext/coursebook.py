"""Small Sphinx fixes for the course site, so pages load with a clean console.

- sphinx-thebe registers its inline config script twice, and the second copy
  fails ("Identifier 'THEBE_JS_URL' has already been declared"): drop
  duplicate scripts from every page.
- course-fixes.js: an empty stored theme mode on a first visit, and the
  ipywidgets HTML manager calling MathJax 2's API under MathJax 3.
"""

from __future__ import annotations

from typing import Any


def _script_key(script: Any) -> tuple:
    """What a script tag loads or runs; the priority it was registered with is ignored."""
    attributes = getattr(script, "attributes", {}) or {}
    return (getattr(script, "filename", str(script)) or "",  # None and "" both mean inline
            tuple(sorted((k, str(v)) for k, v in attributes.items() if k != "priority")))


def drop_duplicate_scripts(app, pagename, templatename, context, doctree) -> None:
    scripts = context.get("script_files")
    if not scripts:
        return
    seen: set[tuple] = set()
    unique = []
    for script in scripts:
        key = _script_key(script)
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique


def setup(app) -> dict[str, Any]:
    app.add_js_file("course-fixes.js", priority=100)  # before the theme's deferred scripts
    app.connect("html-page-context", drop_duplicate_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
