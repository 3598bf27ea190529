"""Images held from the end of a turn until delivered: a bounded number, the rest read again
from their response."""

from __future__ import annotations

import base64

import pytest

from bot.backends import Artifact, BackendRejected
from bot.backends.responses_api.drawings import KEPT, Drawings
from bot.backends.responses_api.response_data import ResponseData


def response(response_id: str, *images: tuple[str, bytes]) -> ResponseData:
    return {
        "id": response_id,
        "status": "completed",
        "output": [
            {"type": "image_generation_call", "id": item, "status": "completed",
             "result": base64.b64encode(data).decode()}
            for item, data in images
        ],
    }  # fmt: skip


async def test_held_images_are_bounded_and_the_oldest_are_read_again() -> None:
    drawings = Drawings()
    responses = {
        f"resp_{n}": response(f"resp_{n}", (f"ig_{n}", bytes([n]))) for n in range(KEPT + 3)
    }
    for made in responses.values():
        drawings.keep(made)
    asked: list[str] = []

    async def retrieve(response_id: str) -> ResponseData:
        asked.append(response_id)
        return responses[response_id]

    newest = await drawings.fetch(
        Artifact(f"resp_{KEPT + 2}", f"ig_{KEPT + 2}", "i.png", kind="image"), retrieve
    )
    oldest = await drawings.fetch(Artifact("resp_0", "ig_0", "i.png", kind="image"), retrieve)

    assert (newest, oldest) == (bytes([KEPT + 2]), bytes([0]))
    assert asked == ["resp_0"]  # only the evicted one cost a request


async def test_an_image_missing_from_its_response_is_a_backend_error() -> None:
    async def retrieve(response_id: str) -> ResponseData:
        return response(response_id)

    with pytest.raises(BackendRejected, match="ig_9 is not in resp_9"):
        await Drawings().fetch(Artifact("resp_9", "ig_9", "i.png", kind="image"), retrieve)
