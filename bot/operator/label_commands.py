"""``cashback read-label PHOTO``: the serials on a type label photo sent by e-mail."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from bot.bootstrap import App
from bot.label_reading import candidate_text, read_photo, text_reader
from bot.operator.commands import Output
from core.campaign import Campaign
from core.i18n import N_, LocalizedError, Translator
from core.labels import UnreadableImage


class CampaignNeeded(LocalizedError):
    """Several campaigns are loaded and the command does not say which."""


def add_label_commands(command: Callable[..., argparse.ArgumentParser],
                       sub: argparse._SubParsersAction[argparse.ArgumentParser],
                       t: Translator) -> None:
    """Register ``read-label PHOTO [--campaign C]`` on the command line."""
    _ = t.gettext
    read = command("read-label", read_label_command,
                   _("read the serial numbers on a photo of a type label"))
    read.add_argument("photo", type=Path, help=_("JPEG, PNG or WebP image"))
    read.add_argument("--campaign", help=_("campaign whose serial formats apply "
                                           "(needed when several are loaded)"))


def read_label_command(app: App, args: argparse.Namespace, out: Output) -> int:
    """Print the candidates (serial, product, source); exit 1 when none was found."""
    campaign = _campaign(app, args.campaign)
    size = args.photo.stat().st_size
    if size > app.settings.labels_max_bytes:
        raise UnreadableImage(N_("The image is too large: at most %(limit)d MB."),
                              limit=app.settings.labels_max_bytes // (1024 * 1024))
    reading = read_photo(app, campaign, args.photo.read_bytes())
    if out.as_json:
        out.data({
            "campaign": campaign.code, "barcodes": reading.barcodes,
            "text_read": reading.text_read, "ocr_available": text_reader(app) is not None,
            "candidates": [{"serial": c.serial, "product": c.product_code,
                            "source": c.source.value, "known": c.known,
                            "suggestions": list(c.suggestions)}
                           for c in reading.candidates]})
        return 0 if reading.candidates else 1
    if not reading.candidates:
        out.translated("No serial number found on this photo.")
        if text_reader(app) is None:
            out.translated("Text reading (OCR) is off: only barcodes were read. Install "
                           "tesseract to read printed serials.")
        return 1
    for candidate in reading.candidates:
        out.write(candidate_text(candidate, campaign, out.t, out.language))
        if candidate.suggestions:
            out.write("  " + out.t.gettext("known serials close to it: %(serials)s") % {
                "serials": ", ".join(candidate.suggestions)})
    return 0


def _campaign(app: App, code: str | None) -> Campaign:
    if code is not None:
        return app.campaign(code)
    if len(app.campaigns) != 1:
        raise CampaignNeeded(N_("Several campaigns are loaded: say which with --campaign "
                                "(%(known)s)."), known=", ".join(sorted(app.campaigns)))
    return next(iter(app.campaigns.values()))
