"""An asyncio service in a thread of its own, started and stopped from synchronous code.

``cashback run`` is synchronous (its scheduled jobs block); the outbox dispatcher and the
Telegram channel are asyncio services. Each runs its own event loop in a thread: ``start``
returns once the service says it is ready (or raises what kept it from starting), ``stop``
asks it to finish what it has in hand and waits for it.
"""

from __future__ import annotations

import asyncio
import threading


class LoopThread:
    """Subclasses implement :meth:`serve`, call :meth:`ready` once serving, and return on stop."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._ready = threading.Event()
        self._failure: BaseException | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread: threading.Thread | None = None

    async def serve(self, stop: asyncio.Event) -> None:
        """Run until ``stop`` is set; call :meth:`ready` when serving."""
        raise NotImplementedError

    def ready(self) -> None:
        """Tell :meth:`start` the service is up."""
        self._ready.set()

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        """The service's event loop (for thread-safe calls into it)."""
        assert self._loop is not None, "not started"
        return self._loop

    def start(self) -> None:
        """Start the thread; return when ready, raise what prevented it."""
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self._thread.start()
        self._ready.wait()
        if self._failure is not None:
            self._thread.join()
            self._thread = None
            raise self._failure

    def stop(self) -> None:
        """Ask the service to finish what it has in hand, and wait for it."""
        if self._thread is None:
            return
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join()
        self._thread = None

    def _run(self) -> None:
        async def main() -> None:
            self._loop = asyncio.get_running_loop()
            self._stop = asyncio.Event()
            await self.serve(self._stop)

        try:
            asyncio.run(main())
        except BaseException as error:  # noqa: BLE001 - handed to the starting thread
            self._failure = error
        finally:
            self._ready.set()  # never leave start() waiting, even if the loop failed to start
