"""Every message the code can show exists, translated and not fuzzy, in French and Italian."""

from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
KEYWORDS = {**DEFAULT_KEYWORDS, "N_": None, "translated": None}


def code_messages() -> set[str]:
    messages: set[str] = set()
    for package in ("core", "storage", "bot"):
        for _file, _line, message, _comments, _context in extract_from_dir(
                ROOT / package, keywords=KEYWORDS, comment_tags=()):
            messages.add(message[0] if isinstance(message, tuple) else message)
    return messages


def load(language: str) -> Catalog:
    with (ROOT / "locales" / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=language)


@pytest.fixture(scope="module")
def messages() -> set[str]:
    found = code_messages()
    assert len(found) > 50, "extraction found too little; is the keyword list right?"
    return found


@pytest.mark.parametrize("language", ["fr", "it"])
def test_every_message_in_the_code_is_translated(language: str, messages: set[str]) -> None:
    catalog = load(language)
    missing = sorted(m for m in messages if m not in catalog or not catalog[m].string)
    assert not missing, f"{language}: untranslated (run scripts/i18n update): {missing}"


@pytest.mark.parametrize("language", ["fr", "it"])
def test_no_translation_is_fuzzy(language: str) -> None:
    fuzzy = [m.id for m in load(language) if m.id and m.fuzzy]
    assert not fuzzy, f"{language}: fuzzy entries: {fuzzy}"


@pytest.mark.parametrize("language", ["fr", "it"])
def test_placeholders_match_between_source_and_translation(language: str) -> None:
    problems = [(m.id, [str(e) for e in errors]) for m, errors in load(language).check()]
    assert not problems, problems


@pytest.mark.parametrize("language", ["fr", "it"])
def test_plural_forms_are_all_translated(language: str) -> None:
    catalog = load(language)
    for message in catalog:
        if message.id and message.pluralizable:
            forms = message.string
            assert isinstance(forms, tuple | list), message.id[0]
            assert len(forms) == catalog.num_plurals, message.id[0]
            assert all(forms), f"{language}: {message.id[0]!r} lacks a plural form"
