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
    "en": {
        "title": "Convolutional Neural Networks",
        "summary": "An open course on convolutional neural networks that follows a "
                   "university lecture: every figure and number on its pages comes from code "
                   "executed when the book is built.",
        "chapters": "{n} chapters, from the history of CNNs and their datasets to "
                    "cross-correlation, the convolutional layer, training and transfer "
                    "learning, with interactive widgets and exercises with solutions.",
        "assignments": "{n} graded assignments, Jupyter notebooks that are graded "
                       "automatically:",
        "live": "Every page opens on Binder, where its code runs.",
        "read": "Read in English",
    },
    "el": {
        "title": "Συνελικτικά Νευρωνικά Δίκτυα",
        "summary": "Ανοιχτό εκπαιδευτικό υλικό για τα συνελικτικά νευρωνικά δίκτυα, που "
                   "ακολουθεί ένα πανεπιστημιακό μάθημα: κάθε σχήμα και κάθε αριθμός στις "
                   "σελίδες του προκύπτει από κώδικα που εκτελείται κατά τη δημιουργία του "
                   "βιβλίου.",
        "chapters": "{n} κεφάλαια, από την ιστορία των συνελικτικών δικτύων και τα σύνολα "
                    "δεδομένων τους ως την ετεροσυσχέτιση, το συνελικτικό επίπεδο, την "
                    "εκπαίδευση και τη μεταφορά μάθησης, με διαδραστικά στοιχεία ελέγχου "
                    "και ασκήσεις με λύσεις, καθώς και γλωσσάριο των ελληνικών όρων.",
        "assignments": "{n} βαθμολογούμενες εργασίες, σημειωματάρια Jupyter που "
                       "βαθμολογούνται αυτόματα:",
        "live": "Κάθε σελίδα ανοίγει στο Binder, όπου εκτελείται ο κώδικάς της.",
        "read": "Ανάγνωση στα ελληνικά",
    },
}
ASSIGNMENTS_FOLDER = "assignments"  # where book/_ext/coursebook.py copies exercises/<lang>/


def chapter_count() -> int:
    """The chapters of the shared table of contents, without glossary and references."""
    import yaml

    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    return sum(1 for chapter in toc.get("chapters", [])
               if chapter["file"] not in ("glossary", "references"))


def assignments(lang: str) -> list[tuple[str, str]]:
    """(link from the site's root, title) of each student notebook of an edition."""
    found = []
    for notebook in sorted((ROOT / "exercises" / lang).glob("*/*.ipynb")):
        cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
        heading = "".join(cells[0]["source"]).splitlines()[0] if cells else notebook.stem
        found.append((f"{lang}/{ASSIGNMENTS_FOLDER}/{notebook.parent.name}/{notebook.name}",
                      heading.lstrip("# ").strip()))
    return found


def edition_card(lang: str) -> str:
    """One edition's block of the root page, all in its own language."""
    text = CHOOSER_TEXT[lang]
    read = html.escape(text["read"])
    notebooks = assignments(lang)
    items = "".join(f'\n          <li><a href="{href}" download>{html.escape(title)}</a></li>'
                    for href, title in notebooks)
    return f"""    <section class="edition" lang="{lang}">
      <h2>{html.escape(text["title"])}</h2>
      <p>{html.escape(text["summary"])}</p>
      <ul>
        <li>{html.escape(text["chapters"].format(n=chapter_count()))}</li>
        <li>{html.escape(text["assignments"].format(n=len(notebooks)))}
          <ul class="assignments">{items}
          </ul>
        </li>
        <li>{html.escape(text["live"])}</li>
      </ul>
      <p><a class="read" href="{lang}/index.html" hreflang="{lang}">{read}</a></p>
    </section>"""


# The book theme's fonts and colours (sphinx-book-theme 1.3 on pydata-sphinx-theme
# 0.17), light and dark, so the root page looks like the editions it leads to.
CHOOSER_STYLE = """
    :root { --background: #fff; --surface: #f3f4f5; --text: #222832; --muted: #48566b;
            --border: #d1d5da; --primary: #176de8; --on-primary: #fff; color-scheme: light dark; }
    @media (prefers-color-scheme: dark) {
      :root { --background: #121212; --surface: #29313d; --text: #ced6dd; --muted: #9ca4af;
              --border: #48566b; --primary: #528fe4; --on-primary: #121212; }
    }
    * { box-sizing: border-box; }
    body { margin: 0; background: var(--background); color: var(--text);
           font-family: system-ui, sans-serif, "Apple Color Emoji", "Segoe UI Emoji";
           line-height: 1.65; }
    header { border-bottom: 1px solid var(--border); box-shadow: 0 6px 6px -6px rgba(0,0,0,.15);
             padding: 1.5rem 1rem; text-align: center; }
    header img { width: 48px; height: 48px; vertical-align: middle; }
    header h1 { display: inline-block; margin: 0 0 0 .75rem; font-weight: 400;
                font-size: clamp(1.35rem, 4vw, 2rem); vertical-align: middle; }
    main { max-width: 72rem; margin: 0 auto; padding: 2rem 1rem 3rem; display: grid;
           gap: 1.5rem; grid-template-columns: repeat(auto-fit, minmax(min(100%, 26rem), 1fr)); }
    header h1 span { white-space: nowrap; }
    @media (max-width: 40rem) {
      header h1 { display: block; margin: .5rem 0 0; }
      header h1 span { display: block; }
      header h1 .separator { display: none; }
    }
    .edition { background: var(--surface); border: 1px solid var(--border);
               border-radius: .5rem; padding: 1.25rem 1.5rem 1.5rem; }
    .edition h2 { margin: 0 0 .5rem; font-weight: 500; font-size: 1.5rem; }
    .edition ul { padding-left: 1.25rem; }
    .edition li { margin: .35rem 0; }
    .assignments { color: var(--muted); font-size: .95rem; }
    a { color: var(--primary); }
    a.read { display: inline-block; background: var(--primary); color: var(--on-primary);
             font-weight: 600; text-decoration: none; padding: .55rem 1.1rem;
             border-radius: .35rem; }
    a.read:hover, a.read:focus-visible { filter: brightness(1.1); text-decoration: underline; }
"""


def root_page(langs: list[str]) -> str:
    """The site's root: one block per edition, each in its own language."""
    blocks = "\n".join(edition_card(lang) for lang in langs)
    titles = " · ".join(CHOOSER_TEXT[lang]["title"] for lang in langs)
    heading = ' <span class="separator">·</span> '.join(
        f'<span lang="{lang}">{html.escape(CHOOSER_TEXT[lang]["title"])}</span>' for lang in langs)
    return f"""<!DOCTYPE html>
<html lang="{langs[0]}">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{html.escape(titles)}</title>
  <link rel="icon" href="{langs[0]}/_static/favicon.png">
  <style>{CHOOSER_STYLE}  </style>
</head>
<body>
  <header>
    <img src="{langs[0]}/_static/favicon.png" alt="">
    <h1>{heading}</h1>
  </header>
  <main>
{blocks}
  </main>
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
