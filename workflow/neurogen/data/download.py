"""Download a published table and verify its sha256 (http(s):// or file:// URLs)."""

from __future__ import annotations

import hashlib
import logging
import urllib.error
import urllib.request
from pathlib import Path

from .. import NeurogenError
from ..io import atomic_path

log = logging.getLogger("neurogen")


def sha256sum(path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def fetch(url: str, dest, sha256: str | None = None, timeout: float = 60.0) -> Path:
    """Fetch ``url`` to ``dest``; if ``sha256`` is given the file must match it.

    On failure or checksum mismatch nothing is left at ``dest`` and a NeurogenError says why.
    """
    dest = Path(dest)
    with atomic_path(dest) as tmp:
        try:
            with urllib.request.urlopen(url, timeout=timeout) as r, open(tmp, "wb") as out:
                n = 0
                while True:
                    chunk = r.read(1 << 20)
                    if not chunk:
                        break
                    out.write(chunk)
                    n += len(chunk)
        except (urllib.error.URLError, OSError, ValueError) as e:
            raise NeurogenError(f"download of {url} failed: {e}") from None
        if sha256:
            got = sha256sum(tmp)
            if got.lower() != sha256.lower():
                raise NeurogenError(
                    f"checksum mismatch for {url}: expected sha256 {sha256}, got {got} "
                    f"({n} bytes); the file is corrupt or not the published table"
                )
        log.info("downloaded %s (%d bytes)%s", url, n, ", sha256 verified" if sha256 else "")
    return dest
