"""The HTML body of our e-mails: simple inline-styled markup, every text escaped.

Mail clients ignore style sheets and scripts, so the layout is plain tables and inline
styles. Every string that reaches the markup goes through :func:`html.escape`: a company name,
an operator's note or a serial number can contain ``<`` or ``&``, and none may become markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

BODY = ("font-family:Arial,Helvetica,sans-serif;font-size:15px;line-height:1.5;"
        "color:#1a1a1a;max-width:720px")
CELL = "border:1px solid #d0d0d0;padding:4px 8px;text-align:left;vertical-align:top"
HEAD = CELL + ";background:#f2f2f2"


@dataclass(frozen=True)
class DeviceView:
    """One device as both bodies show it: already translated and formatted."""

    serial: str
    product: str
    status: str
    amount: str
    details: tuple[str, ...]


def _p(text: str, style: str = "") -> str:
    attribute = f' style="{style}"' if style else ""
    return f"<p{attribute}>{escape(text).replace(chr(10), '<br>')}</p>"


def html_body(*, language: str, title: str, greeting: str, paragraphs: Sequence[str],
              summary: Sequence[str], single: Sequence[str] | None, headers: Sequence[str],
              devices: Sequence[DeviceView], steps: Sequence[str], closing: Sequence[str],
              footer: str) -> str:
    """A complete HTML document: one device as a block, several as a table, or none."""
    parts = [_p(greeting), *(_p(text) for text in paragraphs)]
    if summary:
        parts.append("<ul>" + "".join(f"<li>{escape(line)}</li>" for line in summary) + "</ul>")
    if single is not None:
        head, *rest = single
        parts.append('<div style="border-left:4px solid #e2001a;padding:4px 12px;margin:12px 0">'
                     f"<p><strong>{escape(head)}</strong><br>"
                     + "<br>".join(escape(line) for line in rest) + "</p></div>")
    elif devices:
        parts.append(_table(headers, devices))
    parts.extend(_p(step) for step in steps)
    parts.append(_p("\n".join(closing)))
    parts.append('<hr style="border:none;border-top:1px solid #d0d0d0">')
    parts.append(_p(footer, "font-size:12px;color:#666666"))
    return (f'<!DOCTYPE html>\n<html lang="{escape(language)}"><head><meta charset="utf-8">'
            f"<title>{escape(title)}</title></head>\n<body style=\"{BODY}\">\n"
            + "\n".join(parts) + "\n</body></html>\n")


def _table(headers: Sequence[str], devices: Sequence[DeviceView]) -> str:
    rows = [
        "<tr>" + "".join(f'<td style="{CELL}">{escape(value)}</td>' for value in (
            device.serial, device.product, device.status, device.amount))
        + f'<td style="{CELL}">' + "<br>".join(escape(d) for d in device.details) + "</td></tr>"
        for device in devices]
    head = "".join(f'<th style="{HEAD}">{escape(h)}</th>' for h in headers)
    return ('<table style="border-collapse:collapse;margin:12px 0"><thead><tr>' + head
            + "</tr></thead><tbody>\n" + "\n".join(rows) + "\n</tbody></table>")
