"""Fill msgstr entries of a catalog from a JSON mapping {msgid: msgstr} (developer helper)."""

import json
import sys

from babel.messages.pofile import read_po, write_po

po_path, json_path = sys.argv[1], sys.argv[2]
with open(po_path, "rb") as handle:
    catalog = read_po(handle)
with open(json_path, encoding="utf-8") as handle:
    translations = json.load(handle)
missing = [key for key in translations if key not in catalog]
for message in catalog:
    if message.id and message.id in translations:
        message.string = translations[message.id]
        message.flags.discard("fuzzy")
with open(po_path, "wb") as handle:
    write_po(handle, catalog, width=100, omit_header=False, sort_output=True, no_location=True)
if missing:
    print("not in catalog:", *missing, sep="\n  ", file=sys.stderr)
