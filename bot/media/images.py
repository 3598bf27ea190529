"""Recognising an image's real format by its first bytes.

Telegram's file server answers `application/octet-stream` for everything, and a sender's MIME
type may lie; a data URL with the wrong type is refused by the model's server.
"""

from __future__ import annotations

SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


def sniff(data: bytes) -> str | None:
    """The image type the bytes are (one OpenAI accepts), or None."""
    for signature, mime in SIGNATURES:
        if data.startswith(signature):
            return mime
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None
