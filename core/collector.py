"""Bulk work without the cyclic garbage collector looking over its shoulder.

Importing 10,000 rows creates a few hundred thousand objects that live until the answer is
sent. Every 700 allocations Python's cyclic collector scans the young ones, and now and then
everything the process holds: a quarter of the import's time (BENCHMARKS.md, "import").
The rows hold no reference cycles, so reference counting frees them anyway; the collector is
paused while a bulk import runs and resumed when the last one in the process is done.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_pausing = 0  # bulk jobs running in this process that paused the collector
_was_enabled = True


@contextmanager
def collector_paused() -> Iterator[None]:
    """Run the block with the cyclic collector off (unless another bulk job already did)."""
    global _pausing, _was_enabled
    with _lock:
        if _pausing == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _pausing += 1
    try:
        yield
    finally:
        with _lock:
            _pausing -= 1
            if _pausing == 0 and _was_enabled:
                gc.enable()
