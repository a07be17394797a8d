"""Folding free text so that "N° de série", "numero-de-serie" and "NUMERO DE SERIE" compare equal.

Installers type headers and product names by hand, on keyboards with and without accents;
comparing folded text makes the reader indifferent to case, accents, punctuation and spacing.
"""

from __future__ import annotations

import re
import unicodedata

_PARENTHESISED = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_NOT_WORD = re.compile(r"[^a-z0-9]+")


def fold(text: str) -> str:
    """Lower case, accents and punctuation removed, words separated by single spaces."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    ascii_only = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NOT_WORD.sub(" ", ascii_only).strip()


def fold_without_remarks(text: str) -> str:
    """Like :func:`fold`, without parenthesised remarks such as "(optional)" or "(module)"."""
    return fold(_PARENTHESISED.sub(" ", text))


def compact(text: str) -> str:
    """Folded text without spaces: "STP-SE" and "stp se" both become "stpse"."""
    return fold(text).replace(" ", "")
