"""Goodreads and StoryGraph export files → neutral :class:`ImportRow` records. Pure parsing:
the bytes come in, rows and problems go out; matching books and storing is the services'."""

from bot.domain.imports.csvfile import MAX_IMPORT_BYTES, MAX_IMPORT_ROWS
from bot.domain.imports.detect import KIND_NAMES, detect_kind, parse_import
from bot.domain.imports.records import (
    ImportFileError,
    ImportKind,
    ImportParse,
    ImportRow,
    ReadRange,
    RowProblem,
    derive_readings,
    let_other_threads_run,
)

__all__ = [
    "KIND_NAMES",
    "MAX_IMPORT_BYTES",
    "MAX_IMPORT_ROWS",
    "ImportFileError",
    "ImportKind",
    "ImportParse",
    "ImportRow",
    "ReadRange",
    "RowProblem",
    "derive_readings",
    "detect_kind",
    "let_other_threads_run",
    "parse_import",
]
