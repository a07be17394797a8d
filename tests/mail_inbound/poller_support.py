"""Running the reply poller in the background of a test, and watching it."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from imap_tools import BaseMailBox

from bot.bootstrap import App
from bot.mail import imap
from bot.mail.inbound import ReplyPoller

PATIENCE = 60.0  # seconds: far above what any step takes, only there to end a broken test


def wait_for(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + PATIENCE
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail("the poller did not get there")
        time.sleep(0.05)


class Connections:
    """Counts the poller's logins to the real server."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.count = 0
        self.idle_offered: list[bool] = []

    def __call__(self) -> BaseMailBox:
        box = imap.connect(self.app.settings)
        self.count += 1
        self.idle_offered.append(imap.supports(box, "IDLE"))
        return box


@contextmanager
def running(poller: ReplyPoller) -> Iterator[None]:
    stop = threading.Event()
    thread = threading.Thread(target=poller.run, args=(stop,))
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(PATIENCE)
    assert not thread.is_alive()
