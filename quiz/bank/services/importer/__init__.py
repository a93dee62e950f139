"""Q&A importer: detect a file's format, parse its questions, store them as cards.

Pure parsing (no Django) lives in the format modules; `service.qa_import` does the database part.
"""

from .detect import FORMATS, qa_format_detect
from .near_duplicates import qa_near_duplicates
from .parse import qa_file_parse, qa_text_parse
from .types import ParsedFile, ParsedQuestion, QAFormatError


def __getattr__(name: str):
    """The database part (`qa_import`, `QAImportError`) loads lazily: parsing needs no Django."""
    if name in ("qa_import", "QAImportError", "ImportReport"):
        from . import service

        return getattr(service, name)
    raise AttributeError(name)


__all__ = [
    "FORMATS",
    "ImportReport",
    "ParsedFile",
    "ParsedQuestion",
    "QAFormatError",
    "QAImportError",
    "qa_file_parse",
    "qa_format_detect",
    "qa_import",
    "qa_near_duplicates",
    "qa_text_parse",
]
