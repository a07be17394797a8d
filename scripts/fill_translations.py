"""Fill msgstr entries of a catalog from a JSON mapping {msgid: msgstr} (developer helper)."""

import json
import sys

from babel.messages.pofile import read_po, write_po

po_path, json_path = sys.argv[1], sys.argv[2]
with open(po_path, "rb") as handle:
    catalog = read_po(handle)
with open(json_path, encoding="utf-8") as handle:
    translations = json.load(handle)
known = {m.id[0] if m.pluralizable else m.id for m in catalog if m.id}
missing = [key for key in translations if key not in known]
for message in catalog:
    key = message.id[0] if message.pluralizable else message.id
    if key and key in translations:
        value = translations[key]
        if message.pluralizable:
            # French and Italian have three CLDR forms (one, many, other); "many" is only for
            # round millions, where the plural wording fits.
            forms = list(value) + [value[-1]] * (catalog.num_plurals - len(value))
            message.string = tuple(forms[: catalog.num_plurals])
        else:
            message.string = value
        message.flags.discard("fuzzy")
with open(po_path, "wb") as handle:
    write_po(handle, catalog, width=100, omit_header=False, sort_output=True, no_location=True)
if missing:
    print("not in catalog:", *missing, sep="\n  ", file=sys.stderr)
