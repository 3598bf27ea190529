"""What the user reads for each way a turn ends: a pure function, tested without fakes."""

from __future__ import annotations

from typing import Any

import pytest

from bot.backends import (
    TOOL_CALL_REFUSED,
    BackendMisconfigured,
    BackendRejected,
    BackendUnavailable,
    ConversationNotFound,
    TurnResult,
    TurnStatus,
)
from bot.engine.outcome import Outcome, describe, for_error
from bot.texts import ENGLISH as T
from bot.texts import render


def ending(status: TurnStatus, text: str = "", **fields: Any) -> Outcome:
    return describe(TurnResult(status, text=text, **fields), T, stopped=False, timeout_seconds=90)


def test_a_completed_answer_is_the_answer_and_nothing_else() -> None:
    assert ending(TurnStatus.COMPLETED, "Hi!") == Outcome(answer="Hi!")


@pytest.mark.parametrize("text", ["", "  \n "])
def test_an_empty_completed_answer_says_so(text: str) -> None:
    assert ending(TurnStatus.COMPLETED, text) == Outcome(notices=(T.answer_empty,))


@pytest.mark.parametrize(
    ("reason", "said"),
    [
        ("max_output_tokens", T.incomplete_length),
        ("content_filter", T.incomplete_content_filter),
        ("", T.incomplete_unknown),
        ("a <new> reason", "a &lt;new&gt; reason"),
    ],
)
def test_an_incomplete_answer_keeps_its_text_and_says_why(reason: str, said: str) -> None:
    outcome = ending(TurnStatus.INCOMPLETE, "Half", incomplete_reason=reason)

    assert outcome.answer == "Half"
    assert outcome.note == T.answer_incomplete.format(reason=said)
    assert outcome.notices == ()


def test_a_timed_out_answer_keeps_what_was_written_with_a_note() -> None:
    outcome = ending(TurnStatus.TIMED_OUT, "Partial")

    assert outcome == Outcome(answer="Partial", note=render(T.answer_timed_out_note, seconds=90))


def test_a_timed_out_turn_with_nothing_written_is_a_notice_offering_a_retry() -> None:
    assert ending(TurnStatus.TIMED_OUT) == Outcome(
        notices=(render(T.answer_timed_out, seconds="90"),), retry=True
    )


def test_a_stop_keeps_the_text_so_far_marked_stopped() -> None:
    result = TurnResult(TurnStatus.CANCELLED, text="So far")

    stopped = describe(result, T, stopped=True, timeout_seconds=90)

    assert stopped == Outcome(answer="So far", note=T.answer_stopped)
    assert describe(TurnResult(TurnStatus.CANCELLED), T, stopped=True, timeout_seconds=9) == (
        Outcome(notices=(T.answer_stopped,))
    )


def test_a_cancellation_nobody_asked_for_is_reported_as_such() -> None:
    assert ending(TurnStatus.CANCELLED, "x") == Outcome(notices=(T.answer_cancelled,), retry=True)


def test_a_refused_tool_call_and_a_failure_have_their_own_sentences() -> None:
    refused = ending(TurnStatus.FAILED, error_code=TOOL_CALL_REFUSED)

    assert refused == Outcome(notices=(T.answer_tool_call,))  # trying again would not help
    assert ending(TurnStatus.FAILED, error_code="server_error") == Outcome(
        notices=(T.answer_failed,), retry=True
    )


@pytest.mark.parametrize(
    ("error", "said", "retry"),
    [
        (BackendMisconfigured("401"), T.backend_misconfigured, False),  # the owner's to fix
        (BackendRejected("400"), T.backend_rejected, False),  # the same message would fail
        (BackendUnavailable("503"), T.backend_unavailable, True),
        (ConversationNotFound("gone twice"), T.backend_unavailable, True),
    ],
)
def test_a_turn_that_could_not_run_names_the_kind_of_trouble(
    error: BackendUnavailable | BackendMisconfigured | BackendRejected, said: str, retry: bool
) -> None:
    assert for_error(error, T) == Outcome(notices=(said,), retry=retry)


def test_an_outcome_survives_the_inbox_and_can_be_prefixed() -> None:
    outcome = Outcome(answer="A", notices=("n1",), note="(Stopped.)", retry=True).after("lost")

    assert Outcome.from_json(outcome.to_json()) == outcome
    assert outcome.notices == ("lost", "n1")
