"""Cells that a spreadsheet must not run: one rule for every file we write and read back.

A spreadsheet treats a cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return)
as a formula, so text from the data (a cohort called ``=HYPERLINK(...)``) could run when an exported
file is opened. Such text is written with a leading apostrophe, which spreadsheets read as "this is
text". Text that already starts with an apostrophe gets one more, so that reading a file we wrote
(:func:`from_spreadsheet_text`) gives back exactly the original text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # a page that only checks a name needs no pandas
    import pandas as pd

FORMULA_START: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
_ESCAPED = "^'[=+\\-@\t\r']"


def spreadsheet_safe(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe; other values pass."""
    if isinstance(value, str) and value.startswith((*FORMULA_START, "'")):
        return "'" + value
    return value


def from_spreadsheet_text(column: pd.Series) -> pd.Series:
    """Undo :func:`spreadsheet_safe` on a text column read from a file (other text is unchanged)."""
    escaped = column.str.contains(_ESCAPED, regex=True, na=False)
    if not escaped.any():
        return column
    return column.where(~escaped, column.str.slice(1))
