"""Which kind a document is, from the MIME type and the file name the sender's app gave.

Either may be missing or wrong, so both are consulted; the bytes are checked again once
downloaded (`images.sniff`, `text_files.read_text`).
"""

from __future__ import annotations

from pathlib import PurePosixPath

from storage import AttachmentKind

# What OpenAI's vision accepts; other images (HEIC, TIFF, BMP…) are refused politely.
IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "image/gif"})
AUDIO_EXTENSIONS = frozenset({".mp3", ".m4a", ".ogg", ".oga", ".opus", ".wav", ".flac", ".webm"})
TEXT_EXTENSIONS = frozenset(
    {
        ".txt", ".md", ".markdown", ".csv", ".tsv", ".json", ".jsonl", ".yaml", ".yml",
        ".toml", ".ini", ".cfg", ".conf", ".log", ".xml", ".html", ".htm", ".css", ".sql",
        ".py", ".js", ".ts", ".tsx", ".jsx", ".java", ".kt", ".c", ".h", ".cpp", ".hpp",
        ".cs", ".go", ".rs", ".rb", ".php", ".sh", ".bash", ".zsh", ".ps1", ".swift",
        ".r", ".lua", ".pl", ".scala", ".dart", ".tex", ".rst", ".srt", ".vtt", ".env",
        ".properties", ".gradle", ".dockerfile", ".makefile",
    }
)  # fmt: skip
TEXT_TYPES = frozenset(
    {
        "application/json", "application/xml", "application/x-yaml", "application/yaml",
        "application/toml", "application/x-sh", "application/javascript", "application/sql",
        "application/x-python", "application/csv",
    }
)  # fmt: skip


def document_kind(mime: str | None, filename: str | None) -> AttachmentKind | None:
    """The kind of a document, or None for a type the bot cannot read (a zip, a docx…)."""
    mime = (mime or "").lower().split(";")[0].strip()
    suffix = PurePosixPath((filename or "").lower()).suffix
    if mime == "application/pdf" or suffix == ".pdf":
        return "pdf"
    if mime.startswith("image/") or suffix in _IMAGE_SUFFIXES:
        return "image"  # formats the model cannot read are refused by name once sniffed
    if mime.startswith("audio/") or suffix in AUDIO_EXTENSIONS:
        return "audio"
    if mime.startswith("text/") or mime in TEXT_TYPES or suffix in TEXT_EXTENSIONS:
        return "text"
    if suffix in SPREADSHEETS or mime in SPREADSHEET_TYPES:
        return "data"
    return None


def for_code(filename: str | None, kind: AttachmentKind) -> bool:
    """Data the code interpreter should read whole (rather than the model read as text)."""
    suffix = PurePosixPath((filename or "").lower()).suffix
    return kind == "data" or (kind == "text" and suffix in DATA_EXTENSIONS)


def image_format(mime: str | None) -> str:
    """An image type's short name for a refusal ("HEIC"), from its MIME type."""
    sub = (mime or "").lower().partition("/")[2]
    return (sub.removeprefix("x-") or "this").upper()


_IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".webp", ".gif"})
SPREADSHEETS = frozenset({".xlsx", ".xls", ".ods"})
SPREADSHEET_TYPES = frozenset(
    {
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.ms-excel",
        "application/vnd.oasis.opendocument.spreadsheet",
    }
)
DATA_EXTENSIONS = frozenset({".csv", ".tsv", ".json", ".jsonl"})
