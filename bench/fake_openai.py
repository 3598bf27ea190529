"""The fake OpenAI server in a process of its own, for the benchmark.

Streaming hundreds of answers is real work; in the benchmark's process it would slow the fake
Telegram, whose timestamps are the measurements. Started by `bench/run.py`: prints its address as
one JSON line, serves until its stdin closes (so it never outlives the benchmark), then prints
what the model did (each turn's first token and finish, as monotonic times: the same clock in
every process on Linux) and the requests it received.

    python -m bench.fake_openai '{"ttft": 0.8, "tokens_per_second": 60, ...}'
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import sys
from typing import Any

from tests.fakes.openai_model import Reply
from tests.fakes.openai_server import FakeOpenAI
from tests.media_samples import noise_png


async def serve(model: dict[str, Any]) -> None:
    server = FakeOpenAI()
    rng = random.Random(model["seed"])
    words = " ".join(f"word{n}" for n in range(model["answer_tokens"]))
    chunk_tokens = 5

    def vary(value: float) -> float:
        return float(value * rng.uniform(1 - model["jitter"], 1 + model["jitter"]))

    # Tool turns: code that writes charts the size of real ones (~90 KB PNGs that barely
    # compress), the same every turn.
    charts = [(f"chart{n}.png", noise_png(200, 150)) for n in range(model.get("charts") or 0)]
    server.model.default_reply = lambda: Reply(
        text=words,
        delay=vary(model["ttft"]),
        chunks=max(1, model["answer_tokens"] // chunk_tokens),
        chunk_delay=chunk_tokens / vary(model["tokens_per_second"]),
        code="df.plot()" if charts else None,
        writes=list(charts),
    )
    # Turns that call one of the owner's tools: each message's first model call asks for it,
    # the second answers from its output (turns run one at a time, so the replies alternate).
    for _ in range(model.get("mcp_calls") or 0):
        call = Reply(
            text="", delay=vary(model["ttft"]), calls=[("house__weather", {"city": "Oslo"})]
        )
        server.model.replies.extend([call, server.model.default_reply()])
    await server.start()
    print(json.dumps({"base_url": server.base_url, "api_key": server.api_key}), flush=True)

    stdin = asyncio.StreamReader()
    loop = asyncio.get_running_loop()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(stdin), sys.stdin)
    await stdin.read()  # the benchmark is done (or gone)

    await server.stop()
    report = {
        "turns": [
            {
                "input": t.input,
                "requested_at": t.requested_at,
                "first_token_at": t.first_token_at,
                "finished_at": t.finished_at,
                "media": len(t.media),
                "sequence": t.sequence,
            }
            for t in server.turns
        ],
        "transcriptions": [
            {"text": t.text, "started_at": t.started_at, "finished_at": t.finished_at}
            for t in server.transcriptions
        ],
        "requests": [[method, path] for method, path, _ in server.requests],
    }
    print(json.dumps(report), flush=True)


if __name__ == "__main__":
    # The bot drops its connections when it stops; the server would print each one.
    logging.getLogger("aiohttp.server").setLevel(logging.CRITICAL)
    asyncio.run(serve(json.loads(sys.argv[1])))
