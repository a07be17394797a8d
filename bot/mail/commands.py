"""``cashback mail poll``: read the replies mailbox once, or keep reading it."""

from __future__ import annotations

import argparse
import signal
import threading
from collections.abc import Callable
from types import FrameType

from bot.bootstrap import App
from bot.operator.commands import Output
from core.i18n import Translator


def add_mail_commands(command: Callable[..., argparse.ArgumentParser],
                      sub: argparse._SubParsersAction[argparse.ArgumentParser],
                      t: Translator) -> None:
    """Register ``mail poll [--once]`` on the command line."""
    _ = t.gettext
    mail = command("mail", None, _("incoming e-mail (replies with documents)"))
    mail_sub = mail.add_subparsers(dest="mail_command", required=True, metavar="ACTION")
    poll = command("poll", mail_poll, _("read replies from the IMAP mailbox"), mail_sub)
    poll.add_argument("--once", action="store_true",
                      help=_("handle the messages waiting now and exit"))


def mail_poll(app: App, args: argparse.Namespace, out: Output) -> int:
    """Handle new replies once (``--once``) or until Ctrl+C."""
    from bot.mail.inbound import ReplyPoller  # imap-tools only when mail is read

    if not app.settings.imap_host:
        out.translated("No IMAP server is configured (CASHBACK_IMAP_HOST), so there is no mailbox "
                "to read.")
        return 2
    poller = ReplyPoller(app)
    if args.once:
        counts = poller.poll_once()
        if out.as_json:
            out.data({"accepted": counts["accepted"], "refused": counts["refused"],
                      "ignored": counts["ignored"]})
        else:
            out.translated("E-mail replies: %(accepted)d accepted, %(refused)d refused, "
                    "%(ignored)d ignored (automatic messages).", accepted=counts["accepted"],
                    refused=counts["refused"], ignored=counts["ignored"])
        return 0
    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    out.translated("Reading replies from %(mailbox)s; stop with Ctrl+C.", mailbox=poller.mailbox)
    poller.run(stop)
    return 0
