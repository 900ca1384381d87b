"""Fixtures for the book: one hermetic build of the site per test session, and a server."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT


def toc_pages() -> list[str]:
    """The page slugs of the shared table of contents, root first."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    return [toc["root"]] + [chapter["file"] for chapter in toc.get("chapters", [])]


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    """Build the book as the README says, in a copy of the sources, with -W.

    With BOOK_SITE set to an assembled site (a `_build/site` that
    `scripts/build_book.py --strict` just wrote, as the Pages workflow has),
    test that site instead of building another. (test_build's check that a
    cold build executes the English pages then holds only if that build was
    cold too.)
    """
    prebuilt = os.environ.get("BOOK_SITE")
    if prebuilt:
        site = Path(prebuilt).resolve()
        if not (site / "index.html").is_file():
            pytest.fail(f"BOOK_SITE={prebuilt} holds no assembled site (no index.html)")
        return site
    work = tmp_path_factory.mktemp("book")
    for name in ("book", "scripts", "cnnbook", "exercises"):  # library source, assignments
        shutil.copytree(ROOT / name, work / name, ignore=shutil.ignore_patterns("_build"))
    for config in ROOT.glob("_*.yml"):
        shutil.copy2(config, work / config.name)
    result = subprocess.run([sys.executable, "scripts/build_book.py", "--strict"], cwd=work,
                            capture_output=True, text=True, timeout=1800)
    if result.returncode != 0:
        pytest.fail("book build failed:\n" + result.stdout[-6000:] + result.stderr[-6000:])
    return work / "_build" / "site"


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # keep test output clean
        pass


@pytest.fixture(scope="session")
def site_url(built_site) -> str:
    handler = functools.partial(_QuietHandler, directory=str(built_site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
