"""What people send besides text, in one folder.

Pure rules (no I/O; a contract checks it): `kinds` (which kind a file is, its real format),
`settings` (the owner's limits), `text_files` (reading them), `images` (recognising formats),
`estimates` (the tokens a budget reserves). The engine's side: `reader` (download through a
`file_source`, transcribe, read, within a `byte_budget` of memory), `albums` (an album's items
gathered into one turn). The Telegram download lives in `bot.delivery`, the transcription
server in `bot.backends`.
"""
