"""The bulk registration template: the blank workbook, reading uploads, the result workbook.

Pure: bytes in, bytes out; no database, clock or file system. See :mod:`.xlsx_source` for why
uploads are read with openpyxl rather than python-calamine, and :mod:`.archive` for the checks
that run before any XML parser sees an upload.
"""

from core.template.builder import build_template
from core.template.errors import TemplateError, TemplateErrorCode, template_error_text
from core.template.fields import Field
from core.template.fingerprint import content_hash
from core.template.limits import DEFAULT_LIMITS, Limits
from core.template.outcome import Mark, RowResult, result_details, result_headline
from core.template.problems import RowProblem, problem_text
from core.template.reader import read_rows
from core.template.result_workbook import build_result_workbook
from core.template.rows import ParsedRow, ReadResult
from core.template.safety import neutralise

__all__ = [
    "DEFAULT_LIMITS",
    "Field",
    "Limits",
    "Mark",
    "ParsedRow",
    "ReadResult",
    "RowProblem",
    "RowResult",
    "TemplateError",
    "TemplateErrorCode",
    "build_result_workbook",
    "build_template",
    "content_hash",
    "neutralise",
    "problem_text",
    "read_rows",
    "result_details",
    "result_headline",
    "template_error_text",
]
