"""From uploaded bytes to a table of cells: size limits, encoding, CSV syntax.

Every problem with the file as a whole raises :class:`ImportFileError` with a message that
names the problem and how to fix it; nothing is guessed silently (a file that is not UTF-8
is refused rather than decoded as some other encoding).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.domain.imports.records import ImportFileError, let_other_threads_run

__all__ = [
    "MAX_CELL_LENGTH",
    "MAX_IMPORT_BYTES",
    "MAX_IMPORT_ROWS",
    "REEXPORT_HINT",
    "CsvTable",
    "decode_upload",
    "read_table",
]

#: Largest file accepted (Discord's upload limit for members without Nitro).
MAX_IMPORT_BYTES = 10 * 1024 * 1024
#: Most books in one file.
MAX_IMPORT_ROWS = 20_000
#: Longest cell kept (a review's HTML; a spoiler-free part and a spoiler part of 50,000
#: characters each fit). A longer cell is cut here, before anything parses it.
MAX_CELL_LENGTH = 250_000

_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
#: The usual way out of a file-level problem.
REEXPORT_HINT = "Upload the export file exactly as the site gave it to you."


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB"


def _looks_binary(sample: bytes) -> bool:
    if b"\x00" in sample:
        return True
    controls = sum(1 for b in sample if b < 0x20 and b not in (0x09, 0x0A, 0x0D, 0x0C))
    return controls > max(len(sample) // 100, 2)


def decode_upload(data: bytes) -> str:
    """The file's text: UTF-8, with or without a byte-order mark. Refuses everything else."""
    if len(data) > MAX_IMPORT_BYTES:
        raise ImportFileError(
            f"The file is {_mb(len(data))}; the largest file that can be imported is "
            f"{_mb(MAX_IMPORT_BYTES)}."
        )
    if not data.strip() or data.strip() == _UTF8_BOM:
        raise ImportFileError("The file is empty.")
    if data.startswith(b"PK\x03\x04"):
        raise ImportFileError(
            "This is a ZIP archive (or a spreadsheet workbook), not a CSV file. "
            "Unzip it and upload the .csv file inside, or upload the original export."
        )
    if data.startswith(_UTF16_BOMS):
        raise ImportFileError(
            "The file is saved as UTF-16 text, probably by a spreadsheet program. "
            f'Save it as "CSV UTF-8" instead. {REEXPORT_HINT}'
        )
    if _looks_binary(data[:8192]):
        raise ImportFileError(
            f"This is not a CSV text file (it contains binary data). {REEXPORT_HINT}"
        )
    nul = data.find(b"\x00")
    if nul != -1:  # deeper in the file than the sample: refused the same way, wherever it is
        line = data.count(b"\n", 0, nul) + 1
        raise ImportFileError(
            f"This is not a CSV text file (it contains binary data: a NUL byte on line "
            f"{line:,}). {REEXPORT_HINT}"
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ImportFileError(
            f"The file is not UTF-8 text: byte 0x{data[exc.start]:02X} on line {line} "
            "can't be read. It was probably re-saved by a spreadsheet program in another "
            f'encoding (such as Windows-1252). {REEXPORT_HINT} Or save it as "CSV UTF-8".'
        ) from None
    if text.lstrip()[:15].lower().startswith(("<!doctype html", "<html")):
        raise ImportFileError(f"This is a web page, not the CSV export. {REEXPORT_HINT}")
    return text


@dataclass(frozen=True, slots=True)
class CsvTable:
    """The header and the non-empty rows, each with its spreadsheet row number; ``cut``
    names, per row number, the columns whose cells were cut to :data:`MAX_CELL_LENGTH`."""

    header: tuple[str, ...]
    rows: tuple[tuple[int, dict[str, str]], ...]
    cut: Mapping[int, tuple[str, ...]] = field(default_factory=dict)

    def has(self, column: str) -> bool:
        return column in self.header

    @property
    def repeated(self) -> tuple[str, ...]:
        """Column names the header has more than once (empty names left out)."""
        seen: set[str] = set()
        twice: list[str] = []
        for name in self.header:
            if name and name in seen and name not in twice:
                twice.append(name)
            seen.add(name)
        return tuple(twice)

    def cut_notes(self, number: int) -> list[str]:
        """Notes for the row's cells that were cut."""
        return [
            f'the "{column[:40]}" cell is longer than {MAX_CELL_LENGTH:,} characters; '
            "the rest of it was left out"
            for column in self.cut.get(number, ())
        ]


def _clean_header(cells: list[str]) -> tuple[str, ...]:
    return tuple(cell.replace("\ufeff", "").strip() for cell in cells)


def read_table(text: str) -> CsvTable:
    """Parse CSV text (quoted fields may hold commas, quotes and line breaks).

    Row numbers are what a spreadsheet shows: the header is row 1. Blank rows are skipped;
    short rows are padded, cells beyond the header are ignored.
    """
    csv.field_size_limit(max(csv.field_size_limit(), MAX_IMPORT_BYTES))
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[tuple[int, dict[str, str]]] = []
    cut: dict[int, tuple[str, ...]] = {}
    header: tuple[str, ...] = ()
    number = 0
    try:
        for cells in reader:
            let_other_threads_run(number)
            number += 1
            if not header:
                header = _clean_header(cells)
                continue
            if not any(cell.strip() for cell in cells):
                continue
            if len(rows) >= MAX_IMPORT_ROWS:
                raise ImportFileError(
                    f"The file has more than {MAX_IMPORT_ROWS:,} books; that is the most one "
                    "import can take. Split it into smaller files (keep the header line)."
                )
            record = {name: (cells[i] if i < len(cells) else "") for i, name in enumerate(header)}
            long_cells = tuple(k for k, v in record.items() if len(v) > MAX_CELL_LENGTH)
            for column in long_cells:
                record[column] = record[column][:MAX_CELL_LENGTH]
            if long_cells:
                cut[number] = long_cells
            rows.append((number, record))
    except csv.Error as exc:
        raise ImportFileError(
            f"The file is not valid CSV near row {number + 1} ({exc}). {REEXPORT_HINT}"
        ) from None
    if len(header) <= 1 and header and any(sep in header[0] for sep in (";", "\t", "|")):
        raise ImportFileError(
            "The columns are separated by semicolons or tabs instead of commas, probably "
            f"because a spreadsheet program re-saved the file. {REEXPORT_HINT}"
        )
    return CsvTable(header, tuple(rows), cut)
