"""Builders for the files installers send, good and hostile, used by the template tests."""

from __future__ import annotations

import gettext
import io
import zipfile
from collections.abc import Callable, Sequence
from typing import Any

import openpyxl

# The catalog translations these tests rely on (headers must be recognised when read back).
FRENCH = {
    "Devices": "Appareils",
    "Instructions": "Mode d'emploi",
    "Serial number": "Numéro de série",
    "Product": "Produit",
    "Installation date": "Date d'installation",
    "Installation postcode (optional)": "Code postal d'installation (facultatif)",
    "Note (optional)": "Remarque (facultatif)",
    "Results": "Résultats",
    "Result": "Résultat",
    "Summary": "Synthèse",
    "Registration complete, payment pending": "Enregistrement terminé, paiement en attente",
    "Not registered": "Non enregistré",
    "Product: choose it from the list.": "Produit : choisissez-le dans la liste.",
}
ITALIAN = {
    "Devices": "Dispositivi",
    "Instructions": "Istruzioni",
    "Serial number": "Numero di serie",
    "Product": "Prodotto",
    "Installation date": "Data di installazione",
    "Installation postcode (optional)": "CAP di installazione (facoltativo)",
    "Note (optional)": "Nota (facoltativo)",
    "Results": "Risultati",
    "Result": "Risultato",
    "Summary": "Riepilogo",
    "Registration complete, payment pending": "Dispositivo registrato, pagamento aperto",
    "Not registered": "Non registrato",
    "Product: choose it from the list.": "Prodotto: sceglilo dall'elenco.",
}


class DictTranslations(gettext.NullTranslations):
    """A catalog held in a dict: what a compiled .mo would answer for these messages."""

    def __init__(self, messages: dict[str, str]) -> None:
        super().__init__()
        self.messages = messages

    def gettext(self, message: str) -> str:
        return self.messages.get(message, message)


TRANSLATORS: dict[str, gettext.NullTranslations] = {
    "en": gettext.NullTranslations(),
    "fr": DictTranslations(FRENCH),
    "it": DictTranslations(ITALIAN),
}



def xlsx(rows: Sequence[Sequence[Any]], title: str = "Sheet1",
         before: Sequence[str] = ()) -> bytes:
    """A workbook written by openpyxl: ``before`` names sheets placed ahead of the data."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(list(row))
    for index, name in enumerate(before):
        workbook.create_sheet(name, index)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def rewrite_zip(data: bytes, changes: dict[str, Callable[[bytes], bytes]]) -> bytes:
    """The same zip with some parts rewritten."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename in changes:
                content = changes[info.filename](content)
            target.writestr(info.filename, content)
    return out.getvalue()


def csv_text(lines: Sequence[Sequence[str]], delimiter: str = ";") -> str:
    """Rows joined the way a spreadsheet exports them (fields are given already quoted)."""
    return "\r\n".join(delimiter.join(line) for line in lines) + "\r\n"
