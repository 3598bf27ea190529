"""Model Markdown → Telegram HTML, and an answer → message parts that each fit Telegram's limit.

Telegram's HTML accepts a handful of tags and rejects the whole message on anything else, so we
parse the Markdown properly (CommonMark, via markdown-it-py) and write only tags Telegram knows,
escaping everything else. Raw HTML from the model is shown as text, never passed through.
Never cut: where the parser would give up (Markdown nested deeper than it follows, and it drops
the rest silently), the text goes as it came, unformatted.
"""

from __future__ import annotations

import html
import logging
import re
from dataclasses import dataclass
from functools import cache

from markdown_it import MarkdownIt
from markdown_it.token import Token

from bot.rendering.splitting import split_markdown, utf16_len

logger = logging.getLogger(__name__)

SAFE_LINK = re.compile(r"^(https?://|tg://|mailto:)", re.IGNORECASE)
TAG = re.compile(r"<[^>]*>")
# markdown-it stops at this depth and drops the rest of the text. Its default, 20, is reached by
# an ordinary list ten levels deep; 100 is far past what anyone writes (a list 48 levels deep),
# and well inside Python's recursion limit.
MAX_NESTING = 100
INDENTED_LEVELS = 10  # deeper list items are indented no further: a chat is narrow


@dataclass(frozen=True, slots=True)
class MessagePart:
    """One Telegram message: formatted HTML, and the plain text to send if Telegram refuses it."""

    html: str
    plain: str


def format_answer(markdown: str, limit: int) -> list[MessagePart]:
    """Split an answer into parts whose visible text fits `limit`, each rendered to HTML."""
    parts: list[MessagePart] = []
    for chunk in split_markdown(markdown, limit):
        part = render_part(chunk)
        if utf16_len(part.plain) > limit and utf16_len(chunk) > 1:
            # Rendering grew the text (e.g. a padded table): split this chunk finer.
            parts.extend(format_answer(chunk, max(1, limit * 3 // 4)))
        elif part.plain.strip():
            parts.append(part)
        elif chunk.strip():
            parts.append(MessagePart(html=html.escape(chunk, quote=False), plain=chunk))
    return parts


def html_part(telegram_html: str) -> MessagePart:
    """One of the bot's own texts (already Telegram HTML) as a message part."""
    return MessagePart(html=telegram_html, plain=visible_text(telegram_html))


def with_note(parts: list[MessagePart], note: str, limit: int) -> list[MessagePart]:
    """The answer's parts closed by `note` (Telegram HTML) in italics: in the last part if it
    fits there, else as a part of its own."""
    if not note:
        return parts
    closing = html_part(f"<i>{note}</i>")
    if parts and utf16_len(parts[-1].plain) + 2 + utf16_len(closing.plain) <= limit:
        last = parts[-1]
        joined = MessagePart(f"{last.html}\n\n{closing.html}", f"{last.plain}\n\n{closing.plain}")
        return [*parts[:-1], joined]
    return [*parts, closing]


def preview_part(markdown: str, limit: int) -> MessagePart | None:
    """Markdown so far as Telegram HTML that always parses and fits one message; None while it
    shows nothing yet (an opening code fence, say): Telegram would show an empty draft as
    "Thinking…" in place of the text so far, and refuses an empty message."""
    part = render_part(markdown)
    if utf16_len(part.plain) > limit:  # rendering grew it (a padded table): show the plain tail
        tail = markdown[-(limit // 2) :]
        part = MessagePart(html=html.escape(tail, quote=False), plain=tail)
    return part if part.plain.strip() else None


def visible_text(telegram_html: str) -> str:
    """The text a user sees for a Telegram HTML message (what Telegram's length limit counts)."""
    return html.unescape(TAG.sub("", telegram_html))


def render_part(markdown: str) -> MessagePart:
    """Markdown as one message part: Telegram HTML, or the text as it came where the parser
    would not follow it to the end."""
    try:
        tokens = _parser().parse(markdown)
    except RecursionError:
        tokens = None
    if tokens is None or _reached_the_nesting_limit(tokens):
        logger.info(
            "Markdown nested too deep to format (%d characters): sent as text", len(markdown)
        )
        return MessagePart(html=_escape(markdown), plain=markdown)
    rendered = _HtmlWriter().render(tokens)
    return MessagePart(html=rendered, plain=visible_text(rendered))


def render_markdown(markdown: str) -> str:
    """Render Markdown to the HTML subset Telegram accepts (never dropping text)."""
    return render_part(markdown).html


@cache
def _parser() -> MarkdownIt:
    options = {"html": False, "maxNesting": MAX_NESTING}
    return MarkdownIt("commonmark", options).enable(["table", "strikethrough"])


def _reached_the_nesting_limit(tokens: list[Token]) -> bool:
    """Whether the parse may have stopped early: the deepest token is where markdown-it gives
    up (a text one level shallower also gets there, and is sent unformatted all the same)."""
    return any(token.level >= MAX_NESTING - 1 for token in tokens)


def _escape(text: str) -> str:
    return html.escape(text, quote=False)


class _HtmlWriter:
    """Walks markdown-it's token stream once, writing Telegram HTML."""

    def __init__(self) -> None:
        self._out: list[str] = []
        self._pending_newlines = 0
        self._lists: list[list[int]] = []  # per open list: [next number] or [] for bullets
        self._table: list[list[str]] | None = None
        self._quotes = 0  # open blockquotes: Telegram cannot nest them, so only one is written

    def render(self, tokens: list[Token]) -> str:
        index = 0
        while index < len(tokens):
            index = self._block(tokens, index)
        return "".join(self._out).strip("\n")

    # -- blocks -------------------------------------------------------------------------------

    def _block(self, tokens: list[Token], index: int) -> int:
        token = tokens[index]
        kind = token.type
        if kind == "inline":
            if self._table is not None:
                self._table[-1].append(visible_text(self._inline(token.children or [])))
            else:
                self._write(self._inline(token.children or []))
        elif kind == "paragraph_close" and not token.hidden:
            self._separate(2)
        elif kind == "heading_open":
            self._write("<b>")
        elif kind == "heading_close":
            self._out.append("</b>")
            self._separate(2)
        elif kind in ("bullet_list_open", "ordered_list_open"):
            start = int(token.attrs.get("start", 1) or 1) if kind == "ordered_list_open" else None
            self._lists.append([] if start is None else [start])
            self._separate(1)
        elif kind in ("bullet_list_close", "ordered_list_close"):
            self._lists.pop()
            self._separate(1 if self._lists else 2)
        elif kind == "list_item_open":
            self._separate(1)
            depth = min(len(self._lists) - 1, INDENTED_LEVELS)
            self._write("  " * depth + self._list_marker(token))
        elif kind == "list_item_close":
            self._separate(1)
        elif kind == "blockquote_open":
            self._quotes += 1
            if self._quotes == 1:
                self._write("<blockquote>")
            elif self._out[-1] != "<blockquote>":  # a quote in a quote: a line of its own
                self._separate(1)
        elif kind == "blockquote_close":
            self._quotes -= 1
            if self._quotes == 0:
                self._trim_trailing_newlines()
                self._out.append("</blockquote>")
            self._separate(2)
        elif kind in ("fence", "code_block"):
            self._code_block(token)
        elif kind == "hr":
            self._write("——————")
            self._separate(2)
        elif kind == "html_block":
            self._write(_escape(token.content.rstrip("\n")))
            self._separate(2)
        elif kind == "table_open":
            self._table = []
        elif kind == "tr_open" and self._table is not None:
            self._table.append([])
        elif kind == "table_close":
            self._write_table()
        return index + 1

    def _list_marker(self, token: Token) -> str:
        numbers = self._lists[-1] if self._lists else []
        if not numbers:
            return "• "
        if token.info.isdigit():  # as the model wrote it ("007." stays "007.")
            numbers[0] = int(token.info) + 1
            return f"{token.info}. "
        number = numbers[0]
        numbers[0] = number + 1
        return f"{number}. "

    def _code_block(self, token: Token) -> None:
        words = (token.info or "").split(maxsplit=1)
        language = words[0] if words else ""
        code = _escape(token.content.rstrip("\n"))
        if language and re.fullmatch(r"[\w#+.-]{1,32}", language):
            self._write(f'<pre><code class="language-{language}">{code}</code></pre>')
        else:
            self._write(f"<pre>{code}</pre>")
        self._separate(2)

    def _write_table(self) -> None:
        rows = self._table or []
        self._table = None
        if not rows:
            return
        columns = max(len(row) for row in rows)
        widths = [max(len(row[c]) if c < len(row) else 0 for row in rows) for c in range(columns)]
        lines = [
            " | ".join(
                (row[c] if c < len(row) else "").ljust(widths[c]) for c in range(columns)
            ).rstrip()
            for row in rows
        ]
        lines.insert(1, "-+-".join("-" * w for w in widths))
        self._write(f"<pre>{_escape(chr(10).join(lines))}</pre>")
        self._separate(2)

    # -- inline -------------------------------------------------------------------------------

    def _inline(self, children: list[Token]) -> str:
        out: list[str] = []
        links: list[bool] = []  # whether each open link was written as <a>
        for child in children:
            kind = child.type
            if kind == "text":
                out.append(_escape(child.content))
            elif kind in ("softbreak", "hardbreak"):
                out.append("\n")
            elif kind == "code_inline":
                out.append(f"<code>{_escape(child.content)}</code>")
            elif kind == "strong_open":
                out.append("<b>")
            elif kind == "strong_close":
                out.append("</b>")
            elif kind == "em_open":
                out.append("<i>")
            elif kind == "em_close":
                out.append("</i>")
            elif kind == "s_open":
                out.append("<s>")
            elif kind == "s_close":
                out.append("</s>")
            elif kind == "link_open":
                href = str(child.attrs.get("href", ""))
                safe = bool(SAFE_LINK.match(href))
                links.append(safe)
                if safe:
                    out.append(f'<a href="{html.escape(href, quote=True)}">')
            elif kind == "link_close":
                if links and links.pop():
                    out.append("</a>")
            elif kind == "image":
                src = str(child.attrs.get("src", ""))
                label = _escape(child.content or src)
                if SAFE_LINK.match(src):
                    out.append(f'<a href="{html.escape(src, quote=True)}">{label}</a>')
                else:
                    out.append(label)
            else:  # text-like tokens, and raw HTML, which is shown as text
                out.append(_escape(child.content))
        return "".join(out)

    # -- output -------------------------------------------------------------------------------

    def _write(self, text: str) -> None:
        if self._out and self._pending_newlines:
            self._out.append("\n" * self._pending_newlines)
        self._pending_newlines = 0
        self._out.append(text)

    def _separate(self, newlines: int) -> None:
        self._pending_newlines = max(self._pending_newlines, newlines)

    def _trim_trailing_newlines(self) -> None:
        self._pending_newlines = 0
