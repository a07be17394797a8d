"""The template's columns, their localized headers, and the headers installers really write.

The template speaks the user's language, but a file may come back from a colleague in another
country, from an older template or typed by hand: every column is recognised from its French,
Italian or English name and the usual variants, in any order, with small spelling slips.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from enum import StrEnum

from core.i18n import N_, Translator
from core.template.text import fold, fold_without_remarks


class Field(StrEnum):
    """A column the reader understands; any other column is carried along and ignored."""

    SERIAL = "serial"
    PRODUCT = "product"
    INSTALLED_ON = "installed_on"
    POSTCODE = "postcode"
    NOTE = "note"


# Template column order; the English source text of each header.
HEADERS: dict[Field, str] = {
    Field.SERIAL: N_("Serial number"),
    Field.PRODUCT: N_("Product"),
    Field.INSTALLED_ON: N_("Installation date"),
    Field.POSTCODE: N_("Installation postcode (optional)"),
    Field.NOTE: N_("Note (optional)"),
}

# Folded spellings seen in real files (and the catalog translations of HEADERS), per field.
ALIASES: dict[Field, tuple[str, ...]] = {
    Field.SERIAL: (
        "serial number", "serial no", "serial nr", "serial", "serials", "sn", "s n", "s no",
        "n de serie", "no de serie", "nr de serie", "num de serie", "numero de serie",
        "numeros de serie", "n serie", "no serie", "num serie", "numero serie", "serie",
        "numero di serie", "n di serie", "nr di serie", "num di serie", "nr serie",
        "numero seriale", "seriale", "matricola", "n matricola", "numero matricola",
    ),
    Field.PRODUCT: (
        "product", "products", "product name", "product type", "device type", "device",
        "type", "model", "produit", "produits", "type de produit", "type d appareil",
        "appareil", "modele", "designation", "prodotto", "prodotti", "tipo di prodotto",
        "tipo di dispositivo", "tipo dispositivo", "dispositivo", "tipo", "modello",
    ),
    Field.INSTALLED_ON: (
        "installation date", "date of installation", "installed on", "install date",
        "date installed", "date", "commissioning date", "date d installation",
        "date installation", "date de pose", "date de mise en service", "installe le",
        "data di installazione", "data installazione", "data", "installato il",
        "data di messa in servizio", "data messa in servizio",
    ),
    Field.POSTCODE: (
        "installation postcode", "postcode", "post code", "postal code", "zip", "zip code",
        "code postal d installation", "code postal", "cp", "code postal installation",
        "cap di installazione", "cap installazione", "cap", "c a p", "codice postale",
        "codice di avviamento postale",
    ),
    Field.NOTE: (
        "note", "notes", "comment", "comments", "remark", "remarks", "remarque", "remarques",
        "commentaire", "commentaires", "observations", "nota", "commento", "commenti",
        "osservazioni",
    ),
}

# Sheet names under which the devices sheet may come back (folded).
DEVICE_SHEET_NAMES = frozenset({
    "devices", "device", "appareils", "appareil", "dispositivi", "dispositivo", "apparecchi",
})

# Spelling slips ("Numero de serei") are accepted above this similarity; short aliases
# ("sn", "cp", "cap") must match exactly, or "cp" would be taken for "sn".
_FUZZY_CUTOFF = 0.85
_FUZZY_MIN_LENGTH = 5
_MAX_HEADER_LENGTH = 60

_EXACT: dict[str, Field] = {alias: f for f, aliases in ALIASES.items() for alias in aliases}
_FUZZY = [alias for alias in _EXACT if len(alias) >= _FUZZY_MIN_LENGTH]


def header_text(field: Field, t: Translator) -> str:
    """The header of ``field`` in the user's language, as the template writes it."""
    return t.gettext(HEADERS[field])


def recognise_header(text: str) -> Field | None:
    """The field a header cell names, or None for a column the reader does not use."""
    found = _recognise(text)
    return found[0] if found else None


def map_columns(cells: Sequence[object]) -> Mapping[Field, int]:
    """Which column (0-based) holds which field in a candidate header row.

    When two columns name the same field, the more specific header wins ("Date
    d'installation" over "Date", "Serial number" over "SN"), then the leftmost. Cells that
    are not text (a date in a title block, a number) never name a field.
    """
    best: dict[Field, tuple[int, int]] = {}  # field -> (specificity, column)
    for index, cell in enumerate(cells):
        if not isinstance(cell, str):
            continue
        found = _recognise(cell)
        if found is not None:
            field, specificity = found
            if field not in best or specificity > best[field][0]:
                best[field] = (specificity, index)
    return {field: column for field, (_, column) in best.items()}


def _recognise(text: str) -> tuple[Field, int] | None:
    """The field a header names, with how specific the header is (its folded length)."""
    if len(text) > _MAX_HEADER_LENGTH:
        return None  # a sentence in a title block, not a header
    key = fold_without_remarks(text) or fold(text)
    if not key:
        return None
    if key in _EXACT:
        return _EXACT[key], len(key)
    if len(key) < _FUZZY_MIN_LENGTH:
        return None
    close = difflib.get_close_matches(key, _FUZZY, n=1, cutoff=_FUZZY_CUTOFF)
    return (_EXACT[close[0]], len(close[0])) if close else None


def is_header(columns: Mapping[Field, int]) -> bool:
    """A header names the serial column and at least one other column we understand."""
    return Field.SERIAL in columns and len(columns) >= 2


def is_devices_sheet_name(name: str) -> bool:
    """Whether a sheet is called "Devices" in French, Italian or English."""
    return fold(name) in DEVICE_SHEET_NAMES
