#!/usr/bin/env python3
"""Build the book's editions and assemble them into one site.

    python scripts/build_book.py [--lang en] [--strict] [--site _build/site] [--wheel W]

Each edition is its own Sphinx project rooted at book/<lang>/ (language is
global per Sphinx build) with config `_config.yml` (English) or
`_config.<lang>.yml`, and the shared `_toc.yml`. Builds run from the
repository root, so the relative `execute.cache` path is one jupyter-cache for
all editions. The site is `_build/site/<lang>/…` plus a root `index.html`,
and, with `--wheel`, the library's wheel at its root (the assignments' first
cell installs it from there).
"""

from __future__ import annotations

import argparse
import datetime
import html
import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EDITIONS = {"en": "English", "el": "Ελληνικά"}


def available_editions() -> list[str]:
    return [lang for lang in EDITIONS if (ROOT / "book" / lang / "index.md").is_file()]


def config_for(lang: str) -> Path:
    return ROOT / ("_config.yml" if lang == "en" else f"_config.{lang}.yml")


CACHE = ROOT / "_build" / ".jupyter_cache"  # execute.cache in the configs, shared


def executed_since(moment: datetime.datetime) -> list[str]:
    """Pages whose execution was (re)recorded in the shared cache after `moment`."""
    if not CACHE.exists():
        return []
    from jupyter_cache import get_cache

    return sorted(Path(record.uri).name for record in get_cache(str(CACHE)).list_cache_records()
                  if record.created.replace(tzinfo=None) > moment)


def build_edition(lang: str, strict: bool) -> Path:
    """Run jupyter-book on book/<lang>/ and return its HTML folder."""
    output = ROOT / "_build" / lang
    command = [_jupyter_book(), "build", f"book/{lang}", "--config", str(config_for(lang)),
               "--toc", str(ROOT / "_toc.yml"), "--path-output", str(output)]
    if strict:
        command += ["-W", "-n", "--keep-going"]
    print("+", " ".join(command), flush=True)
    result = subprocess.run(command, cwd=ROOT)
    if result.returncode != 0:
        sys.exit(f"build_book: the {EDITIONS[lang]} edition failed (exit {result.returncode})")
    return output / "_build" / "html"


def _jupyter_book() -> str:
    beside = Path(sys.executable).with_name("jupyter-book")
    found = str(beside) if beside.exists() else shutil.which("jupyter-book")
    if not found:
        sys.exit("build_book: jupyter-book not found; install requirements.txt first")
    return found


CHOOSER_TEXT = {
    "en": ("Convolutional Neural Networks",
           "An open course on convolutional neural networks, with executed code, "
           "figures and interactive widgets.", "Read in English"),
    "el": ("Συνελικτικά Νευρωνικά Δίκτυα",
           "Ένα ανοιχτό μάθημα για τα συνελικτικά νευρωνικά δίκτυα, με κώδικα που "
           "εκτελείται, σχήματα και διαδραστικά γραφικά στοιχεία.", "Ανάγνωση στα ελληνικά"),
}


def root_page(langs: list[str]) -> str:
    """The site's root: one block per edition, each in its own language."""
    blocks = "\n".join(
        f'  <section lang="{lang}">\n    <h2>{html.escape(CHOOSER_TEXT[lang][0])}</h2>\n'
        f"    <p>{html.escape(CHOOSER_TEXT[lang][1])}</p>\n"
        f'    <p><a href="{lang}/index.html" hreflang="{lang}">'
        f"{html.escape(CHOOSER_TEXT[lang][2])}</a></p>\n  </section>" for lang in langs)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Convolutional Neural Networks · Συνελικτικά Νευρωνικά Δίκτυα</title>
  <link rel="icon" href="{langs[0]}/_static/favicon.png">
  <style>
    body {{ font-family: system-ui, sans-serif; max-width: 44rem; margin: 3rem auto;
           padding: 0 1rem; line-height: 1.5; color: #222; }}
    section {{ border-top: 1px solid #ddd; padding: 0.5rem 0 1rem; }}
    a {{ font-weight: 600; }}
  </style>
</head>
<body>
{blocks}
</body>
</html>
"""


def assemble(built: dict[str, Path], site: Path) -> None:
    """Copy each edition under site/<lang>/ and write the root page, replacing atomically."""
    staging = site.with_name(site.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    for lang, html_dir in built.items():
        shutil.copytree(html_dir, staging / lang)
    (staging / "index.html").write_text(root_page(list(built)), encoding="utf-8")
    (staging / ".nojekyll").write_text("")  # GitHub Pages: serve _static as is
    old = site.with_name(site.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if site.exists():
        site.rename(old)
    staging.rename(site)
    shutil.rmtree(old, ignore_errors=True)


def warn_if_placeholder_repository() -> None:
    """Links to Colab, Binder and the wheel follow `repository.url`: say when it names no one."""
    from cnnbook.links import is_placeholder, links_from_config

    repository = links_from_config(config_for("en")).repository
    if is_placeholder(repository):
        print(f"build_book: warning: repository.url in _config.yml and _config.el.yml is still "
              f"the placeholder {repository}; the Colab, Binder and pip links of the site "
              f"point there. Set it to the repository that hosts the course.",
              file=sys.stderr, flush=True)


def publish_wheel(wheel: Path, site: Path) -> None:
    """Put the library's wheel at the site's root, where assignments' first cells install it."""
    from cnnbook import __version__
    from cnnbook.links import wheel_name

    if wheel.name != wheel_name(__version__):
        sys.exit(f"build_book: --wheel must be {wheel_name(__version__)}, not {wheel.name}")
    shutil.copy2(wheel, site / wheel.name)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lang", action="append", choices=sorted(EDITIONS),
                        help="edition to build (repeatable); default: every edition present")
    parser.add_argument("--strict", action="store_true", help="treat warnings as errors (-W)")
    parser.add_argument("--site", type=Path, default=ROOT / "_build" / "site",
                        help="where to assemble the site (default: _build/site)")
    parser.add_argument("--wheel", type=Path,
                        help="the library's wheel (pip wheel --no-deps .) to publish on the site")
    args = parser.parse_args(argv)
    langs = args.lang or available_editions()
    missing = [lang for lang in langs if lang not in available_editions()]
    if missing:
        parser.error(f"no edition at book/{missing[0]}/index.md")
    if args.wheel is not None and not args.wheel.is_file():
        parser.error(f"no wheel at {args.wheel}")
    warn_if_placeholder_repository()
    built, executed = {}, {}
    for lang in langs:
        start = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
        built[lang] = build_edition(lang, args.strict)
        executed[lang] = executed_since(start)
        print(f"{EDITIONS[lang]}: executed {len(executed[lang])} notebook(s)", flush=True)
    assemble(built, args.site.resolve())
    if args.wheel is not None:
        publish_wheel(args.wheel, args.site)
    report = {"executed": executed}
    (args.site / "build-report.json").write_text(json.dumps(report, indent=2) + "\n")
    print(f"site: {args.site / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
