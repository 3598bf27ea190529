"""What attachments add to a turn's input, for the budget's reservation (an upper bound)."""

from __future__ import annotations

from storage import Attachment

# detail "high" caps an image at 2,500 patches (about 3,000 tokens); "low" at about 300.
IMAGE_TOKENS = {"low": 300, "high": 3_000}
IMAGE_TOKENS_UNCAPPED = 15_000  # "original"/"auto": a 4000x3000 file is about 14k tokens
PDF_BYTES_PER_TOKEN = 20  # generous: text plus a page image each, at detail "low"


def attachment_tokens(attachment: Attachment, *, image_detail: str, text_limit: int) -> int:
    if attachment.kind == "image":
        return IMAGE_TOKENS.get(image_detail, IMAGE_TOKENS_UNCAPPED)
    if attachment.kind == "pdf":
        return (attachment.size or 20_000_000) // PDF_BYTES_PER_TOKEN + 1
    if attachment.kind == "data":
        return 200  # it goes to the container, not into the prompt: its path is named
    if attachment.kind == "text":
        return min(attachment.size or text_limit * 3, text_limit * 3) // 3 + 1
    # audio: the transcript, at most ~200 words a minute, ~1.5 tokens a word
    return (attachment.duration or 60) * 5 + 1
