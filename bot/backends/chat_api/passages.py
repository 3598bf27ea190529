"""Retrieval in the bot, for servers without file search: documents cut into passages, their
embeddings compared with the question's, the closest passages put before the question.

Pure: the embedding calls and the index's storage are `retrieval.py`'s.
"""

from __future__ import annotations

import math
import operator
import re
from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field

PASSAGE_CHARS = 1_200  # about 300 tokens: a paragraph or a few, never cut mid-paragraph
TOP = 4  # passages put before a question, at most
RELATIVE = 0.5  # and only those at least this share as near as the nearest
# Read as text by the bot: what file search reads, less the formats it would need a library
# to open (PDF, Word, PowerPoint).
TEXT_DOCUMENTS = frozenset(
    {
        ".c", ".cpp", ".cs", ".css", ".go", ".html", ".java", ".js", ".json", ".md", ".php",
        ".py", ".rb", ".sh", ".tex", ".ts", ".txt",
    }
)  # fmt: skip
HEADING = (
    "Passages from your documents that may help (cite the file names you use; ignore them if "
    "they do not answer the question):"
)


@dataclass(frozen=True, slots=True)
class Passage:
    path: str  # the document's path in its folder
    text: str
    vector: array[float] = field(repr=False)  # unit length


def passages_of(text: str, most: int = PASSAGE_CHARS) -> list[str]:
    """The text in passages of at most `most` characters, cut between paragraphs (a paragraph
    longer than that is cut between lines, then anywhere)."""
    pieces: list[str] = []
    for paragraph in re.split(r"\n\s*\n", text):
        paragraph = paragraph.strip()
        while len(paragraph) > most:
            cut = paragraph.rfind("\n", 0, most)
            cut = cut if cut > most // 2 else most
            pieces.append(paragraph[:cut].strip())
            paragraph = paragraph[cut:].strip()
        if paragraph:
            pieces.append(paragraph)
    found: list[str] = []
    for piece in pieces:
        if found and len(found[-1]) + len(piece) + 2 <= most:
            found[-1] = f"{found[-1]}\n\n{piece}"
        else:
            found.append(piece)
    return found


def unit(values: Sequence[float]) -> array[float]:
    """The vector scaled to length 1 (a zero vector stays zero): cosine is then a dot."""
    norm = math.sqrt(math.fsum(v * v for v in values)) or 1.0
    return array("f", (v / norm for v in values))


def closest(question: array[float], passages: Sequence[Passage], top: int = TOP) -> list[Passage]:
    """At most `top` passages nearest the question (cosine), nearest first: those at least
    half as near as the nearest (the others would be noise the model reads and is billed)."""
    scored = sorted(
        ((sum(map(operator.mul, question, p.vector)), p) for p in passages),
        key=lambda pair: -pair[0],
    )
    best = scored[0][0] if scored else 0.0
    return [p for score, p in scored[:top] if score > 0 and score >= best * RELATIVE]


def with_passages(question: str, found: Sequence[Passage]) -> str:
    """The user's message, after the passages found for it (each named by its document)."""
    if not found:
        return question
    quoted = "\n\n".join(f"[{p.path}]\n{p.text}" for p in found)
    return f"{HEADING}\n\n{quoted}\n\n---\n\n{question}"


def cited(found: Sequence[Passage]) -> tuple[tuple[str, str], ...]:
    """The documents the passages came from, once each, as an answer's sources."""
    return tuple((path, "") for path in dict.fromkeys(p.path for p in found))
