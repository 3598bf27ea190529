"""What compaction saved, estimated from the ledger: each pass shrank its conversation by about
the difference between the answer before it and the answer after it, and every later answer in
that conversation would have re-read that much more. Pure."""

from __future__ import annotations

from collections import defaultdict
from itertools import groupby

from storage import ConversationTurn


def saved_input_tokens(turns: list[ConversationTurn]) -> dict[str, int]:
    """Input tokens compaction spared each model, from answers in conversation order."""
    saved: dict[str, int] = defaultdict(int)
    for _, group in groupby(turns, key=lambda t: t.conversation_id):
        conversation = list(group)
        for n, turn in enumerate(conversation):
            if not turn.compacted or n == 0 or n + 1 >= len(conversation):
                continue
            shrunk = conversation[n - 1].input_tokens - conversation[n + 1].input_tokens
            for later in conversation[n + 1 :]:
                saved[later.model] += max(0, shrunk)
    return dict(saved)
