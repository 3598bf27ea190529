"""The refusal before download: decided from what Telegram said of a file, with no fakes."""

from __future__ import annotations

from bot.backends import MediaSupport
from bot.media.refusals import mb, refusal, too_big
from bot.media.settings import MB, MediaSettings
from bot.texts import ENGLISH as T
from bot.texts import render
from storage import Attachment, AttachmentKind

SEES_ALL = MediaSupport(images=True, pdf=True)


def item(
    kind: AttachmentKind,
    size: int = 1000,
    *,
    duration: int | None = None,
    transcript: str | None = None,
    filename: str | None = None,
) -> Attachment:
    return Attachment(
        kind, "file", "unique", 1, size, duration=duration, transcript=transcript, filename=filename
    )


def test_readable_attachments_are_not_refused() -> None:
    files = [item("image"), item("pdf"), item("text"), item("audio", duration=30)]
    assert refusal(files, MediaSettings(), SEES_ALL, T, can_transcribe=True) is None


def test_a_file_telegram_will_not_hand_over_is_refused_whatever_its_kind() -> None:
    huge = item("text", size=21 * MB)
    assert refusal([huge], MediaSettings(), SEES_ALL, T, can_transcribe=True) == render(
        T.file_too_big_for_telegram, size="21"
    )


def test_an_image_over_the_owners_limit_names_both_sizes() -> None:
    settings = MediaSettings(max_image_mb=2)
    sentence = refusal([item("image", size=2_500_000)], settings, SEES_ALL, T, can_transcribe=True)
    assert sentence == render(T.file_too_big, size="2.5", limit="2")


def test_what_the_backend_cannot_see_is_refused_with_its_own_sentence() -> None:
    blind = MediaSupport(images=False, pdf=False)
    settings = MediaSettings()
    assert refusal([item("image")], settings, blind, T, can_transcribe=True) == T.images_unavailable
    assert refusal([item("pdf")], settings, blind, T, can_transcribe=True) == T.pdf_unavailable


def test_voice_needs_a_transcriber_and_a_length_within_the_limit() -> None:
    settings = MediaSettings(voice_max_seconds=60)
    voice = item("audio", duration=61)
    assert refusal([voice], settings, SEES_ALL, T, can_transcribe=False) == T.voice_unavailable
    assert refusal([voice], settings, SEES_ALL, T, can_transcribe=True) == render(
        T.voice_too_long, duration="1:01", limit="1:00"
    )


def test_a_voice_already_transcribed_is_never_refused_again() -> None:
    heard = item("audio", duration=600, transcript="hello")
    assert refusal([heard], MediaSettings(voice=False), SEES_ALL, T, can_transcribe=False) is None


def test_a_spreadsheet_needs_a_persona_that_runs_code() -> None:
    sheet = item("data", filename="budget.xlsx")
    settings = MediaSettings()
    assert refusal([sheet], settings, SEES_ALL, T, can_transcribe=True, code=True) is None
    assert refusal([sheet], settings, SEES_ALL, T, can_transcribe=True) == render(
        T.spreadsheet_needs_code, name="budget.xlsx"
    )
    no_persona_could = refusal(
        [sheet], settings, SEES_ALL, T, can_transcribe=True, code_offered=False
    )
    assert no_persona_could == render(T.spreadsheet_unreadable, name="budget.xlsx")


def test_the_first_refused_attachment_speaks_for_the_album() -> None:
    album = [item("image"), item("pdf"), item("image", size=30 * MB)]
    blind_to_pdf = MediaSupport(images=True, pdf=False)
    sentence = refusal(album, MediaSettings(), blind_to_pdf, T, can_transcribe=True)
    assert sentence == T.pdf_unavailable


def test_sizes_read_like_telegram_counts_them() -> None:
    assert mb(20 * MB) == "20"
    assert mb(1_250_000) == "1.2"
    assert too_big(25 * MB, 10 * MB, T) == render(T.file_too_big_for_telegram, size="25")
    assert too_big(12 * MB, 10 * MB, T) == render(T.file_too_big, size="12", limit="10")
