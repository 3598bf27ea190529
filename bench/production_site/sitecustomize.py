"""Imported first by the benchmark's bot process: make its imports match the production image.

The image installs no test extras, but the benchmark's bot runs from the development venv, where
aiohttp is installed for the fake servers — and the openai SDK imports aiohttp whenever it can
(for an optional transport the bot does not use), which costs ~9 MB of the RSS being measured.
"""

import sys

sys.modules.setdefault("aiohttp", None)  # type: ignore[arg-type]  # import aiohttp: ImportError
