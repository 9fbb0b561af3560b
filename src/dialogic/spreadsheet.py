"""Cells a spreadsheet will not run as a formula (CSV injection).

A transcript is what people said, and people say things like ``=HYPERLINK("http://x", "click")``
or ``+cmd|' /C calc'!A0``. Excel, LibreOffice and Google Sheets run a cell that starts with
``=``, ``+``, ``-`` or ``@`` (and, after a leading tab or carriage return, whatever follows) as a
formula. Following OWASP's rule for CSV injection (owasp.org/www-community/attacks/CSV_Injection),
every CSV/TSV dialogic writes puts a single quote before such a cell, so that the spreadsheet
shows it as text; the quote is the only change. A plain number (``-1.5``, ``+3``) is left as is.
"""

from __future__ import annotations

import re

import polars as pl

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


def safe_cell(text: str) -> str:
    """``text`` with a ``'`` in front when a spreadsheet would read it as a formula."""
    if text.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.match(text):
        return "'" + text
    return text


def safe_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with `safe_cell` applied to every text column."""
    text_columns = [name for name, dtype in frame.schema.items() if dtype == pl.String]
    if not text_columns:
        return frame
    return frame.with_columns(
        pl.col(name).map_elements(safe_cell, return_dtype=pl.String, skip_nulls=True) for name in text_columns
    )
