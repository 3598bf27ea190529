"""Reading tool results from a response: citations once each, calls counted, sandbox links made
plain; and the Sources list an answer gets."""

from __future__ import annotations

from typing import Any

from bot.backends.responses_api.response_data import (
    ResponseData,
    citations,
    output_text,
    tools_used,
)
from bot.engine.outcome import with_sources
from bot.texts import ENGLISH


def _response(*items: dict[str, Any]) -> ResponseData:
    return {"id": "resp_1", "status": "completed", "output": list(items)}


def _message(text: str, *urls: tuple[str, str]) -> dict[str, Any]:
    notes = [{"type": "url_citation", "url": u, "title": t} for t, u in urls]
    return {
        "type": "message",
        "content": [{"type": "output_text", "text": text, "annotations": notes}],
    }


def test_citations_are_kept_once_each_in_order() -> None:
    response = _response(_message("a", ("A", "https://a"), ("B", "https://b"), ("A2", "https://a")))
    assert citations(response) == (("A", "https://a"), ("B", "https://b"))


def test_searches_and_containers_are_counted_from_the_output_items() -> None:
    response = _response(
        {"type": "web_search_call"},
        {"type": "web_search_call"},
        {"type": "code_interpreter_call", "container_id": "c1"},
        {"type": "code_interpreter_call", "container_id": "c1"},
        _message("done"),
    )
    used = tools_used(response)
    assert used is not None and (used.web_searches, used.containers) == (2, 1)
    assert tools_used(_response(_message("plain"))) is None


def test_sandbox_links_keep_their_text_only() -> None:
    response = _response(
        _message("See [the chart](sandbox:/mnt/data/c.png) and [docs](https://d).")
    )
    assert output_text(response) == "See the chart and [docs](https://d)."


def test_sources_close_the_answer_as_numbered_links() -> None:
    answer = with_sources("Yes.", (("Py [3]", "https://p/(x)"),), ENGLISH)
    assert answer == "Yes.\n\n**Sources**\n1. [Py (3)](https://p/(x%29)"
