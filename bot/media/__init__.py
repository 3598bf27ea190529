"""What the bot does with what people send besides text: pure rules, no I/O (like `bot.usage`).

Which kind a file is, the owner's limits, reading text files, recognising image formats and the
token estimates a budget reserves. The downloading lives in `bot.delivery`, the transcribing in
`bot.backends`, the order of work in `bot.engine`.
"""
