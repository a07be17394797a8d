"""The identity of an uploaded file, for "the same file sent twice registers nothing twice"."""

from __future__ import annotations

import hashlib


def content_hash(data: bytes) -> str:
    """The SHA-256 of the file's bytes, in hex: the same bytes give the same key, always.

    Storage keeps it with the import; a second upload with the same hash is answered from
    the first import instead of being registered again.
    """
    return hashlib.sha256(data).hexdigest()
