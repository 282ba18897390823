"""Text formatting shared by the renderers: ordinals and dates in words, one-line text, and the
escaping that keeps outputs inert (Markdown escapes, XML-illegal characters, table cells).
Pure functions; no templates, no I/O.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from markupsafe import Markup

_CN_DIGITS = "零一二三四五六七八九"


def cn_index(n: int) -> str:
    """1 -> 一, 12 -> 十二: ordinals in the narrative are words, so they are not numbers."""
    if n < 10:
        return _CN_DIGITS[n]
    if n >= 100:  # a hundred items and more: digits (the cap on listed items keeps this rare)
        return str(n)
    tens, ones = divmod(n, 10)
    head = "" if tens == 1 else _CN_DIGITS[tens]
    return f"{head}十{_CN_DIGITS[ones] if ones else ''}"


def cn_date(value: date | None) -> str:
    return f"{value.year}年{value.month}月{value.day}日" if value else ""


def one_line(text: str | None) -> str:
    return " ".join((text or "").split())


_LIST_MARK = re.compile(r"^\s*[-*+•]\s+")


def item_text(text: str | None) -> str:
    """A stated item on one line, without the list marker the source put before it."""
    return _LIST_MARK.sub("", one_line(text))


def md_cell(text: Any) -> str:
    cell = one_line(str(text)).replace("|", "｜")
    return Markup(cell) if isinstance(text, Markup) else cell  # already escaped stays escaped


# Characters XML 1.0 cannot hold (C0 controls but tab/LF/CR, lone surrogates, U+FFFE/U+FFFF):
# openpyxl and python-docx refuse them, so one \x07 in a unit name would sink the whole batch.
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: str) -> str:
    """Text without the characters XML cannot hold (removed: they are invisible controls)."""
    return XML_ILLEGAL.sub("", text)


# Markdown punctuation that can make report text markup: raw HTML and autolinks (< >), links and
# images ([ ]), code (`), emphasis (*), entities (&) and the escape itself (\). Escaped with a
# backslash (CommonMark: any ASCII punctuation may be), so a renderer shows the report's text as
# text: <script>, <img onerror> and [x](javascript:) in a report stay inert in NAME.md. "_" is
# left alone: file names and rule ids are full of it, and it cannot make markup live.
_MD_SPECIAL = re.compile(r"([\\`*\[\]<>&])")
_MD_ESCAPED = re.compile(r"\\([\\`*\[\]<>&])")


def md_escape(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", text)


def md_unescape(text: str) -> str:
    return _MD_ESCAPED.sub(r"\1", text)
