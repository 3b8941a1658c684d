"""What every CSV download of the site shares."""

from __future__ import annotations

# A cell starting with one of these is a formula to Excel and LibreOffice: a title such as
# `=HYPERLINK("https://…")`, typed by anyone who edits the content, would run in the
# spreadsheet of whoever opens the download (OWASP's "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> object:
    """A text cell that a spreadsheet shows as text: a leading `'` before a formula's first
    character (spreadsheets hide it). Numbers and other values are left as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
