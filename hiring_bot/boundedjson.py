"""JSON from strangers: a nesting limit checked before parsing, so depth never reaches recursion.

``json.loads`` recurses once per level; a body of 1,000 ``[`` raises RecursionError, and every
walker of the parsed value would recurse as deep. Real payloads (Slack's, the careers form's) nest
a handful of levels, so anything deeper is refused before it is parsed.
"""

from __future__ import annotations

import json
import re
from typing import Any

MAX_DEPTH = 32

# A JSON string literal, unrolled so a multi-megabyte base64 string is one cheap match.
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")


class JSONRefused(ValueError):
    """The text is not JSON we accept; ``str()`` is a reason fit to send back."""


def nesting_depth(text: str) -> int:
    """The deepest array/object nesting in ``text`` (brackets inside strings do not count)."""
    depth = deepest = 0
    for match in _BRACKET.finditer(_STRING.sub('""', text)):
        if match.group() in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def loads(text: str | bytes, *, max_depth: int = MAX_DEPTH) -> Any:
    """``json.loads`` that refuses undecodable bytes, bad JSON and deep nesting with JSONRefused."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise JSONRefused("the body is not UTF-8") from None
    if nesting_depth(text) > max_depth:
        raise JSONRefused(f"the JSON is nested deeper than {max_depth} levels")
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        raise JSONRefused("the body is not valid JSON") from None
