"""Markdown that renders as intended (CommonMark + GFM tables): observed values may hold
backticks, pipes, ANSI escapes and newlines, and must show as they were, not break the page."""
from __future__ import annotations

import json
import re
from typing import Any

_CONTROL = re.compile("[\x00-\x1f\x7f]")
_CONTROL_BUT_LINES = re.compile("[\x00-\x08\x0b-\x1f\x7f]")  # all but tab and newline


def _picture(match) -> str:
    code = ord(match.group(0))
    return "\u2421" if code == 0x7F else chr(0x2400 + code)  # Unicode "control pictures": ESC -> ␛, LF -> ␊


def visible(text: str, keep_lines: bool = False) -> str:
    """Control characters as their Unicode control pictures (ESC -> ␛, newline -> ␊, tab -> ␉),
    so an ANSI escape or a line break in a message is seen, one symbol each, not lost. With
    ``keep_lines`` (text shown on several lines, e.g. in a code block) tab and newline stay."""
    return (_CONTROL_BUT_LINES if keep_lines else _CONTROL).sub(_picture, text)


def _visible_value(value: Any) -> Any:
    if isinstance(value, str):
        return visible(value)
    if isinstance(value, dict):
        return {visible(str(k)): _visible_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_visible_value(v) for v in value]
    return value


def value_text(value: Any, limit: int = 0) -> str:
    """A recorded value as one line of text: strings as they are, other JSON as JSON; control
    characters made visible; cut at ``limit`` characters (0: never) with an ellipsis."""
    if isinstance(value, str):
        text = visible(value)
    else:
        text = json.dumps(_visible_value(value), ensure_ascii=False, sort_keys=True)
    return text if not limit or len(text) <= limit else text[:limit] + "…"


def code(text: str) -> str:
    """``text`` as an inline code span that CommonMark renders back to exactly ``text``: the fence
    is one backtick longer than the longest run inside, padded with a space where the text
    starts or ends with a backtick (or with a space on both sides)."""
    text = visible(text)
    runs = [len(r) for r in re.findall("`+", text)]
    fence = "`" * ((max(runs) if runs else 0) + 1)
    pad = " " if (text.startswith("`") or text.endswith("`")
                  or (text.startswith(" ") and text.endswith(" ") and text.strip())) else ""
    return fence + pad + text + pad + fence


def cell(text: str) -> str:
    """Text for a GFM table cell: pipes escaped (also inside code spans), no raw line breaks."""
    return visible(text).replace("|", "\\|")


def value_code(value: Any, limit: int = 0) -> str:
    """A recorded value as a code span, or ``(nothing)`` when absent."""
    return "(nothing)" if value is None else code(value_text(value, limit))
