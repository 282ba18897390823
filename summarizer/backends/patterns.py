"""Regex alternations that the regex engine can scan fast. No I/O.

Python's re skips ahead to the characters that can open a match only when every top-level
alternative of a pattern opens with a literal. The genre's label unions often open with a class
("[“"”]三公") or are joined as one group per pattern, so the engine tried every alternative at
every character. These helpers rewrite such a pattern, from its own source, into alternatives
that open with literals and match exactly as before (tests/test_fast_paths_extract.py holds every
rewritten genre pattern to the original's matches).
"""

from __future__ import annotations

import re


def branches(pattern: str) -> list[str]:
    """A regex source split at its top-level "|" (not inside brackets, a class or an escape)."""
    found, depth, class_start, escaped, current = [], 0, -1, False, []
    for index, char in enumerate(pattern):
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif class_start >= 0:
            # "]" right after "[" or "[^" is a literal, not the class's end.
            if char == "]" and index > class_start + 1 and pattern[class_start + 1 : index] != "^":
                class_start = -1
        elif char == "[":
            class_start = index
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            found.append("".join(current))
            current = []
            continue
        current.append(char)
    found.append("".join(current))
    return found


# A class of plain characters (no range, negation, escape or nested class) opening an alternative,
# and what follows it when that is not a quantifier of the class.
_CLASS_OPENING = re.compile(r"\[([^\]\[\\^-]+)\]((?![*+?{]).*)", re.DOTALL)


def literal_openings(alternatives: list[str]) -> list[str]:
    """Top-level alternatives with each one that opens with a class of plain characters written as
    one alternative per character, in order ("[“"”]三公" -> "“三公", "\"三公", "”三公"). Joined by "|"
    they match exactly as before; when every alternative opens with a literal character, the regex
    engine skips to the characters that can open a match instead of trying every alternative at
    every position (an alternative opening with a class or a group stops that)."""
    opened = []
    for branch in alternatives:
        opening = _CLASS_OPENING.fullmatch(branch)
        if opening is None:
            opened.append(branch)
        else:
            opened.extend(re.escape(char) + opening.group(2) for char in opening.group(1))
    return opened


def fast(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """`pattern` with its alternatives opening with literals (`literal_openings`): the same matches."""
    if pattern.flags != re.UNICODE or pattern.groups:
        return pattern  # a verbose or case-folding pattern reads its source otherwise; copies renumber groups
    return re.compile("|".join(literal_openings(branches(pattern.pattern))))


def any_of(patterns: list[re.Pattern[str]]) -> re.Pattern[str] | None:
    """One regex that matches somewhere exactly when one of `patterns` does: their alternatives
    joined, opening with literals (`literal_openings`). None when a pattern has groups or flags:
    joined, a backreference would point at another pattern's group."""
    if not all(pattern.groups == 0 and pattern.flags == re.UNICODE for pattern in patterns):
        return None
    return re.compile("|".join(literal_openings([branch for pattern in patterns for branch in branches(pattern.pattern)])))
