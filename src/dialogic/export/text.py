"""Text as the line- and XML-based formats can hold it."""

from __future__ import annotations

import re

_LINE_BREAKS = re.compile(r"\s*[\r\n]+\s*")
# characters XML 1.0 cannot hold at all (ELAN and Word files are XML); tab, newline and CR can stay
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def one_line(text: str) -> str:
    """``text`` on one line: a blank line would end a cue, a paragraph or a CSV reader's row."""
    return _LINE_BREAKS.sub(" ", text)


def xml_safe(text: str) -> str:
    """``text`` with the characters XML cannot hold replaced by U+FFFD (shown as �), so that a
    stray control character in a transcript never makes an unreadable file."""
    return _NOT_XML.sub("\ufffd", text)
