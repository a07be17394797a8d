"""Every whole-file error has a short message saying what to do, in the user's language."""

from __future__ import annotations

import gettext

import pytest
from template_support import DictTranslations

from core.template import TemplateError, TemplateErrorCode, template_error_text
from core.template.errors import MESSAGES


@pytest.mark.parametrize("code", list(TemplateErrorCode))
def test_every_error_code_has_a_message(code: TemplateErrorCode) -> None:
    text = template_error_text(TemplateError(code, limit=10_000), gettext.NullTranslations())
    assert text
    assert "%(" not in text
    assert len(text) < 200  # read on a phone


def test_too_many_rows_names_the_limit_with_the_locales_grouping() -> None:
    french = DictTranslations({MESSAGES[TemplateErrorCode.TOO_MANY_ROWS]:
                               "Trop de lignes : au plus %(limit)s appareils par fichier."})
    error = TemplateError(TemplateErrorCode.TOO_MANY_ROWS, limit=10_000)
    assert template_error_text(error, french, "fr") == \
        "Trop de lignes : au plus 10\u202f000 appareils par fichier."


def test_too_large_names_the_limit_in_megabytes() -> None:
    error = TemplateError(TemplateErrorCode.TOO_LARGE, limit=20 * 1024 * 1024)
    assert "20 MB" in template_error_text(error, gettext.NullTranslations())


def test_the_detail_is_for_operators_and_not_shown_to_installers() -> None:
    error = TemplateError(TemplateErrorCode.CORRUPT, "openpyxl: KeyError('xl/workbook.xml')")
    assert "openpyxl" in str(error)
    assert "openpyxl" not in template_error_text(error, gettext.NullTranslations())
