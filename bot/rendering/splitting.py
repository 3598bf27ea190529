"""Split a long Markdown answer into chunks that each fit one Telegram message — never cut.

Splits fall on paragraph boundaries, then line boundaries, then spaces; a fenced code block that
must be split is closed at the cut and reopened (same language) in the next chunk. Lengths are
counted in UTF-16 code units, as Telegram counts them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})(.*)$")


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@dataclass(frozen=True, slots=True)
class _Block:
    text: str
    fence: str | None = None  # the opening fence line when the block is fenced code


def split_markdown(text: str, limit: int) -> list[str]:
    """Chunks of at most `limit` UTF-16 units whose concatenation keeps every visible character."""
    text = text.strip("\n")
    if utf16_len(text) <= limit:
        return [text] if text.strip() else []
    pieces = [piece for block in _blocks(text) for piece in _fit_block(block, limit)]
    return _pack(pieces, limit, "\n\n")


def _blocks(text: str) -> list[_Block]:
    """Paragraphs (separated by blank lines) and whole fenced code blocks."""
    blocks: list[_Block] = []
    lines: list[str] = []
    fence: str | None = None
    fence_marker = ""

    def flush(fence_line: str | None = None) -> None:
        if lines:
            blocks.append(_Block("\n".join(lines), fence_line))
            lines.clear()

    for line in text.split("\n"):
        match = FENCE.match(line)
        if fence is None:
            if match:
                flush()
                fence, fence_marker = line, match.group(1)
                lines.append(line)
            elif line.strip():
                lines.append(line)
            else:
                flush()
        else:
            lines.append(line)
            if match and match.group(1).startswith(fence_marker) and _is_closing_fence(line):
                flush(fence)
                fence = None
    flush(fence)  # an unclosed fence runs to the end, as in CommonMark
    return blocks


def _fit_block(block: _Block, limit: int) -> list[str]:
    if utf16_len(block.text) <= limit:
        return [block.text]
    if block.fence is not None:
        return _split_code_block(block, limit)
    return _pack(_split_lines(block.text.split("\n"), limit), limit, "\n")


def _split_code_block(block: _Block, limit: int) -> list[str]:
    opening = block.fence or "```"
    marker = FENCE.match(opening)
    closing = marker.group(1) if marker else "```"
    lines = block.text.split("\n")[1:]
    if lines and _is_closing_fence(lines[-1]):
        lines = lines[:-1]
    overhead = utf16_len(opening) + utf16_len(closing) + 2
    if overhead > limit // 2:  # a fence too long to repeat in every part: split as plain lines
        return _pack(_split_lines(block.text.split("\n"), limit), limit, "\n")
    bodies = _pack(_split_lines(lines, limit - overhead), limit - overhead, "\n")
    return [f"{opening}\n{body}\n{closing}" for body in bodies]


def _is_closing_fence(line: str) -> bool:
    match = FENCE.match(line)
    return bool(match and not match.group(2).strip())


def _split_lines(lines: list[str], limit: int) -> list[str]:
    """Lines, with any line longer than `limit` broken at spaces (or hard, if it has none)."""
    out: list[str] = []
    for line in lines:
        while utf16_len(line) > limit:
            cut = _cut_point(line, limit)
            out.append(line[:cut].rstrip(" "))
            line = line[cut:].lstrip(" ")
        out.append(line)
    return out


def _cut_point(line: str, limit: int) -> int:
    """The largest index ≤ limit UTF-16 units, at a space if one is in the second half."""
    end = 0
    units = 0
    for index, char in enumerate(line):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > limit:
            break
        end = index + 1
    space = line.rfind(" ", 0, end + 1)
    return space if space > end // 2 else max(end, 1)


def _pack(pieces: list[str], limit: int, joiner: str) -> list[str]:
    """Join consecutive pieces while they fit (lengths added up, not re-measured: linear time)."""
    chunks: list[str] = []
    current: list[str] = []
    size = 0
    for piece in pieces:
        piece_size = utf16_len(piece)
        joined = size + utf16_len(joiner) + piece_size if current else piece_size
        if current and joined > limit:
            chunks.append(joiner.join(current))
            current, size = [piece], piece_size
        else:
            current.append(piece)
            size = joined
    if current:
        chunks.append(joiner.join(current))
    return chunks
