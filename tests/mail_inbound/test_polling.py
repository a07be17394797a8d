"""A server without IDLE: the poller reconnects every CASHBACK_MAIL_POLL_SECONDS instead."""

from __future__ import annotations

import pytest
from mail_support import ImapServer, Mailbox, ask, corpus, deliver, status
from poller_support import Connections, running, wait_for

from bot.bootstrap import App
from bot.mail.inbound import ReplyPoller


@pytest.fixture
def server(polling_server: ImapServer) -> ImapServer:
    return polling_server


def test_without_idle_replies_are_found_by_polling(app: App, mailbox: Mailbox) -> None:
    [request] = ask(app)
    connections = Connections(app)
    poller = ReplyPoller(app, connect=connections)

    with running(poller):
        wait_for(lambda: connections.count >= 2)
        deliver(app, mailbox, corpus("windows_path_filename.eml", reference=request.reference))
        wait_for(lambda: status(app, request.serial) == "under_review")

    assert not any(connections.idle_offered)
    assert mailbox.count(app.settings.imap_processed_folder) == 1
