"""The pure media rules: which kind a file is, its real format, reading text, the photo size to
download, the name audio is uploaded under, the limits read from the environment, and the
byte budget that bounds downloads held at once."""

from __future__ import annotations

import asyncio

import pytest
from telegram import PhotoSize

from bot.backends.transcription import upload_name
from bot.config import ConfigError, load_config
from bot.handlers.attachments import pick_photo
from bot.media.byte_budget import ByteBudget
from bot.media.images import sniff
from bot.media.kinds import document_kind, image_format
from bot.media.text_files import framed, read_text
from bot.usage.prices import load_prices
from storage import Attachment, ChatKey
from storage.database import Database
from tests.media_samples import bmp, jpeg, ogg_opus, pdf, png, read_ogg_opus

BASE = {"TELEGRAM_BOT_TOKEN": "123456:abc-secret-0123456789abcdef", "OPENAI_API_KEY": "sk-secret"}


@pytest.mark.parametrize(
    ("mime", "name", "kind"),
    [
        ("application/pdf", "report.pdf", "pdf"),
        (None, "REPORT.PDF", "pdf"),
        ("image/png", "scan.png", "image"),
        ("image/heic", "IMG_0001.HEIC", "image"),  # refused by name once its bytes are seen
        ("application/octet-stream", "photo.jpg", "image"),
        ("audio/mpeg", "song.mp3", "audio"),
        (None, "memo.m4a", "audio"),
        ("text/plain", None, "text"),
        ("text/csv", "sales.csv", "text"),
        (None, "main.py", "text"),
        ("application/json", "data", "text"),
        ("application/zip", "photos.zip", None),
        ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "a.docx", None),
        (None, None, None),
    ],
)
def test_a_document_is_classified_by_type_and_name_together(
    mime: str | None, name: str | None, kind: str | None
) -> None:
    assert document_kind(mime, name) == kind


def test_image_formats_are_recognised_by_their_bytes() -> None:
    assert sniff(jpeg(8, 8)) == "image/jpeg"
    assert sniff(png()) == "image/png"
    assert sniff(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == "image/webp"
    assert sniff(b"GIF89a....") == "image/gif"
    assert sniff(bmp()) is None and sniff(pdf()) is None
    assert image_format("image/heic") == "HEIC" and image_format("image/x-ms-bmp") == "MS-BMP"


def test_text_is_read_in_utf8_then_windows_encoding_and_binary_refused() -> None:
    assert read_text("olá".encode(), 100).text == "olá"  # type: ignore[union-attr]
    assert read_text(b"\xef\xbb\xbfbom", 100).text == "bom"  # type: ignore[union-attr]
    assert read_text("café".encode("cp1252"), 100).text == "café"  # type: ignore[union-attr]
    assert read_text(b"PK\x03\x04\x00\x00binary", 100) is None
    cut = read_text(b"abcdef", 4)
    assert cut is not None and (cut.text, cut.truncated) == ("abcd", True)


def test_a_file_is_framed_as_data_with_its_name_escaped() -> None:
    text = read_text(b"hello", 100)
    assert text is not None
    assert (
        framed('a"<b>.txt', text, 5)
        == '<file name="a&quot;&lt;b&gt;.txt" bytes="5">\nhello\n</file>'
    )


def _size(file_id: str, width: int, height: int) -> PhotoSize:
    return PhotoSize(file_id, file_id + "u", width, height)


def test_the_photo_size_is_chosen_by_dimensions_not_position() -> None:
    sizes = [_size("big", 1280, 960), _size("thumb", 90, 67), _size("mid", 800, 600)]

    assert pick_photo(sizes, "high").file_id == "big"
    assert pick_photo(sizes, "low").file_id == "mid"  # covers 512 px, nothing bigger
    assert pick_photo([_size("tiny", 90, 67)], "low").file_id == "tiny"


@pytest.mark.parametrize(
    ("name", "mime", "upload"),
    [
        ("voice.oga", "audio/ogg", ("voice.ogg", "audio/ogg")),  # Telegram's name, refused
        (None, "audio/ogg", ("voice.ogg", "audio/ogg")),
        ("song.MP3", "audio/mpeg", ("audio.mp3", "audio/mpeg")),
        ("video_note.mp4", "video/mp4", ("audio.mp4", "video/mp4")),
        ("memo.opus", None, ("voice.ogg", "audio/ogg")),
    ],
)
def test_audio_is_uploaded_under_a_name_the_endpoint_accepts(
    name: str | None, mime: str | None, upload: tuple[str, str]
) -> None:
    assert upload_name(name, mime) == upload


def test_the_test_voice_notes_are_real_ogg_opus() -> None:
    data = ogg_opus("one two three", 2.5)
    assert data.startswith(b"OggS") and b"OpusHead" in data[:64]
    assert read_ogg_opus(data) == ("one two three", 2.5)


def test_transcription_is_priced_per_minute_and_free_on_an_unpriced_local_server() -> None:
    prices = load_prices(None, local=False)
    assert prices.audio_micros("gpt-transcribe", 60, local=False) == 4500
    assert prices.audio_micros("whisper-large-v3", 60, local=True) == 0
    assert prices.audio_micros("whisper-large-v3", 60, local=False) is None


def test_media_limits_and_transcription_come_from_the_environment() -> None:
    config = load_config(
        {**BASE, "MAX_IMAGE_MB": "5", "VOICE_MAX_SECONDS": "120", "IMAGE_DETAIL": "low"}
    )
    media = config.media
    assert (media.image_limit(), media.voice_max_seconds, media.image_detail) == (
        5_000_000,
        120,
        "low",
    )
    assert media.transcription.model == "gpt-transcribe"  # OpenAI's own: on by default
    local = load_config(
        {**BASE, "OPENAI_BASE_URL": "http://localhost:11434/v1", "OPENAI_MODEL": "x"}
    )
    assert local.media.transcription.model is None  # a local chat server: not guessed
    whisper = load_config(
        {
            **BASE,
            "TRANSCRIPTION_BASE_URL": "http://localhost:8080/v1",
            "TRANSCRIPTION_API_KEY": "k2",
        }
    )
    assert whisper.media.transcription.base_url == "http://localhost:8080/v1"
    assert "k2" in whisper.secrets  # scrubbed from logs like the other keys


def test_a_limit_above_what_telegram_lets_bots_download_is_a_config_error() -> None:
    with pytest.raises(ConfigError) as raised:
        load_config({**BASE, "MAX_DOCUMENT_MB": "50", "IMAGE_DETAIL": "huge"})
    problems = "\n".join(raised.value.problems)
    assert "MAX_DOCUMENT_MB must be more than 0 and at most 20" in problems
    assert "IMAGE_DETAIL must be one of" in problems


async def test_the_byte_budget_holds_downloads_until_there_is_room() -> None:
    budget = ByteBudget(100)
    order: list[str] = []
    first_in = asyncio.Event()
    release = asyncio.Event()

    async def hold(name: str, size: int, signal: asyncio.Event | None = None) -> None:
        async with budget.hold(size):
            order.append(f"+{name}")
            if signal is not None:
                signal.set()
                await release.wait()
            order.append(f"-{name}")

    first = asyncio.create_task(hold("a", 80, first_in))
    await first_in.wait()
    second = asyncio.create_task(hold("b", 50))  # does not fit beside a
    huge = asyncio.create_task(hold("c", 500))  # bigger than the budget: runs alone
    await asyncio.sleep(0)
    assert order == ["+a"]
    release.set()
    await asyncio.gather(first, second, huge)
    assert order[:2] == ["+a", "-a"] and sorted(order[2:]) == ["+b", "+c", "-b", "-c"]


async def test_album_items_join_one_entry_once_each_until_it_runs(store: Database) -> None:
    key = ChatKey(7)

    def item(n: int) -> Attachment:
        return Attachment("image", f"f{n}", f"u{n}", 100 + n, 1000)

    entry = await store.inbox.add(
        key, message_id=101, private=True, text="", attachments=(item(1),), album_id="g"
    )
    assert entry is not None
    await store.inbox.join(key, "g", "the caption", (item(2),))
    await store.inbox.join(key, "g", "", (item(2),))  # delivered again
    joined = await store.inbox.entry(entry.id)
    assert joined is not None
    assert [a.file_id for a in joined.attachments] == ["f1", "f2"]
    assert joined.text == "the caption"

    await store.inbox.running(entry.id, "conv", None)
    assert await store.inbox.join(key, "g", "", (item(3),)) is None  # too late to join
