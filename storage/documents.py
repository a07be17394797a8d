"""The document folder: files stored under their content hash, written before the database.

A file is written (atomically, via a temporary name) before the transaction that records it
commits, so a crash leaves at most an unreferenced file, never a record without its bytes.
The same content sent twice is stored once.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

MTIME_MARGIN_SECONDS = 2.0


class DocumentStore:
    """Content-addressed files under one root folder."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path_for(self, sha256: str) -> Path:
        """Where the bytes with this hash live (two-level fan-out keeps folders small)."""
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put(self, content: bytes) -> str:
        """Store ``content`` durably and return its SHA-256."""
        digest = hashlib.sha256(content).hexdigest()
        target = self.path_for(digest)
        try:
            # Touched, so a retention purge running now sees the file is wanted again.
            os.utime(target)
            return digest
        except FileNotFoundError:
            pass
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(content)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return digest

    def read(self, sha256: str) -> bytes:
        """The bytes of a stored document."""
        return self.path_for(sha256).read_bytes()

    def discard(self, sha256: str, *, unless_used_since: float) -> bool:
        """Delete a file no record needs any more; False if it was stored again meanwhile.

        The file is first renamed away, so a :meth:`put` of the same content from now on
        writes it anew; a put that came just before touched it (mtime at or after
        ``unless_used_since``, a ``time.time()`` value), and then it is put back. File times
        come from a coarser clock than ``time.time()``, hence a margin: a file touched just
        before the purge began is kept too, and goes at the next purge.
        """
        target = self.path_for(sha256)
        parked = target.with_name(f".purging-{sha256}")
        try:
            os.replace(target, parked)
        except FileNotFoundError:
            return False
        if parked.stat().st_mtime >= unless_used_since - MTIME_MARGIN_SECONDS:
            os.replace(parked, target)
            return False
        parked.unlink()
        return True
