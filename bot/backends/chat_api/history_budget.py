"""Fit a local conversation into the model's context window: persona + newest turns that fit.

Token counts are estimated as UTF-8 bytes ÷ 3 plus a few tokens of per-message overhead. That
overestimates English (about 4 characters a token) by a third and is close for scripts such as
CJK (3 bytes, about one token), so trimmed history always fits — without a tokenizer, which would
have to download its vocabulary at run time and know every local model's vocabulary.
"""

from __future__ import annotations

from storage import HistoryMessage

MESSAGE_OVERHEAD = 4
SAFETY_MARGIN = 64


def estimate_tokens(text: str) -> int:
    return -(-len(text.encode("utf-8")) // 3) + MESSAGE_OVERHEAD


def prompt_budget(context_tokens: int, max_output_tokens: int | None) -> int:
    """Tokens left for the prompt once the answer's room and a margin are set aside."""
    reserve = max_output_tokens or min(1024, context_tokens // 4)
    return max(0, context_tokens - reserve - SAFETY_MARGIN)


def fit_history(
    system: str, history: list[HistoryMessage], user: str, budget: int
) -> list[HistoryMessage]:
    """The newest whole exchanges of `history` that fit beside the system and user messages.

    The system message and the new user message are always kept, even over budget (the server
    then says the message is too long, and the user is told). Older turns are dropped first,
    a user message together with the answer that followed it.
    """
    remaining = budget - estimate_tokens(system) - estimate_tokens(user)
    kept: list[HistoryMessage] = []
    for message in reversed(history):
        cost = estimate_tokens(message.content)
        if cost > remaining:
            break
        kept.append(message)
        remaining -= cost
    kept.reverse()
    while kept and kept[0].role != "user":  # never start mid-exchange
        kept.pop(0)
    return kept
