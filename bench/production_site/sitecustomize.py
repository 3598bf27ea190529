"""Imported first by the benchmark's bot process: make its imports match the production image.

The image installs no test extras, but the benchmark's bot runs from the development venv, where
they are installed, and libraries import them whenever they can:
- aiohttp (for the fake servers): the openai SDK imports it for an optional transport the bot
  does not use, ~9 MB of the RSS being measured;
- click (which import-linter brings): httpx then imports its command-line client, and with it
  rich and pygments, ~4 MB.
"""

import sys

for name in ("aiohttp", "click"):
    sys.modules.setdefault(name, None)  # type: ignore[arg-type]  # import NAME: ImportError
