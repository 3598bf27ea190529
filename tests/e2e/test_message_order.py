"""A burst of messages in one chat is answered in the order it was sent, on both engines (a pool
of PostgreSQL connections finishes its writes in any order; the handlers keep Telegram's)."""

from __future__ import annotations

from tests.conftest import Person, both_engines, responses_only
from tests.fakes.openai_server import FakeOpenAI
from tests.running_bot import RunningBot


@responses_only  # the order is kept above the backends
@both_engines
async def test_a_burst_of_messages_is_answered_in_the_order_sent(
    bot: RunningBot, alice: Person, openai_server: FakeOpenAI
) -> None:
    sent = [f"message {n}" for n in range(1, 16)]
    for text in sent:
        alice.say(text)

    replies = await alice.replies(len(sent), within=30)

    assert [t.input for t in openai_server.turns] == sent
    assert [reply.rsplit(": ", 1)[1] for reply in replies] == sent
