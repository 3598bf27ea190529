"""When the chat backend compacts a conversation, and what it asks the model: past the budget,
the oldest turns (and the summary of those before them) become one summary written by the model
itself, sent in the system message; the newest turns stay word for word.

Pure decisions, unit-tested; the call and the storage are `compactor`'s. Bounded: a pass folds
at least `MIN_FOLDED` exchanges and keeps the newest that fit a quarter of the budget, so the
next pass is most of a budget of talk away (each pass rewrites the prompt's cached start, so
rarer passes are cheaper: measured by `bench/long_chat.py`), and asks for at most a quarter of
the budget back.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.backends.chat_api.history_budget import estimate_tokens
from storage import HistoryMessage

MIN_FOLDED = 4  # exchanges a pass summarises at least (fewer: the oldest are left out instead)
KEPT_SHARE = 4  # a pass keeps word for word the newest turns that fit budget / KEPT_SHARE
QUOTED_CHARS = 2000  # of each message, in what the model is asked to summarise
SUMMARY_HEADING = "Earlier in this conversation (your summary of it):"
SUMMARY_INSTRUCTIONS = (
    "You keep the memory of a long chat. Summarise the conversation below in the language it "
    "is written in, in at most {words} words of plain notes, no preamble. Keep every fact people "
    "stated about themselves and others (names, preferences, dates, plans, decisions), what was "
    "asked and answered, and anything still open. Start from the summary so far, if there is one."
)


@dataclass(frozen=True, slots=True)
class CompactionPlan:
    folded: int  # the oldest messages the summary replaces
    instructions: str  # the summarising request's system message
    transcript: str  # what it is asked to summarise
    max_tokens: int  # the summary's length, at most


def split_summary(history: list[HistoryMessage]) -> tuple[str | None, list[HistoryMessage]]:
    """The stored summary (first, if a pass made one) and the messages after it."""
    if history and history[0].role == "summary":
        return history[0].content, history[1:]
    return None, history


def system_message(instructions: str, summary: str | None) -> str:
    """The persona's instructions, then what the summary kept: one system message, as every
    chat template takes (some refuse a second one, or one that is not first)."""
    return f"{instructions}\n\n{SUMMARY_HEADING}\n{summary}" if summary else instructions


def plan(
    instructions: str, summary: str | None, history: list[HistoryMessage], user: str, budget: int
) -> CompactionPlan | None:
    """What to summarise, or None while the turn's prompt fits `budget` (or too little would
    be folded to be worth a call: the oldest messages are then left out, as at the window)."""
    sizes = [estimate_tokens(m.content) for m in history]
    system = system_message(instructions, summary)
    if estimate_tokens(system) + sum(sizes) + estimate_tokens(user) <= budget:
        return None
    kept, room = 0, budget // KEPT_SHARE
    for size in reversed(sizes):
        if size > room:
            break
        kept, room = kept + 1, room - size
    folded = len(history) - kept
    while folded < len(history) and history[folded].role != "user":
        folded += 1  # the newest kept start with the user, as an exchange does
    if folded < 2 * MIN_FOLDED:
        return None
    lines = [f"Summary so far: {summary}"] if summary else []
    lines += [f"{m.role.title()}: {m.content[:QUOTED_CHARS]}" for m in history[:folded]]
    words = max(60, budget // 8)
    return CompactionPlan(
        folded=folded,
        instructions=SUMMARY_INSTRUCTIONS.format(words=words),
        transcript="\n".join(lines),
        max_tokens=max(256, budget // 4),
    )
