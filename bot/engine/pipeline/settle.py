"""Settle: what the user reads for a turn, and for a message that could not be answered. Pure.

The ledger row is the meter's (usage/meter.py `settle`); here it only prices the footer.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from bot.engine.outcome import Outcome, describe, for_error, with_sources
from bot.engine.pipeline.run import Ran
from bot.media.reader import MediaRefused
from bot.texts import Texts
from bot.usage.notices import with_cost
from storage import LedgerRow, StorageUnavailable


@dataclass(frozen=True, slots=True)
class Settled:
    """The turn's reply, and its row for the ledger."""

    outcome: Outcome
    ledger: LedgerRow


def settle(
    ran: Ran, ledger: LedgerRow, texts: Texts, *, timeout_seconds: float, cost_footer: bool
) -> Settled:
    """The answer with what to say about its ending: a lost sandbox's files, the web pages it
    cites, a conversation the server had lost, and (USAGE_FOOTER) its cost."""
    if ran.result is None:
        assert ran.error is not None  # a turn has a result or the reason it has none
        outcome = for_error(ran.error, texts)
    else:
        outcome = describe(ran.result, texts, stopped=ran.stopped, timeout_seconds=timeout_seconds)
        if ran.files_lost:
            outcome = outcome.after(texts.container_expired)
        if ran.result.citations and outcome.answer:
            answer = with_sources(outcome.answer, ran.result.citations, texts)
            outcome = replace(outcome, answer=answer)
    if ran.history_lost:
        outcome = outcome.after(texts.history_lost)
    if cost_footer and outcome.answer:
        outcome = with_cost(outcome, ledger)
    return Settled(outcome, ledger)


def unanswered(exc: Exception, texts: Texts) -> Outcome:
    """What the user reads when the message could not be answered at all: attachments that
    cannot be read, a database that takes no writes, or an error nobody expected."""
    if isinstance(exc, MediaRefused):
        return Outcome(notices=(exc.sentence,), retry=exc.retry)
    if isinstance(exc, StorageUnavailable):
        return Outcome(notices=(texts.storage_unavailable,))
    return Outcome(notices=(texts.internal_error,))
