"""The ``cashback`` command: the operator's entry point and the assistant's start command."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from datetime import date, datetime
from pathlib import Path

from pydantic import ValidationError

from bot.bootstrap import App, bootstrap
from bot.i18n import language_or_default, translator
from bot.operator import commands, template_commands
from bot.operator.label_commands import add_label_commands
from bot.ops.commands import add_ops_commands
from bot.ops.settings_errors import invalid_settings_text
from bot.parts import add_run_options, chosen_parts
from bot.settings import Settings
from core.campaign import CampaignError
from core.i18n import LocalizedError, Translator
from core.statuses import IllegalTransition
from core.template import TemplateError, template_error_text
from core.wording import status_name

Command = Callable[[App, argparse.Namespace, commands.Output], int]


def build_parser(t: Translator) -> argparse.ArgumentParser:
    """All sub-commands, with help in the operator's language."""
    _ = t.gettext

    def day_argument(value: str) -> date:
        for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y"):
            try:
                return datetime.strptime(value, pattern).date()
            except ValueError:
                continue
        raise argparse.ArgumentTypeError(_("%(value)s: use yyyy-mm-dd or dd/mm/yyyy")
                                         % {"value": value})

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--lang", choices=("fr", "it", "en"), help=_("language of the output"))
    common.add_argument("--json", action="store_true", help=_("print JSON for scripts"))
    common.add_argument("--operator", default="operator",
                        help=_("name recorded in the audit trail"))
    parser = argparse.ArgumentParser(
        prog="cashback", parents=[common],
        description=_("Cashback assistant: chat and e-mail assistant for the installer cashback "
                      "campaign, and its back-office commands."))
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, handler: Command | None, help_text: str,
                parent: argparse._SubParsersAction[argparse.ArgumentParser] = sub,
                ) -> argparse.ArgumentParser:
        p = parent.add_parser(name, parents=[common], help=help_text, description=help_text)
        if handler is not None:
            p.set_defaults(handler=handler)
        return p

    run = command("run", None, _("start the assistant (local sandbox without credentials)"))
    add_run_options(run, t)
    db = command("db", None, _("database schema"))
    db_sub = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    command("upgrade", commands.db_upgrade, _("create or migrate the schema"), db_sub)
    campaigns = command("campaigns", None, _("campaign files"))
    campaigns_sub = campaigns.add_subparsers(dest="campaigns_command", required=True,
                                             metavar="ACTION")
    check = command("check", commands.campaigns_check, _("validate campaign files"),
                    campaigns_sub)
    check.add_argument("files", nargs="*", type=Path, help=_("files (default: the folder)"))
    companies = command("companies", None, _("enrolled companies"))
    companies_sub = companies.add_subparsers(dest="companies_command", required=True,
                                             metavar="ACTION")
    imp = command("import", commands.companies_import, _("enrol companies from a CSV file"),
                  companies_sub)
    imp.add_argument("file", type=Path)
    masterdata = command("masterdata", None, _("device master data"))
    masterdata_sub = masterdata.add_subparsers(dest="masterdata_command", required=True,
                                               metavar="ACTION")
    imp = command("import", commands.masterdata_import, _("load devices from a CSV file"),
                  masterdata_sub)
    imp.add_argument("file", type=Path)

    reg = command("register", commands.register, _("register one device for a company"))
    reg.add_argument("--campaign", required=True)
    reg.add_argument("--company", required=True, help=_("customer number"))
    reg.add_argument("--serial", required=True)
    reg.add_argument("--product", required=True, help=_("product code"))
    reg.add_argument("--installed", required=True, type=day_argument, help=_("installation date"))
    status = command("status", commands.status, _("a company's summary or one serial's detail"))
    status.add_argument("--company", required=True, help=_("customer number"))
    status.add_argument("--serial")
    status.add_argument("--campaign")
    hist = command("history", commands.history, _("one serial's audit trail"))
    hist.add_argument("serial")
    hist.add_argument("--campaign")
    approve = command("approve", commands.approve, _("accept a registration under review"))
    approve.add_argument("serial")
    approve.add_argument("--campaign")
    reject = command("reject", commands.reject, _("reject a registration under review"))
    reject.add_argument("serial")
    reject.add_argument("--reason", required=True, help=_("shown to the company"))
    reject.add_argument("--campaign")
    pay = command("pay", commands.pay,
                  _("record payments from a CSV file (serial or registration id, reference, "
                    "date)"))
    pay.add_argument("--file", required=True, type=Path)
    pay.add_argument("--campaign", required=True)
    blank = command("template", template_commands.template,
                    _("write the campaign's bulk registration template"))
    blank.add_argument("--campaign", required=True)
    blank.add_argument("-o", "--output", required=True, type=Path, help=_("file to write (.xlsx)"))
    upload = command("import-template", template_commands.import_file,
                     _("import a filled-in template for a company"))
    upload.add_argument("file", type=Path, help=_(".xlsx, .xlsm or .csv"))
    upload.add_argument("--company", required=True, help=_("customer number"))
    upload.add_argument("-o", "--output", type=Path, help=_("write the result workbook here"))
    _outbox_commands(command, sub, t)
    _mail_commands(command, sub, t)
    _backoffice_commands(command, sub, t)
    _portal_commands(command, sub, t)
    add_label_commands(command, sub, t)
    add_ops_commands(command, sub, t)
    return parser


def _outbox_commands(command: Callable[..., argparse.ArgumentParser],
                     sub: argparse._SubParsersAction[argparse.ArgumentParser],
                     t: Translator) -> None:
    from bot.outbox import commands as outbox

    _ = t.gettext
    box = command("outbox", None, _("notifications to send by e-mail and chat"))
    box_sub = box.add_subparsers(dest="outbox_command", required=True, metavar="ACTION")
    run = command("run", outbox.outbox_run, _("deliver due notifications"), box_sub)
    run.add_argument("--once", action="store_true", help=_("deliver what is due now and exit"))
    listing = command("list", outbox.outbox_list, _("failed and waiting notifications"),
                      box_sub)
    listing.add_argument("--state", choices=sorted(outbox.LIST_STATES), default="unsent",
                         help=_("which notifications (default: unsent)"))
    again = command("retry", outbox.outbox_retry, _("send failed notifications again"),
                    box_sub)
    again.add_argument("ids", nargs="*", type=int, metavar="ID")
    again.add_argument("--all-dead", action="store_true", help=_("every failed notification"))
    jobs = command("jobs", None, _("scheduled jobs"))
    jobs_sub = jobs.add_subparsers(dest="jobs_command", required=True, metavar="ACTION")
    command("run-due", outbox.jobs_run_due, _("expire overdue requests and queue reminders now"),
            jobs_sub)


def _mail_commands(command: Callable[..., argparse.ArgumentParser],
                   sub: argparse._SubParsersAction[argparse.ArgumentParser],
                   t: Translator) -> None:
    from bot.mail.commands import add_mail_commands

    add_mail_commands(command, sub, t)


def _backoffice_commands(command: Callable[..., argparse.ArgumentParser],
                         sub: argparse._SubParsersAction[argparse.ArgumentParser],
                         t: Translator) -> None:
    from bot.operator.backoffice_commands import add_backoffice_commands

    add_backoffice_commands(command, sub, t)


def _portal_commands(command: Callable[..., argparse.ArgumentParser],
                     sub: argparse._SubParsersAction[argparse.ArgumentParser],
                     t: Translator) -> None:
    from bot.operator.portal_commands import add_portal_commands

    add_portal_commands(command, sub, t)


def _language(argv: Sequence[str], settings: Settings | None) -> str:
    default = settings.default_language if settings is not None else "fr"
    for index, arg in enumerate(argv):
        if arg == "--lang" and index + 1 < len(argv):
            return language_or_default(argv[index + 1], default)
        if arg.startswith("--lang="):
            return language_or_default(arg.split("=", 1)[1], default)
    return default


def main(argv: Sequence[str] | None = None) -> int:
    """Parse, run one command, turn known errors into a clear message and an exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        settings = Settings()
    except ValidationError as error:
        print(invalid_settings_text(error, translator(_language(argv, None))), file=sys.stderr)
        return 2
    language = _language(argv, settings)
    t = translator(language)
    args = build_parser(t).parse_args(argv)
    out = commands.Output(t=t, language=language, as_json=args.json, write=print)
    try:
        if args.command == "run":
            from bot.runner import run

            return run(settings, t, once=args.once, parts=chosen_parts(args.only))
        if getattr(args, "settings_handler", None) is not None:
            return int(args.settings_handler(settings, args, out))
        app = bootstrap(settings, migrate=args.command != "db")
        handler: Command = args.handler
        try:
            return handler(app, args, out)
        finally:
            app.engine.dispose()  # a command is one use: leave no connection behind
    except LocalizedError as error:
        print(error.text(t), file=sys.stderr)
    except TemplateError as error:
        print(template_error_text(error, t, language), file=sys.stderr)
    except CampaignError as error:
        print(t.gettext("Invalid campaign file: %(error)s") % {"error": error}, file=sys.stderr)
    except IllegalTransition as error:
        print(t.gettext("Not possible: the registration is \"%(current)s\" and cannot become "
                        "\"%(target)s\".") % {
            "current": status_name(error.current, t) if error.current else "-",
            "target": status_name(error.target, t)}, file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
