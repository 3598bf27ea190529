"""The stages' decisions, without fakes: admitting, preparing and settling a turn."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.backends import BackendMisconfigured, FilePart, QuotaExhausted, TurnResult, TurnStatus
from bot.engine.outcome import Outcome
from bot.engine.pipeline.admit import Admission, language_of, over_budget, screen, turn_tools
from bot.engine.pipeline.prepare import instructions, turn_input
from bot.engine.pipeline.run import Ran
from bot.engine.pipeline.settle import settle, unanswered
from bot.media.reader import MediaRefused, ReadMedia
from bot.media.text_files import UNTRUSTED
from bot.personas import Persona
from bot.texts import ENGLISH as T
from bot.usage.budgets import BudgetHit
from bot.usage.meter import Reservation
from storage import (
    TOOLS,
    Attachment,
    ChatKey,
    InboxEntry,
    LedgerRow,
    StorageUnavailable,
    TokenUsage,
    Tool,
)

ALL_TOOLS: frozenset[Tool] = frozenset(TOOLS)
SEARCH_ONLY: frozenset[Tool] = frozenset({"web_search"})
CODE_ONLY: frozenset[Tool] = frozenset({"code_interpreter"})
TUTOR = Persona("tutor", "Tutor", "Teaches", "You teach.", tools=("code_interpreter",))


MESSAGE = InboxEntry(1, ChatKey(42), 7, private=True, text="hi", state="received")
LEDGER = LedgerRow(
    chat_id=42, message_id=7, topic_id=0, user_id=42, guest=False, conversation_id="conv_1",
    backend="responses", model="gpt-test", remote_id="resp_1", state="settled",
    source="reported", usage=TokenUsage(100, 20), cost_micros=1_230_000, priced=True,
    price_ref=None, day="D2026-12-06", month="M2026-12",
)  # fmt: skip


def entry(**fields: Any) -> InboxEntry:
    return replace(MESSAGE, **fields)


def ledger(**fields: Any) -> LedgerRow:
    return replace(LEDGER, **fields)


def ran(result: TurnResult | None = None, **fields: Any) -> Ran:
    base = Ran(result, None, "conv_1", history_lost=False, written="", started=True, stopped=False)
    return replace(base, **fields)


def admission(message: InboxEntry, max_output_tokens: int | None = None) -> Admission:
    reservation = Reservation(ledger(), max_output_tokens, {}, {}, ())
    return Admission(message, "en", TUTOR, reservation, ("code_interpreter",), True)


# -- admit ------------------------------------------------------------------------------------


def test_an_answer_kept_before_a_restart_is_delivered_again_before_anything_else() -> None:
    kept = Outcome(answer="42", notices=("a notice",))
    answered = entry(state="answered", reply=kept.to_json())

    assert screen(answered, T, media_refusal="no photos", quota_paused=True) == kept


def test_attachments_the_bot_cannot_read_are_refused_before_the_quota_is_considered() -> None:
    refused = screen(entry(), T, media_refusal="I can't read HEIC", quota_paused=True)

    assert refused == Outcome(notices=("I can't read HEIC",))


def test_a_paused_credit_refuses_new_turns_with_try_again_but_not_a_running_one() -> None:
    assert screen(entry(), T, media_refusal=None, quota_paused=True) == Outcome(
        notices=(T.quota_exhausted,), retry=True
    )
    assert screen(entry(state="running"), T, media_refusal=None, quota_paused=True) is None
    assert screen(entry(), T, media_refusal=None, quota_paused=False) is None


def test_a_budget_hit_is_the_sentence_and_only_the_bots_own_budget_tells_the_owner() -> None:
    resets = datetime(2026, 12, 7, tzinfo=UTC)
    per_user = BudgetHit("user", "day", 500_000, resets)
    total = BudgetHit("total", "month", 5_000_000, resets)

    assert over_budget(per_user, T).total_budget is None
    assert over_budget(total, T).total_budget == total
    [sentence] = over_budget(per_user, T).outcome.notices
    assert "2026-12-07 00:00" in sentence


def test_a_turn_uses_the_personas_tools_the_backend_offers_and_the_one_asked_for() -> None:
    assert turn_tools(TUTOR, ALL_TOOLS, None) == ("code_interpreter",)
    assert turn_tools(TUTOR, SEARCH_ONLY, None) == ()
    assert turn_tools(TUTOR, ALL_TOOLS, "image_generation") == (
        "code_interpreter",
        "image_generation",
    )
    assert turn_tools(TUTOR, CODE_ONLY, "image_generation") == (
        "code_interpreter",
    )  # /image where the backend cannot draw: not offered


def test_an_entry_from_before_languages_existed_is_english() -> None:
    assert language_of(entry(language="pt-BR")) == "pt-BR"
    assert language_of(entry(language="xx")) == "en"


# -- prepare ----------------------------------------------------------------------------------


async def no_earlier_files() -> tuple[FilePart, ...]:
    return ()


def test_the_request_carries_the_persona_the_language_and_the_budgets_cap() -> None:
    request = turn_input(
        admission(entry(language="es"), max_output_tokens=300),
        ReadMedia("hola"),
        no_earlier_files,
    )

    assert request.text == "hola"
    assert request.instructions == instructions("You teach.", "en")
    assert request.max_output_tokens == 300
    assert request.tools == ("code_interpreter",)


def test_a_turn_with_files_is_told_their_content_is_data_never_instructions() -> None:
    document = Attachment("text", "f1", "u1", 7, size=100, mime="text/plain", filename="a.txt")
    request = turn_input(
        admission(entry(attachments=(document,))), ReadMedia("x"), no_earlier_files
    )

    assert UNTRUSTED in request.instructions


def test_the_instructions_are_the_same_with_files_or_without_so_the_cache_holds() -> None:
    document = Attachment("text", "f1", "u1", 7, size=100, mime="text/plain", filename="a.txt")
    with_file = turn_input(
        admission(entry(attachments=(document,))), ReadMedia("x"), no_earlier_files
    )
    plain = turn_input(admission(entry()), ReadMedia("y"), no_earlier_files)

    assert with_file.instructions == plain.instructions


# -- settle -----------------------------------------------------------------------------------


def test_a_completed_turn_is_its_answer_with_the_pages_it_cites() -> None:
    result = TurnResult(
        TurnStatus.COMPLETED, text="Paris.", citations=(("Paris - Wikipedia", "https://w.org/p"),)
    )

    settled = settle(ran(result), ledger(), T, timeout_seconds=90, cost_footer=False)

    assert settled.outcome.answer.startswith("Paris.")
    assert "[Paris - Wikipedia](https://w.org/p)" in settled.outcome.answer
    assert settled.outcome.notices == ()


def test_a_lost_conversation_and_a_lost_sandbox_are_said_before_the_answer() -> None:
    result = TurnResult(TurnStatus.COMPLETED, text="Done.")
    lost = ran(result, history_lost=True, files_lost=True)

    settled = settle(lost, ledger(), T, timeout_seconds=90, cost_footer=False)

    assert settled.outcome.notices == (T.history_lost, T.container_expired)
    assert settled.outcome.answer == "Done."


def test_the_usage_footer_prices_the_answer_and_marks_an_estimate() -> None:
    result = TurnResult(TurnStatus.COMPLETED, text="Done.")

    exact = settle(ran(result), ledger(), T, timeout_seconds=90, cost_footer=True)
    estimated = settle(
        ran(result), ledger(source="estimated"), T, timeout_seconds=90, cost_footer=True
    )

    assert exact.outcome.note.endswith("$1.23</i>")
    assert "≈$1.23" in estimated.outcome.note


@pytest.mark.parametrize(
    ("error", "retry"),
    [(QuotaExhausted("insufficient_quota"), True), (BackendMisconfigured("401"), False)],
)
def test_a_turn_the_backend_could_not_run_says_why(error: Exception, retry: bool) -> None:
    settled = settle(ran(None, error=error), ledger(), T, timeout_seconds=90, cost_footer=True)

    assert settled.outcome.answer == "" and settled.outcome.notices
    assert settled.outcome.retry is retry
    assert settled.outcome.note == ""  # no answer, no footer


def test_a_message_that_could_not_be_answered_is_one_sentence() -> None:
    assert unanswered(MediaRefused("too big", "log", retry=True), T) == Outcome(
        notices=("too big",), retry=True
    )
    assert unanswered(StorageUnavailable("disk full"), T) == Outcome(
        notices=(T.storage_unavailable,)
    )
    assert unanswered(RuntimeError("bug"), T) == Outcome(notices=(T.internal_error,))
