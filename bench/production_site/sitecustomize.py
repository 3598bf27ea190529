"""Imported first by the benchmark's bot process: make its imports match the production image.

The image installs no test extras, but the benchmark's bot runs from the development venv, where
they are installed, and libraries import them whenever they can:
- click (which import-linter brings): httpx then imports its command-line client, and with it
  rich and pygments, ~4 MB.
(aiohttp was here until the webhook made it a dependency of the bot: the openai SDK imports it
whenever it is installed, for a transport the bot does not use — now in production too.)
"""

import sys

for name in ("click",):
    sys.modules.setdefault(name, None)  # type: ignore[arg-type]  # import NAME: ImportError
