"""Recognising the campaign product an installer meant, however it was written.

The drop-down gives the display name in the user's language, but rows also arrive with the
product code ("STP-SE"), the name in another language, the name without its remark ("SMA Home
Storage" for the battery module), without the "SMA" brand, or with a typo. Matching is done on
folded text, then with :mod:`difflib` for slips; an ambiguous guess is refused rather than
risking a cashback on the wrong product.
"""

from __future__ import annotations

import difflib

from core.campaign import Campaign
from core.template.text import compact, fold, fold_without_remarks

_FUZZY_CUTOFF = 0.85
_BRAND = "sma "


class ProductMatcher:
    """Maps what a cell says to a campaign product code; one per read, with a cache."""

    def __init__(self, campaign: Campaign) -> None:
        keys: dict[str, set[str]] = {}
        for product in campaign.products.values():
            for spelling in (product.code, *product.names.values()):
                for key in _keys(spelling):
                    keys.setdefault(key, set()).add(product.code)
        # A key shared by two products ("sunny tripower" if it were one) identifies neither.
        self._keys = {key: next(iter(codes)) for key, codes in keys.items() if len(codes) == 1}
        self._fuzzy = sorted(k for k in self._keys if " " in k or len(k) > 5)
        self._cache: dict[str, str | None] = {}

    def match(self, text: str) -> str | None:
        """The product code ``text`` designates, or None if it names no single product."""
        if text not in self._cache:
            self._cache[text] = self._match(text)
        return self._cache[text]

    def _match(self, text: str) -> str | None:
        candidates = _keys(text)
        for key in candidates:
            if key in self._keys:
                return self._keys[key]
        for key in candidates:
            close = difflib.get_close_matches(key, self._fuzzy, n=3, cutoff=_FUZZY_CUTOFF)
            codes = {self._keys[c] for c in close}
            if len(codes) == 1:
                return codes.pop()
        return None


def _keys(spelling: str) -> list[str]:
    """The folded forms a spelling is known by, the most specific first."""
    forms = [fold(spelling), fold_without_remarks(spelling)]
    forms += [form.removeprefix(_BRAND) for form in forms if form.startswith(_BRAND)]
    forms.append(compact(spelling))
    return [form for i, form in enumerate(forms) if form and form not in forms[:i]]
