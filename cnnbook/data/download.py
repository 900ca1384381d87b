"""The online path: Keras's own downloads, guarded against long hangs."""

from __future__ import annotations

import contextlib
import os
import socket
import urllib.parse
from collections.abc import Iterator

from .formats import Splits
from .specs import DatasetSpec

OFFLINE_ENV_VAR = "CNNBOOK_OFFLINE"
CONNECT_TIMEOUT_S = 5.0  # a quick probe, so an offline machine fails fast
READ_TIMEOUT_S = 60.0    # per socket operation while downloading


def downloads_disabled() -> bool:
    """True when the user asked for no downloads (CNNBOOK_OFFLINE=1)."""
    return os.environ.get(OFFLINE_ENV_VAR, "").strip().lower() not in ("", "0", "false", "no")


def _probe_target(host: str) -> tuple[str, int]:
    """The host and port a download would connect to first (a proxy if one is set)."""
    for name in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"):
        proxy = os.environ.get(name, "").strip()
        if proxy:
            parsed = urllib.parse.urlsplit(proxy if "://" in proxy else f"http://{proxy}")
            if parsed.hostname:
                return parsed.hostname, parsed.port or 8080
    return host, 443


def unavailable_reason(spec: DatasetSpec) -> str | None:
    """Why `spec` cannot be downloaded now, or None when it can be tried."""
    if downloads_disabled():
        return f"downloads disabled by {OFFLINE_ENV_VAR}"
    host, port = _probe_target(spec.download_host)
    try:
        with socket.create_connection((host, port), timeout=CONNECT_TIMEOUT_S):
            return None
    except OSError as exc:
        return f"{host}:{port} unreachable ({exc.__class__.__name__})"


@contextlib.contextmanager
def socket_timeout(seconds: float) -> Iterator[None]:
    """Bound every socket operation, since urllib waits forever by default."""
    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(seconds)
    try:
        yield
    finally:
        socket.setdefaulttimeout(previous)


def download_with_keras(spec: DatasetSpec) -> Splits:
    """Download through `keras.datasets.<name>.load_data()` into the Keras cache."""
    import keras

    loader = getattr(keras.datasets, spec.name).load_data
    with socket_timeout(READ_TIMEOUT_S):
        return loader()
