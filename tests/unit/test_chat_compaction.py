"""When the chat backend compacts a conversation, and what it asks: pure decisions."""

from __future__ import annotations

from bot.backends.chat_api.compaction import (
    MIN_FOLDED,
    SUMMARY_HEADING,
    plan,
    split_summary,
    system_message,
)
from bot.backends.chat_api.history_budget import estimate_tokens
from storage import HistoryMessage


def exchanges(count: int, size: int = 300) -> list[HistoryMessage]:
    history = []
    for n in range(count):
        history.append(HistoryMessage("user", f"question {n} " + "q" * size))
        history.append(HistoryMessage("assistant", f"answer {n} " + "a" * size))
    return history


def test_a_conversation_within_the_budget_is_left_alone() -> None:
    assert plan("Be kind.", None, exchanges(3), "hi", budget=5000) is None


def test_past_the_budget_the_oldest_turns_are_folded_and_the_newest_kept_word_for_word() -> None:
    history = exchanges(12)
    wanted = plan("Be kind.", None, history, "hi", budget=2000)

    assert wanted is not None
    kept = history[wanted.folded :]
    assert kept and kept[0].role == "user"  # the kept part starts an exchange
    assert sum(estimate_tokens(m.content) for m in kept) <= 500  # a quarter of the budget
    assert wanted.transcript.startswith("User: question 0")
    assert "Assistant: answer 0" in wanted.transcript
    assert f"question {wanted.folded // 2} " not in wanted.transcript
    assert wanted.max_tokens == 500


def test_too_little_to_fold_is_not_worth_a_call() -> None:
    # Over the budget, but only three exchanges could be folded: trim as at the window instead.
    history = exchanges(3, size=800)
    assert sum(estimate_tokens(m.content) for m in history) > 1500
    assert plan("Be kind.", None, history, "hi", budget=1500) is None
    assert plan("Be kind.", None, exchanges(2 * MIN_FOLDED), "hi", budget=1500) is not None


def test_a_new_pass_starts_from_the_summary_so_far() -> None:
    wanted = plan("Be kind.", "Alice has a dog, Pixel.", exchanges(12), "hi", budget=2000)

    assert wanted is not None
    assert wanted.transcript.startswith("Summary so far: Alice has a dog, Pixel.\nUser: ")


def test_the_summary_rides_in_the_one_system_message_after_the_persona() -> None:
    stored = [HistoryMessage("summary", "Alice has a dog."), *exchanges(1)]
    summary, history = split_summary(stored)

    assert summary == "Alice has a dog." and history == stored[1:]
    assert system_message("Be kind.", summary) == f"Be kind.\n\n{SUMMARY_HEADING}\nAlice has a dog."
    assert system_message("Be kind.", None) == "Be kind."
    assert split_summary(exchanges(1)) == (None, exchanges(1))


def test_long_messages_are_quoted_in_part() -> None:
    history = [
        HistoryMessage("user", "x" * 10_000),
        HistoryMessage("assistant", "y"),
        *exchanges(8),
    ]
    wanted = plan("Be kind.", None, history, "hi", budget=2000)

    assert wanted is not None
    assert len(wanted.transcript.splitlines()[0]) < 2100
